"""Keyboard shortcuts: reviewers take the next pair and decide from the keyboard, writers
submit with Ctrl+Enter, ? lists them, and nothing fires while typing in a field."""

import re

import pytest
from playwright.sync_api import expect

from annotation.licence import licence_accept
from annotation.models import Pair
from annotation.seeding import dataset_seed_dolly
from annotation.workflow import S
from review.models import Review
from tests.e2e.signing_in import sign_in
from tests.factories import make_pair, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_takes_next_and_approves_from_the_keyboard(new_page, live_server):
    dolly = dataset_seed_dolly()
    pair = make_pair(author=make_user("alice", "contributor"), category=dolly.categories.first())
    make_user("bob", "reviewer")
    page = new_page()
    sign_in(page, live_server, "bob", "/review/")

    page.keyboard.press("n")
    page.wait_for_url(re.compile(r"/review/pairs/"))
    page.keyboard.press("?")
    expect(page.locator("dialog.shortcuts")).to_be_visible()
    expect(page.locator("dialog.shortcuts")).to_contain_text("Approve")
    page.keyboard.press("Escape")

    # Typing an "a" in the comment is a letter, not an approval.
    page.click("textarea[name=comment]")
    page.keyboard.type("a fine pair")
    assert not Review.objects.exists()
    # r without a reason chosen moves to the reason instead of rejecting.
    page.locator("textarea[name=comment]").evaluate("el => el.blur()")
    page.keyboard.press("r")
    expect(page.locator("select[name=reason]")).to_be_focused()
    assert not Review.objects.exists()

    page.locator("select[name=reason]").evaluate("el => el.blur()")
    page.keyboard.press("a")
    page.wait_for_load_state()
    expect(page.locator("body")).not_to_contain_text("Your decision", timeout=10_000)
    review = Review.objects.get()
    assert review.pair_id == pair.pk and review.decision == Review.Decision.APPROVE
    assert review.comment == "a fine pair"


def test_a_writer_submits_with_ctrl_enter(new_page, live_server):
    alice = make_user("alice", "contributor")
    licence_accept(user=alice, dataset=dataset_seed_dolly())
    page = new_page()
    sign_in(page, live_server, "alice", "/write/")
    page.click("text=Start writing")  # GET /write/ hands out no work; this POST does
    page.wait_for_url(re.compile(r"/write/[0-9a-f-]{36}/$"))
    pair = Pair.objects.get(author=alice)
    if pair.category.context_policy == "required":
        page.fill("#id_context", "A passage of reference text the answer comes from, long enough.")
    page.fill("#id_instruction", "What keeps a bicycle upright while it moves?")
    page.click("#id_response")
    page.keyboard.type("Mostly steering: the rider turns into the fall.")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(r"/pairs/[0-9a-f-]{36}/$"))
    pair.refresh_from_db()
    assert pair.status == S.SUBMITTED
