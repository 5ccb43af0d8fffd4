"""Every page of the seeded demo, as each role sees it: axe-core finds no serious or
critical accessibility violation at 1280 px, nothing is wider than a 375 px phone, and the
browser reports no Content Security Policy violation.

The demo comes from seed_demo itself, so the pages show what a newcomer meets: full
queues, a waiting edit, a rejected pair, a ready release; the fixture adds the dataset's
insights figures and a finished bulk action (one pair retracted, one refused).
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from annotation.models import Dataset, Pair
from exports.models import Release
from review.models import BulkAction
from review.moderation import bulk_action_create, bulk_action_run
from tests.e2e.seeded import seed_demo_for_browser
from tests.e2e.signing_in import sign_in
from tests.factories import make_assignment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo(live_server, settings, tmp_path):
    seed_demo_for_browser(settings, tmp_path)
    # A finished bulk action with both outcomes for its result page: dan's approved pair is
    # retracted, his pair waiting for review is refused (only approved pairs retract).
    dans = Pair.objects.filter(author__username="dan").order_by("pk")
    bulk = bulk_action_create(
        by=User.objects.get(username="ada"),
        kind=BulkAction.Kind.RETRACT,
        pair_ids=[
            dans.filter(status="approved").last().pk,
            dans.filter(status="submitted").last().pk,
        ],
        text="Retracted by the e2e fixture",
    )
    bulk_action_run(bulk_id=bulk.pk)
    # An assignment in alice's hand, so that /write/ is the editor itself, not "Start writing".
    make_assignment(
        contributor=User.objects.get(username="alice"),
        category=Dataset.objects.get().categories.get(slug="closed_qa"),
    )
    return live_server


def pages_of(username: str) -> list[str]:
    """Every page a role reaches by a GET, from the seeded objects."""
    if username == "alice":
        own = Pair.objects.filter(author__username="alice")
        return [
            reverse("annotation:home"),
            reverse("annotation:my_pairs"),
            reverse("annotation:pair_detail", args=[own.filter(status="approved")[0].public_id]),
            reverse("annotation:pair_detail", args=[own.get(current_revision__number=2).public_id]),
            reverse("annotation:open_prompts"),
            reverse("annotation:ask"),
            reverse("annotation:licence", args=["dolly"]),
            reverse("annotation:write"),  # the editor
            reverse("leaderboard:board", args=["dolly"]),
        ]
    if username == "dan":
        rejected = Pair.objects.get(author__username="dan", status="rejected")
        return [reverse("annotation:pair_detail", args=[rejected.public_id])]
    if username == "bob":
        # A reviewer's insights leave out the per-reviewer table that an admin's show.
        return [
            reverse("review:queue"),
            reverse("review:edits"),
            reverse("review:insights", args=["dolly"]),
        ]
    release = Release.objects.get()
    pair = Pair.objects.filter(status="approved").first()
    bulk = BulkAction.objects.get()
    admin_pages = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        admin_pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            admin_pages.append(
                reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            )
    return [
        reverse("exports:datasets"),
        reverse("exports:releases", args=["dolly"]),
        reverse("exports:release", args=["dolly", f"v{release.version}"]),
        reverse("review:moderate"),
        # A search with filters: highlighted snippets, the "Show all" link, fewer rows.
        reverse("review:moderate") + "?q=instrument&status=submitted&dataset=dolly",
        reverse("review:moderate_pair", args=[pair.public_id]),
        reverse("review:moderate_bulk_result", args=[bulk.public_id]),
        reverse("review:insights", args=["dolly"]),
        reverse("leaderboard:board", args=["dolly"]),
        reverse("leaderboard:board", args=["dolly"]) + "?period=all",
        reverse("people:invite"),
        reverse("people:profile"),
        *admin_pages,
    ]


def problems(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']}: {[node['html'][:120] for node in violation['nodes'][:3]]}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def too_wide(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


def watched(page):
    """The page, with the Content Security Policy violations its console reports kept on
    it for :func:`check` to collect."""
    page.csp_errors = []
    page.on(
        "console",
        lambda message: (
            page.csp_errors.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return page


def check(page, url: str, found: dict) -> None:
    """The CSP violations reported since the last check, then axe on the desktop layout and
    the width of the phone layout, of the open page."""
    if page.locator("[data-insights-url]").count():
        # Insights draw their charts after fetching the figures: check the drawn page.
        page.wait_for_selector(".insights.charts-on canvas[data-chart]")
    if page.csp_errors:
        found[url] = [f"CSP: {text}" for text in page.csp_errors]
    page.set_viewport_size(DESKTOP)
    if bad := problems(page):
        found[url] = [*found.get(url, []), *bad]
    # axe's own preloading of the stylesheets breaks the CSP on some pages (the admin's
    # change forms): what it reports is the checker's doing, not the page's.
    page.csp_errors.clear()
    page.set_viewport_size(PHONE)
    if too_wide(page):
        found[url] = [*found.get(url, []), "wider than 375 px"]


def walk(new_page, live_server, username: str, found: dict) -> None:
    page = watched(new_page())
    sign_in(page, live_server, username)
    for path in pages_of(username):
        response = page.goto(live_server.url + path)
        assert response.status == 200, (username, path, response.status)
        check(page, f"{username} {path}", found)


def test_every_page_is_accessible_and_fits_a_phone(new_page, demo):
    found: dict[str, list[str]] = {}
    anonymous = watched(new_page())
    for path in (reverse("login"), reverse("account_signup")):
        anonymous.goto(demo.url + path)
        check(anonymous, f"anonymous {path}", found)
    for username in ("alice", "dan", "bob", "ada"):
        walk(new_page, demo, username, found)

    # The pages reached by taking work: the next pair to review, the next edit.
    reviewer = watched(new_page())
    sign_in(reviewer, demo, "bob")
    reviewer.goto(demo.url + reverse("review:queue"))
    reviewer.click("button:has-text('Review next')")
    reviewer.wait_for_url("**/review/pairs/**")
    check(reviewer, "bob review pair", found)
    # A decision refused (no reason to reject), and its address visited afterwards.
    reviewer.click("button[name=decision][value=reject]")
    reviewer.wait_for_url("**/decide/")
    check(reviewer, "bob refused decision", found)
    assert reviewer.goto(reviewer.url).status == 405
    check(reviewer, "bob form-only address", found)
    reviewer.goto(demo.url + reverse("review:edits"))
    reviewer.click("text=Next edit")
    reviewer.wait_for_url("**/review/edits/*/")
    check(reviewer, "bob edit page", found)

    # /write/ was walked as the editor of alice's assignment, not the page before it.
    writer = watched(new_page())
    sign_in(writer, demo, "alice")
    writer.goto(demo.url + reverse("annotation:write"))
    assert writer.locator("textarea[name=response]").count() == 1

    assert not found, "\n".join(f"{page}: {bad}" for page, bad in found.items())
