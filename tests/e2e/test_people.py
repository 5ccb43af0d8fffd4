"""People pages in a real browser: no CSP violation on the invitation page, and an invitee
who sets a password is asked to verify the address before the account acts."""

import re

import pytest
from playwright.sync_api import expect

from annotation.roles import ADMIN
from tests.e2e.signing_in import sign_in
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def csp_errors(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return errors


def test_inviting_after_resizing_the_box_breaks_no_csp_rule_and_the_invitee_must_verify(
    new_page, live_server
):
    make_user("ada", ADMIN, is_staff=True)
    page = new_page()
    errors = csp_errors(page)
    sign_in(page, live_server, "ada", "/people/invite/")
    page.wait_for_url(re.compile(r"/people/invite/$"))
    # Dragging a textarea's corner gives it an inline style; htmx used to copy such
    # attributes onto the swapped-in form, which the CSP refuses.
    page.locator("#id_emails").evaluate("box => { box.style.height = '12rem'; }")
    page.fill("#id_emails", "new.person@example.com")
    page.click("button.primary")
    expect(page.locator("#invite-link-1")).to_be_visible()
    link = page.input_value("#invite-link-1")
    assert errors == []

    invitee = new_page()
    invitee_errors = csp_errors(invitee)
    invitee.goto(link)
    invitee.fill("#id_new_password1", "a-long-unusual-passphrase")
    invitee.fill("#id_new_password2", "a-long-unusual-passphrase")
    invitee.click("button[type=submit]")
    invitee.wait_for_url(re.compile(r"/confirm-email/$"))
    expect(invitee.locator("h1")).to_have_text("Check your email")
    assert invitee_errors == []
