"""The confirm view: a reviewer (pair under review, not their own) or an admin confirms a
finding fictional or public; everyone else is told nothing."""

import json

import pytest
from django.urls import reverse

from annotation.importing import pairs_import
from annotation.models import AuditEvent, Finding
from annotation.pairs import shipped_pairs
from annotation.workflow import S
from tests.annotation.writing_helpers import HTMX
from tests.factories import resubmit

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
    return Finding.objects.get()


def url(finding: Finding) -> str:
    return reverse("annotation:confirm_finding", args=[finding.pk])


def test_a_reviewer_confirms_and_it_is_recorded(as_bob, bob, finding):
    response = as_bob.post(url(finding), {"next": "/review/"})
    assert response.status_code == 302 and response.url == "/review/"
    finding.refresh_from_db()
    assert finding.confirmed_by == bob and finding.confirmed_at is not None
    event = AuditEvent.objects.get(verb="finding.confirm")
    assert event.data["kind"] == "phone" and "7946" not in json.dumps(event.data)


def test_htmx_gets_the_findings_back_with_the_confirmation(as_bob, finding):
    response = as_bob.post(url(finding), {"next": "/review/x/"}, **HTMX)
    html = response.content.decode()
    assert 'id="review-findings"' in html
    assert "Confirmed fictional or public by bob" in html
    assert "<mark>+44 20 7946 0958</mark>" in html


def test_a_foreign_next_is_not_followed(as_bob, finding):
    response = as_bob.post(url(finding), {"next": "https://evil.example.org/"})
    assert response.url == reverse("annotation:home")


@pytest.mark.parametrize("written", ["foo", "annotation:home", "//evil.example.org/"])
def test_a_next_that_is_no_path_on_this_site_goes_home(as_bob, finding, written):
    response = as_bob.post(url(finding), {"next": written})
    assert response.status_code == 302 and response.url == reverse("annotation:home")


def test_contributors_outsiders_and_anonymous_cannot_confirm(client, as_alice, as_carol, finding):
    assert as_alice.post(url(finding)).status_code == 404
    assert as_carol.post(url(finding)).status_code == 404
    assert client.post(url(finding)).status_code == 302  # to sign in
    finding.refresh_from_db()
    assert finding.confirmed_at is None


@pytest.mark.parametrize("finding", [S.APPROVED], indirect=True)
def test_only_an_admin_confirms_an_approved_pairs_finding_and_it_then_ships(
    dolly, as_bob, as_ada, ada, finding
):
    pair = finding.revision.pair
    assert pair not in shipped_pairs(dataset=dolly)
    assert as_bob.post(url(finding)).status_code == 404  # no longer under review
    assert as_ada.post(url(finding)).status_code == 302
    finding.refresh_from_db()
    assert finding.confirmed_by == ada
    assert pair in shipped_pairs(dataset=dolly)


@pytest.mark.parametrize("finding", [S.APPROVED], indirect=True)
def test_a_reviewer_cannot_confirm_the_approved_text_of_a_pair_being_improved(
    dolly, as_bob, finding
):
    pair = finding.revision.pair
    improved = resubmit(pair, response="Ask at the theatre's box office for tickets.")
    assert improved.status == S.SUBMITTED and improved.approved_revision == finding.revision
    # Under review again, but the finding is on the text that ships, not the one reviewed.
    assert as_bob.post(url(finding)).status_code == 404
    finding.refresh_from_db()
    assert finding.confirmed_at is None
    assert pair not in shipped_pairs(dataset=dolly)


def test_confirming_twice_keeps_the_first_confirmation(as_bob, as_rita, bob, finding):
    as_bob.post(url(finding))
    as_rita.post(url(finding))
    finding.refresh_from_db()
    assert finding.confirmed_by == bob
    assert AuditEvent.objects.filter(verb="finding.confirm").count() == 1


def test_confirm_is_post_only(as_bob, finding):
    assert as_bob.get(url(finding)).status_code == 405
