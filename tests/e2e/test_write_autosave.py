"""The editor in a real browser: autosave, reload, signed out and back, conflict, submit."""

import re
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from annotation.licence import licence_accept
from annotation.models import Pair
from annotation.seeding import dataset_seed_dolly
from annotation.workflow import S
from tests.e2e import signing_in
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
EDIT = re.compile(r"/write/[0-9a-f-]{36}/$")


def saving(response: str):
    """Matches the autosave that carries ``response`` whole: "Saved" may already be on the
    page from a save of what was typed before a pause, which a loaded machine makes."""

    def matches(answer) -> bool:
        request = answer.request
        return (
            request.method == "POST"
            and answer.url.endswith("/autosave/")
            and parse_qs(request.post_data or "").get("response") == [response]
        )

    return matches


@pytest.fixture
def writer(live_server):
    alice = make_user("alice", "contributor")
    licence_accept(user=alice, dataset=dataset_seed_dolly())
    return alice


def sign_in(page, live_server, next_path: str = "/write/") -> None:
    signing_in.sign_in(page, live_server, "alice", next_path)
    if next_path == "/write/":
        # A fresh writer: the page offers work, and the button's POST hands it out.
        page.click("text=Start writing")


def test_typing_autosaves_survives_reload_and_sign_out(new_page, live_server, writer):
    page = new_page()
    sign_in(page, live_server)
    page.wait_for_url(EDIT)
    page.click("#id_instruction")
    page.keyboard.type("What is the tallest mountain in the solar system?")
    page.click("#id_response")
    with page.expect_response(saving("Olympus Mons on Mars.")):
        page.keyboard.type("Olympus Mons on Mars.")
    expect(page.locator("#savestate")).to_contain_text("Saved")
    pair = Pair.objects.get(author=writer)
    assert pair.draft.response == "Olympus Mons on Mars."
    assert pair.draft.typed_chars > 0

    page.reload()
    expect(page.locator("#id_response")).to_have_value("Olympus Mons on Mars.")

    page.context.clear_cookies(name="sessionid")
    page.locator("#id_response").press("Control+End")
    page.keyboard.type(" It is about 22 km high.")
    expect(page.locator("#savestate")).to_contain_text("You were signed out")
    pair.draft.refresh_from_db()
    assert pair.draft.response == "Olympus Mons on Mars."

    page.click("#savestate >> text=Sign in again")
    signing_in.submit_login(page, "alice")
    page.wait_for_url(EDIT)
    expect(page.locator("#savestate")).to_contain_text("restored from this browser")
    pair.draft.refresh_from_db()
    assert pair.draft.response == "Olympus Mons on Mars. It is about 22 km high."


def test_a_conflict_keeps_this_tabs_text_until_the_writer_chooses(new_page, live_server, writer):
    first = new_page()
    sign_in(first, live_server)
    first.wait_for_url(EDIT)
    second = first.context.new_page()
    second.goto(first.url)
    second.locator("#id_response").type("From the second tab.")
    expect(second.locator("#savestate")).to_contain_text("Saved")

    first.locator("#id_response").type("From the first tab.")
    expect(first.locator("#savestate")).to_contain_text("changed in another tab")
    expect(first.locator("#id_response")).to_have_value("From the first tab.")
    pair = Pair.objects.get(author=writer)
    assert pair.draft.response == "From the second tab."

    first.click("text=Keep this tab's text")
    expect(first.locator("#savestate")).to_contain_text("Saved")
    pair.draft.refresh_from_db()
    assert pair.draft.response == "From the first tab."


def test_submit_shows_errors_in_place_and_a_double_click_submits_once(
    new_page, live_server, writer
):
    page = new_page()
    sign_in(page, live_server)
    page.wait_for_url(EDIT)
    page.fill("#id_instruction", "Short?")
    page.fill("#id_response", "An answer that stays where it is.")
    page.click("text=Submit for review")
    expect(page.locator("#errors-instruction")).to_contain_text("Too short")
    expect(page.locator("#id_response")).to_have_value("An answer that stays where it is.")

    page.fill("#id_instruction", "What is the tallest mountain on Earth?")
    page.dblclick("text=Submit for review")
    page.wait_for_url(re.compile(r"/pairs/[0-9a-f-]{36}/$"))
    pair = Pair.objects.get(author=writer)
    assert pair.status == S.SUBMITTED
    assert pair.revisions.count() == 1
