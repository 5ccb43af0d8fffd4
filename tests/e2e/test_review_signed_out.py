"""A reviewer whose session ends mid-review: told so, and nothing they typed is lost."""

import re

import pytest
from playwright.sync_api import expect

from annotation.seeding import dataset_seed_dolly
from review.models import Review
from tests.e2e.signing_in import submit_login
from tests.factories import make_pair, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PAIR_PAGE = re.compile(r"/review/pairs/[0-9a-f-]{36}/$")


def test_signed_out_mid_review_keeps_the_comment(live_server, new_page):
    dolly = dataset_seed_dolly()
    pair = make_pair(
        author=make_user("alice", "contributor"), category=dolly.categories.get(slug="open_qa")
    )
    make_user("bob", "reviewer")
    page = new_page()
    page.goto(f"{live_server.url}/login/?next=/review/")
    submit_login(page, "bob")
    page.get_by_role("button", name="Review next").click()
    page.wait_for_url(PAIR_PAGE)
    comment = "Name the source of the second claim, please."
    page.fill("#id_comment", comment)

    page.context.clear_cookies(name="sessionid")
    # The lease heartbeat (every minute) finds the session gone: the page says so.
    page.evaluate("htmx.trigger('#lease', 'submit')")
    expect(page.locator("#signed-out")).to_contain_text("You were signed out")
    assert "<html" not in page.locator("#lease").inner_html()

    page.click("button[value=request_changes]")
    # Sent without a session: signing in leads back to the pair, comment and all.
    submit_login(page, "bob")
    page.wait_for_url(PAIR_PAGE)
    expect(page.locator("#id_comment")).to_have_value(comment)
    expect(page.locator(".kept")).to_contain_text("nothing has been sent yet")
    assert not Review.objects.exists()

    page.click("button[value=request_changes]")
    page.wait_for_url(re.compile(r"/review/"))
    review = Review.objects.get(pair=pair)
    assert (review.decision, review.comment) == ("request_changes", comment)
