"""The editor's limits in a real browser: code points counted like the server, and text
larger than the server takes is refused inline, never sent, never kept to be replayed."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from annotation.licence import licence_accept
from annotation.models import Pair
from annotation.seeding import dataset_seed_dolly
from tests.e2e.signing_in import sign_in
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
EDIT = re.compile(r"/write/[0-9a-f-]{36}/$")


@pytest.fixture
def editor(new_page, live_server):
    alice = make_user("alice", "contributor")
    licence_accept(user=alice, dataset=dataset_seed_dolly())
    page = new_page()
    sign_in(page, live_server, "alice", "/write/")
    # GET /write/ hands out no work: the "Start writing" button's POST does.
    page.click("text=Start writing")
    page.wait_for_url(EDIT)
    return page


def local_copy(page) -> str | None:
    return page.evaluate(
        "() => { const f = document.getElementById('pair-form');"
        " return localStorage.getItem('handwritten:draft:' + f.dataset.pair); }"
    )


def test_counters_count_code_points_like_the_server(editor):
    editor.fill("#id_instruction", "Which emoji is this? " + "😀" * 4)
    counter = editor.locator('.counter[data-counter-for="id_instruction"]')
    expect(counter).to_have_text("25 / 4,000")  # JavaScript's length says 29
    editor.fill("#id_instruction", "x" * 4005)
    expect(counter).to_contain_text("5 over")


def test_oversized_text_is_refused_inline_and_never_replayed(editor):
    pair = Pair.objects.get()
    editor.fill("#id_response", "A short answer that saves.")
    expect(editor.locator("#savestate")).to_contain_text("Saved")
    too_big = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10_000
    editor.evaluate(
        "n => { const el = document.getElementById('id_response'); el.value = 'y'.repeat(n);"
        " el.dispatchEvent(new Event('input', {bubbles: true})); }",
        too_big,
    )
    expect(editor.locator("#savestate")).to_contain_text("Too large to save")
    editor.wait_for_timeout(1500)  # past the autosave delay: nothing may be sent
    expect(editor.locator("#savestate")).to_contain_text("Too large to save")
    pair.draft.refresh_from_db()
    assert pair.draft.response == "A short answer that saves."
    kept = local_copy(editor)
    assert kept is None or len(kept) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    # A copy that an older page kept is dropped, not replayed into a refused save.
    editor.evaluate(
        "n => { const f = document.getElementById('pair-form');"
        " localStorage.setItem('handwritten:draft:' + f.dataset.pair, JSON.stringify({"
        " version: parseInt(document.getElementById('id_version').value, 10),"
        " values: {instruction: '', context: '', source_url: '', response: 'z'.repeat(n)}})); }",
        too_big,
    )
    editor.reload()
    expect(editor.locator("#id_response")).to_have_value("A short answer that saves.")
    editor.wait_for_timeout(1500)
    assert "Restored" not in editor.locator("#savestate").inner_text()
    assert local_copy(editor) is None
    pair.draft.refresh_from_db()
    assert pair.draft.response == "A short answer that saves."


def test_a_fields_error_goes_once_its_text_is_changed(editor):
    editor.fill("#id_instruction", "Hi")
    editor.click("button:has-text('Submit for review')")
    instruction = editor.locator("#id_instruction")
    expect(instruction).to_have_attribute("aria-invalid", "true")
    expect(editor.locator("#errors-instruction")).to_contain_text("Too short")
    expect(editor.locator("#errors-response")).to_contain_text("Write a response")

    instruction.press("End")
    editor.keyboard.type(", which river is the longest in Europe?")

    expect(editor.locator("#errors-instruction")).to_have_count(0)
    expect(instruction).not_to_have_attribute("aria-invalid", "true")
    # The response, not touched, still says what is wrong with it.
    expect(editor.locator("#errors-response")).to_contain_text("Write a response")
