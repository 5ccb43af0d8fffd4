"""The confirm view: the reviewer holding the pair (not its author) confirms a finding of the
revision under review fictional or public; everyone else is told nothing. Admins confirm
any finding in Django's admin (tests/annotation/test_admin_findings.py)."""

import json

import pytest
from django.urls import reverse

from annotation.importing import pairs_import
from annotation.models import AuditEvent, Finding
from annotation.pairs import shipped_pairs
from annotation.workflow import S
from tests.annotation.writing_helpers import HTMX
from tests.factories import make_pair, resubmit
from tests.review.conftest import lease

TEXT = "Call the theatre on +44 20 7946 0958 for tickets."


@pytest.fixture
def finding(dolly, tmp_path, request) -> Finding:
    """A finding on an imported pair (unconfirmed); submitted unless the test says approved."""
    status = getattr(request, "param", S.SUBMITTED)
    path = tmp_path / "one.jsonl"
    record = {
        "instruction": "How do I book seats at the theatre?",
        "context": "",
        "response": TEXT,
        "category": "open_qa",
    }
    path.write_text(json.dumps(record) + "\n")
    pairs_import(path=path, dataset=dolly, status=status)
    return Finding.objects.select_related("revision__pair").get()


@pytest.fixture
def held(finding, bob) -> Finding:
    """The finding, its pair held by bob."""
    lease(finding.revision.pair, bob)
    return finding


def url(finding: Finding) -> str:
    return reverse("review:confirm_finding", args=[finding.revision.pair.public_id, finding.pk])


def test_the_reviewer_holding_the_pair_confirms_and_it_is_recorded(as_bob, bob, held):
    response = as_bob.post(url(held))
    assert response.status_code == 302
    assert response.url == reverse("review:pair", args=[held.revision.pair.public_id])
    held.refresh_from_db()
    assert held.confirmed_by == bob and held.confirmed_at is not None
    event = AuditEvent.objects.get(verb="finding.confirm")
    assert event.data["kind"] == "phone" and "7946" not in json.dumps(event.data)


def test_htmx_gets_the_findings_back_with_the_confirmation(as_bob, held):
    response = as_bob.post(url(held), **HTMX)
    html = response.content.decode()
    assert 'id="review-findings"' in html
    assert "Confirmed fictional or public by you" in html
    assert "<mark>+44 20 7946 0958</mark>" in html


def test_a_reviewer_who_does_not_hold_the_pair_is_told_nothing_of_it(as_bob, rita, finding):
    # Finding ids count up: without the lease, a reviewer could walk them and read the text
    # around every finding of every pair under review.
    for holder in (None, rita):
        if holder is not None:
            lease(finding.revision.pair, holder)
        page = as_bob.post(url(finding))
        assert page.status_code == 404 and "7946" not in page.content.decode()
        assert "You do not hold this pair" in page.content.decode()
        # htmx swaps no 404 into the page: the reviewer is sent to the queue, told why.
        response = as_bob.post(url(finding), **HTMX)
        assert response.headers["HX-Redirect"] == reverse("review:queue")
        assert "7946" not in response.content.decode()
    finding.refresh_from_db()
    assert finding.confirmed_at is None
    queue = as_bob.get(reverse("review:queue")).content.decode()
    assert "You no longer hold that pair; nothing was confirmed." in queue


def test_an_expired_lease_confirms_nothing_and_says_so(as_bob, bob, finding):
    pair = finding.revision.pair
    lease(pair, bob, expired=True)
    response = as_bob.post(url(finding), **HTMX)
    assert response.headers["HX-Redirect"] == reverse("review:pair", args=[pair.public_id])
    page = as_bob.post(url(finding))
    assert page.status_code == 409
    assert "expired" in page.content.decode().lower() and "7946" not in page.content.decode()
    finding.refresh_from_db()
    assert finding.confirmed_at is None


def test_a_finding_of_another_pair_under_its_url_is_not_found(as_bob, bob, held, dan, open_qa):
    other = make_pair(author=dan, category=open_qa, status=S.SUBMITTED)
    lease(other, bob)
    wrong = reverse("review:confirm_finding", args=[other.public_id, held.pk])
    assert as_bob.post(wrong).status_code == 404
    held.refresh_from_db()
    assert held.confirmed_at is None


def test_contributors_outsiders_and_anonymous_cannot_confirm(client, as_alice, as_carol, held):
    assert as_alice.post(url(held)).status_code == 403
    assert as_carol.post(url(held)).status_code == 403
    assert client.post(url(held)).status_code == 302  # to sign in
    held.refresh_from_db()
    assert held.confirmed_at is None


@pytest.mark.parametrize("finding", [S.APPROVED], indirect=True)
def test_an_approved_pairs_finding_is_not_confirmed_here(dolly, as_bob, bob, finding):
    pair = finding.revision.pair
    lease(pair, bob)
    assert as_bob.post(url(finding)).status_code == 404  # not under review
    finding.refresh_from_db()
    assert finding.confirmed_at is None
    assert pair not in shipped_pairs(dataset=dolly)


@pytest.mark.parametrize("finding", [S.APPROVED], indirect=True)
def test_a_reviewer_cannot_confirm_the_approved_text_of_a_pair_being_improved(
    dolly, as_bob, bob, finding
):
    pair = finding.revision.pair
    improved = resubmit(pair, response="Ask at the theatre's box office for tickets.")
    assert improved.status == S.SUBMITTED and improved.approved_revision == finding.revision
    lease(improved, bob)
    # Under review again, but the finding is on the text that ships, not the one reviewed.
    assert as_bob.post(url(finding)).status_code == 404
    finding.refresh_from_db()
    assert finding.confirmed_at is None
    assert pair not in shipped_pairs(dataset=dolly)


def test_confirming_twice_keeps_the_first_confirmation(as_bob, as_rita, bob, rita, held):
    as_bob.post(url(held))
    lease(held.revision.pair, rita)
    as_rita.post(url(held))
    held.refresh_from_db()
    assert held.confirmed_by == bob
    assert AuditEvent.objects.filter(verb="finding.confirm").count() == 1


def test_confirm_is_post_only(as_bob, held):
    assert as_bob.get(url(held)).status_code == 405
