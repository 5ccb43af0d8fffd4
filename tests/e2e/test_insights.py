"""The insights page in a real browser: the vendored Chart.js draws every chart from the
page's JSON, each chart has its table beside it, and with JavaScript off the tables alone
show the same numbers.

The collection is seed_demo's (approvals, a rejection, scores and several days of work), so
every chart has something to draw.
"""

import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from annotation.models import Dataset
from review.insights import figures_for, insights_refresh, insights_snapshot
from tests.e2e.signing_in import sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHARTS = {"composition", "cumulative", "daily", "reasons", "scores", "lengths", "alpha"}

# For each chart: the table nearest to it (the first in the smallest block holding both).
TABLE_OF_CHART = """canvas => {
    let block = canvas.parentElement;
    while (!block.querySelector("table")) block = block.parentElement;
    const table = block.querySelector("table");
    return [...table.tBodies[0].rows].map(row => [...row.cells].map(c => c.textContent.trim()));
}"""

# Chart.js drew on the canvas: it knows the chart, and some pixels are not transparent.
DRAWN = """canvas => {
    const chart = window.Chart && window.Chart.getChart(canvas);
    if (!chart || !canvas.width || !canvas.height) return false;
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) return true;
    return false;
}"""


@pytest.fixture
def dolly(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", "--allow-production", stdout=None)
    ada = User.objects.get(username="ada")
    ada.set_password(PASSWORD)
    ada.save()
    dataset = Dataset.objects.get()
    insights_refresh(snapshot_id=insights_snapshot(dataset=dataset).pk)
    return dataset


def figures(dataset):
    return figures_for(insights_snapshot(dataset=dataset).figures, reviewer_detail=True)


def watch(page) -> list[str]:
    """Console errors (CSP violations among them) and uncaught exceptions of the page."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    return errors


def composition_rows(page) -> list[tuple[str, str]]:
    """(category, approved) as the composition table shows them."""
    rows = page.locator("section[aria-labelledby=composition] tbody tr")
    return [
        (
            row.locator("th").inner_text().removesuffix("inactive").strip(),
            row.locator("td").first.inner_text(),
        )
        for row in rows.all()
    ]


def test_every_chart_is_drawn_beside_its_table(new_page, live_server, dolly):
    page = new_page()
    errors = watch(page)
    path = reverse("review:insights", args=[dolly.slug])
    sign_in(page, live_server, "ada", path)

    expect(page.locator(".insights.charts-on")).to_have_count(1)
    canvases = page.locator("canvas[data-chart]")
    assert {c.get_attribute("data-chart") for c in canvases.all()} == CHARTS
    for canvas in canvases.all():
        name = canvas.get_attribute("data-chart")
        expect(canvas).to_be_visible()
        page.wait_for_function(DRAWN, arg=canvas.element_handle())
        assert canvas.bounding_box()["width"] > 200, name
        rows = canvas.evaluate(TABLE_OF_CHART)
        assert rows and all(any(re.search(r"\d", cell) for cell in row) for row in rows), name

    # The composition chart and its table show the same numbers, from the same figures.
    expected = [(c["name"], c["approved"]) for c in figures(dolly)["categories"]]
    drawn = page.locator("canvas[data-chart=composition]").evaluate(
        "canvas => { const d = Chart.getChart(canvas).data;"
        " return [d.labels, d.datasets[0].data]; }"
    )
    assert list(zip(*drawn, strict=True)) == [tuple(pair) for pair in expected]
    assert composition_rows(page) == [(name, str(n)) for name, n in expected]

    # Another unit: htmx swaps the lengths section and the new histogram is drawn too.
    page.select_option("#id_unit", "words")
    expect(page.locator("canvas[data-chart=lengths]")).to_have_attribute("data-unit", "words")
    page.wait_for_function(DRAWN, arg=page.locator("canvas[data-chart=lengths]").element_handle())
    expect(page.locator("#lengths-section caption")).to_contain_text("length in words")
    assert "unit=words" in page.url

    assert errors == []


def test_without_javascript_the_tables_show_the_numbers(browser, live_server, dolly):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        path = reverse("review:insights", args=[dolly.slug])
        sign_in(page, live_server, "ada", path)
        numbers = figures(dolly)

        # No chart boxes, empty or not: only the tables.
        expect(page.locator(".insights.charts-on")).to_have_count(0)
        for canvas in page.locator("canvas[data-chart]").all():
            expect(canvas).to_be_hidden()
        assert composition_rows(page) == [
            (c["name"], str(c["approved"])) for c in numbers["categories"]
        ]
        reasons = page.locator("section[aria-labelledby=review] table").first
        for reason in numbers["rejection_reasons"]:
            expect(reasons).to_contain_text(reason["label"])
        alpha = page.locator("section[aria-labelledby=agreement] tbody tr")
        expect(alpha).to_have_count(len(numbers["categories"]))

        # The per-day table opens without a script (<details>) and lists every day.
        page.click("section[aria-labelledby=pace] summary")
        days = page.locator("section[aria-labelledby=pace] details tbody tr")
        expect(days.first).to_be_visible()
        expect(days).to_have_count(len(numbers["per_day"]["days"]))
        last = days.last.locator("td").last
        expect(last).to_have_text(str(numbers["per_day"]["cumulative"][-1]))

        # The lengths form is an ordinary GET form: the whole page comes back in words.
        page.select_option("#id_unit", "words")
        page.click("#lengths-section button[type=submit]")
        page.wait_for_url(re.compile(r"unit=words"))
        expect(page.locator("#lengths-section caption")).to_contain_text("length in words")
        expect(page.locator("#lengths-section tbody tr").first).to_be_visible()
    finally:
        context.close()
