"""Moderation in a real browser: a search and a filter update the list in place (htmx) and
the address, the back button brings the previous filters back as a whole page, and a bulk
action on two ticked pairs ends on a page that says what was done and what was refused."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from annotation.models import Pair
from review.filters import PairFilter
from review.models import BulkAction
from tests.e2e.signing_in import sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORD = "instrument"  # in three of seed_demo's instructions: one approved, two in review


@pytest.fixture
def demo(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", "--allow-production", stdout=None)
    ada = User.objects.get(username="ada")
    ada.set_password(PASSWORD)
    ada.save()
    return live_server


def found(**filters) -> list[Pair]:
    """What the moderation list holds for these filters, by the page's own filter."""
    return list(PairFilter(filters, queryset=Pair.objects.order_by("-pk")).qs)


def sign_in_to_moderation(page, live_server) -> None:
    sign_in(page, live_server, "ada", reverse("review:moderate"))


def watch(page) -> list[str]:
    """CSP violations and uncaught exceptions of the page."""
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    return errors


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def count_line(n: int, *, filtered: bool) -> re.Pattern:
    return re.compile(rf"^{n} pairs?{' match' if filtered else ''}\b")


def settled(page) -> None:
    """No htmx request in flight (htmx marks the element making one)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def expect_whole_page(page) -> None:
    """The page as a full load gives it, not the list's fragment alone."""
    expect(page.locator("header.topbar")).to_have_count(1)
    expect(page.locator("h1")).to_have_text("Moderate pairs")
    expect(page.locator("form.moderation-filters")).to_have_count(1)
    expect(page.locator("#moderate-results")).to_have_count(1)
    expect(page).to_have_title(re.compile("^Moderate pairs"))


def test_search_and_filter_update_the_list_and_the_address_and_back_restores_them(new_page, demo):
    everything = found()
    matching = found(q=WORD)
    waiting = found(q=WORD, status="submitted")
    assert len(everything) > len(matching) > len(waiting) > 0
    page = new_page()
    errors = watch(page)
    sign_in_to_moderation(page, demo)
    summary = page.locator("#moderate-results > p.muted").first
    expect(summary).to_have_text(count_line(len(everything), filtered=False))
    # Set on the window: a full page load would lose it, an htmx swap keeps it.
    page.evaluate("window.stillTheSamePage = true")
    entries = page.evaluate("history.length")

    page.fill("#id_q", WORD)
    page.press("#id_q", "Enter")
    expect(summary).to_have_text(count_line(len(matching), filtered=True))
    expect(page.locator("table.moderation tbody tr")).to_have_count(len(matching))
    expect(page.locator(".snippet mark").first).to_have_text(re.compile(WORD, re.I))
    assert query(page) == {"q": [WORD]}  # the filters set, not every empty field
    # Enter fires the field's change and the form's submit: one request is answered, one
    # entry added to the history (two made the back button seem to do nothing once).
    settled(page)
    assert page.evaluate("history.length") == entries + 1

    page.select_option("#id_status", "submitted")
    expect(summary).to_have_text(count_line(len(waiting), filtered=True))
    assert query(page) == {"q": [WORD], "status": ["submitted"]}
    rows = page.locator("table.moderation tbody tr")
    expect(rows).to_have_count(len(waiting))
    for pair in waiting:
        expect(page.locator(f"input[name=pairs][value='{pair.public_id}']")).to_have_count(1)
    assert page.evaluate("window.stillTheSamePage") is True  # swapped, not reloaded

    page.go_back()
    expect(summary).to_have_text(count_line(len(matching), filtered=True))
    assert query(page) == {"q": [WORD]}
    expect_whole_page(page)
    # The form shows the filters the list was made with.
    expect(page.locator("#id_q")).to_have_value(WORD)
    expect(page.locator("#id_status")).to_have_value("")

    page.go_back()
    expect(summary).to_have_text(count_line(len(everything), filtered=False))
    assert query(page) == {}
    expect_whole_page(page)
    expect(page.locator("#id_q")).to_have_value("")

    page.go_forward()
    expect(summary).to_have_text(count_line(len(matching), filtered=True))
    expect(page.locator("#id_q")).to_have_value(WORD)
    expect_whole_page(page)

    assert errors == []


def test_a_bulk_action_on_two_ticked_pairs_says_what_was_done_and_what_was_refused(new_page, demo):
    matching = found(q=WORD)
    approved = next(pair for pair in matching if pair.status == Pair.Status.APPROVED)
    waiting = next(pair for pair in matching if pair.status == Pair.Status.SUBMITTED)
    untouched = [pair for pair in matching if pair not in (approved, waiting)]
    page = new_page()
    errors = watch(page)
    sign_in_to_moderation(page, demo)
    page.fill("#id_q", WORD)
    page.press("#id_q", "Enter")
    expect(page.locator("table.moderation tbody tr")).to_have_count(len(matching))

    page.check(f"input[name=pairs][value='{approved.public_id}']")
    page.check(f"input[name=pairs][value='{waiting.public_id}']")
    page.select_option("#bulk-action", BulkAction.Kind.RETRACT)
    page.fill("#bulk-text", "Copied from a product page")
    page.check("input[name=retract_confirmed]")
    page.click("button[name=selection][value=selected]")

    page.wait_for_url(re.compile(r"/review/moderate/bulk/[0-9a-f-]+/(\?.*)?$"))
    expect(page.locator("h1")).to_have_text("Retract for good (never ships again)")
    progress = page.locator("#bulk-progress")
    expect(progress.locator(".badge")).to_have_text("Done")
    expect(progress).to_contain_text("2 of 2 pairs checked (100%)")
    expect(progress).to_contain_text("1 done, 1 refused")
    refused = progress.locator("table tbody tr")
    expect(refused).to_have_count(1)
    expect(refused.locator("a")).to_have_attribute(
        "href", reverse("review:moderate_pair", args=[waiting.public_id])
    )
    expect(refused.locator("a")).to_contain_text(waiting.current_revision.instruction[:40])
    expect(refused.locator("td").last).to_contain_text("never approved")
    expect(progress.locator("dl")).to_contain_text("Copied from a product page")
    # Finished: the page stops asking for progress.
    expect(progress).not_to_have_attribute("hx-trigger", re.compile("every"))

    approved.refresh_from_db()
    waiting.refresh_from_db()
    assert approved.status == Pair.Status.RETRACTED
    assert waiting.status == Pair.Status.SUBMITTED
    for pair in untouched:
        assert Pair.objects.get(pk=pair.pk).status == pair.status
    assert errors == []
