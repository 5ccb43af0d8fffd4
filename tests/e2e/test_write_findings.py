"""The findings panel in a real browser: shown as the writer types, ticks that survive the
next autosave, a credential refused, and a submit once each finding is dealt with."""

import re

import pytest
from playwright.sync_api import expect

from annotation.models import Finding, Pair
from annotation.workflow import S
from tests.e2e.test_write_autosave import EDIT, sign_in, writer  # noqa: F401 (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TOKEN = "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"


def _autosaved(response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/autosave/")


def test_writer_confirms_personal_data_and_removes_a_credential(new_page, live_server, writer):  # noqa: F811
    page = new_page()
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server)
    page.wait_for_url(EDIT)
    page.click("#id_instruction")
    page.keyboard.type("Who should a new starter ask for access to the build servers?")
    page.click("#id_response")
    page.keyboard.type(f"Ask Jane on +44 20 7946 0958. Then run: export GITHUB_TOKEN={TOKEN}")

    panel = page.locator("#findings")
    expect(panel).to_contain_text("Phone number")
    expect(panel).to_contain_text("GitHub Token")
    expect(panel.locator("mark", has_text="+44 20 7946 0958")).to_be_visible()
    phone = panel.locator("input[name=confirm]")
    expect(phone).to_have_count(1)  # the token has no tick box: it can only go
    phone.check()

    # The next autosave re-renders the panel; the tick stays. "Saved" is already on the
    # page from the last save, so wait for this one's answer: a submit racing a pending
    # autosave made this test flaky under CI's load.
    page.locator("#id_response").press("Control+End")
    with page.expect_response(_autosaved):
        page.keyboard.type(" Thanks.")
    expect(page.locator("#savestate")).to_contain_text("Saved")
    expect(panel.locator("input[name=confirm]")).to_be_checked()

    page.click("button.primary")
    expect(page.locator("#errors-response")).to_contain_text("credentials are never accepted")
    # The refused form was swapped in whole; htmx wires its autosave only when the swap
    # settles (20 ms later, dropping its htmx-added class). Typed before that, the change
    # starts no save: the flake CI showed once.
    expect(page.locator("#pair-form")).not_to_have_class(re.compile(r"\bhtmx-added\b"))
    pair = Pair.objects.get(author=writer)
    assert pair.status == S.DRAFT

    text = page.input_value("#id_response").replace(TOKEN, "<your token>")
    with page.expect_response(_autosaved):
        page.fill("#id_response", text)
    expect(panel).not_to_contain_text("GitHub Token")
    expect(panel.locator("input[name=confirm]")).to_be_checked()
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/pairs/[0-9a-f-]{36}/$"))
    pair.refresh_from_db()
    assert pair.status == S.SUBMITTED
    finding = Finding.objects.get(revision=pair.current_revision)
    assert finding.kind == "phone" and finding.confirmed_by == writer
    assert not [m for m in console if "Content Security Policy" in m or "Refused" in m]
