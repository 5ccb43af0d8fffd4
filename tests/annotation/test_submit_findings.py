"""Personal data and credentials at submit and on autosave's answer (the write page)."""

import re

import pytest
from django.urls import reverse

from annotation.models import Finding
from annotation.workflow import S
from tests.annotation.writing_helpers import HTMX, accept_licence, editor_data
from tests.factories import make_pair

PHONE = "+44 20 7946 0958"
CARD = "4111 1111 1111 1111"
TOKEN = "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"
WITH_PHONE = f"The box office of the play answers on {PHONE} every evening."


@pytest.fixture
def pair(alice, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    return make_pair(author=alice, category=open_qa, status=S.DRAFT)


def submit(client, pair, **data):
    return client.post(
        reverse("annotation:submit", args=[pair.public_id]), editor_data(pair, **data)
    )


def autosave(client, pair, **data):
    url = reverse("annotation:autosave", args=[pair.public_id])
    return client.post(url, editor_data(pair, **data), **HTMX)


def tokens(html: str) -> list[str]:
    return re.findall(r'name="confirm" value="([0-9a-f]{24})"', html)


def test_unconfirmed_personal_data_is_refused_and_shown(as_alice, pair):
    response = submit(as_alice, pair, response=WITH_PHONE)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Phone number at line 1, column 39" in html
    assert f"<mark>{PHONE}</mark>" in html
    assert len(tokens(html)) == 1
    pair.refresh_from_db()
    assert pair.status == S.DRAFT and pair.current_revision is None


def test_confirmed_personal_data_is_submitted_and_recorded(as_alice, alice, pair):
    token = tokens(submit(as_alice, pair, response=WITH_PHONE).content.decode())[0]
    response = submit(as_alice, pair, response=WITH_PHONE, confirm=[token])
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == S.SUBMITTED
    finding = Finding.objects.get(revision=pair.current_revision)
    assert (finding.field, finding.kind, finding.category) == ("response", "phone", "personal")
    assert WITH_PHONE[finding.start : finding.end] == PHONE
    assert finding.confirmed_by == alice and finding.confirmed_at is not None


def test_each_finding_needs_its_own_confirmation(as_alice, pair):
    text = f"Call {PHONE} or pay with {CARD} at the desk."
    first = submit(as_alice, pair, response=text)
    phone_token, card_token = tokens(first.content.decode())
    response = submit(as_alice, pair, response=text, confirm=[phone_token])
    assert response.status_code == 422
    assert "Payment card number at line 1" in response.content.decode()
    pair.refresh_from_db()
    assert pair.status == S.DRAFT


def test_a_confirmation_does_not_carry_over_to_another_value(as_alice, pair):
    token = tokens(submit(as_alice, pair, response=WITH_PHONE).content.decode())[0]
    other = WITH_PHONE.replace(PHONE, "+44 20 7946 0000")
    response = submit(as_alice, pair, response=other, confirm=[token])
    assert response.status_code == 422
    pair.refresh_from_db()
    assert pair.status == S.DRAFT


def test_a_credential_is_refused_even_when_ticked(as_alice, pair):
    text = f"Set the variable:\nexport GITHUB_TOKEN={TOKEN}"
    response = submit(as_alice, pair, response=text, confirm=["0" * 24])
    assert response.status_code == 422
    html = response.content.decode()
    assert "GitHub Token at line 2, column 21: credentials are never accepted" in html
    assert tokens(html) == []  # nothing to tick: it can only be removed
    pair.refresh_from_db()
    assert pair.status == S.DRAFT
    assert not Finding.objects.exists()


def test_autosave_answers_with_the_findings_panel(as_alice, pair):
    response = autosave(as_alice, pair, response=WITH_PHONE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="findings"' in html and 'hx-swap-oob="true"' in html
    assert "Phone number" in html and f"<mark>{PHONE}</mark>" in html
    token = tokens(html)[0]
    # A tick sent with the next autosave stays ticked in its answer.
    again = autosave(as_alice, pair, response=WITH_PHONE + " Really.", confirm=[token])
    assert f'value="{token}" id="confirm-{token}" hx-preserve checked' in again.content.decode()


def test_autosave_of_clean_text_empties_the_panel(as_alice, pair):
    html = autosave(as_alice, pair, response="Nothing personal in here at all.").content.decode()
    assert '<section id="findings" class="findings" aria-live="polite" hx-swap-oob="true">' in html
    assert "<mark>" not in html


def test_edit_page_lists_findings_of_the_saved_draft(as_alice, pair):
    autosave(as_alice, pair, response=WITH_PHONE)
    html = as_alice.get(reverse("annotation:edit_pair", args=[pair.public_id])).content.decode()
    assert "Personal data and credentials" in html and f"<mark>{PHONE}</mark>" in html


def test_the_same_value_twice_is_confirmed_by_one_tick(as_alice, pair):
    text = f"Call {PHONE} today; if busy, {PHONE} again tomorrow."
    html = submit(as_alice, pair, response=text).content.decode()
    assert len(tokens(html)) == 1  # one tick box; ids stay unique
    assert "The same as above" in html
    response = submit(as_alice, pair, response=text, confirm=tokens(html))
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.current_revision.findings.filter(confirmed_at__isnull=False).count() == 2
