"""The edit queue page, "Next edit", the edit page and its decision POST."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotation.roles import REVIEWER
from annotation.submission import pair_withdraw
from annotation.workflow import S
from review.models import EditProposal, Lease
from tests.factories import make_pair, make_user
from tests.review.conftest import decide, edited, lease_edit

BETTER = "Camels store fat in their humps, and that fat gives them energy for days."


@pytest.fixture
def proposal(bob, submitted) -> EditProposal:
    decide(
        submitted,
        bob,
        "approve_with_edit",
        comment="Fixed a fact.",
        edit=edited(submitted, response=BETTER),
    )
    return EditProposal.objects.get()


def hold(proposal, reviewer, *, expired=False):
    lease_edit(proposal, reviewer, expired=expired, minutes=10)


def page(proposal):
    return reverse("review:edit", args=[proposal.public_id])


def decide_url(proposal):
    return reverse("review:edit_decide", args=[proposal.public_id])


def test_edit_queue_counts_edits_for_this_reviewer(as_rita, as_bob, proposal):
    assert as_rita.get(reverse("review:edits")).context["waiting"] == 1
    assert as_bob.get(reverse("review:edits")).context["waiting"] == 0


def test_next_edit_opens_it_and_never_for_the_proposer(as_rita, as_bob, rita, proposal):
    response = as_bob.post(reverse("review:edit_next"))
    assert response.status_code == 200 and b"No edits to decide" in response.content
    response = as_rita.post(reverse("review:edit_next"))
    assert response.status_code == 302 and response.url == page(proposal)
    assert Lease.objects.get(proposal=proposal).holder == rita


def test_edit_page_shows_a_word_diff(as_rita, rita, proposal):
    hold(proposal, rita)
    response = as_rita.get(page(proposal))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<ins>" in html and "<del>" in html
    assert "Fixed a fact." in html


def test_the_proposer_gets_404(as_bob, bob, proposal):
    hold(proposal, bob)
    assert as_bob.get(page(proposal)).status_code == 404
    response = as_bob.post(decide_url(proposal), {"decision": "accept"})
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == EditProposal.Status.PENDING


def test_a_reviewer_without_the_lease_gets_404(as_rita, proposal):
    assert as_rita.get(page(proposal)).status_code == 404
    assert as_rita.post(decide_url(proposal), {"decision": "accept"}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == EditProposal.Status.PENDING


def test_an_expired_lease_says_so(as_rita, rita, proposal):
    hold(proposal, rita, expired=True)
    response = as_rita.get(page(proposal))
    assert b"Your hold on this edit ran out" in response.content
    response = as_rita.post(decide_url(proposal), {"decision": "decline", "comment": "Wrong."})
    assert response.status_code == 409 and b"Wrong." in response.content
    proposal.refresh_from_db()
    assert proposal.status == EditProposal.Status.PENDING


def test_accept_approves_the_pair_with_the_edited_text(as_rita, rita, submitted, proposal):
    hold(proposal, rita)
    response = as_rita.post(decide_url(proposal), {"decision": "accept", "comment": ""})
    assert response.status_code == 302 and response.url == reverse("review:edits")
    submitted.refresh_from_db()
    assert submitted.status == S.APPROVED
    assert submitted.approved_revision.response == BETTER


def test_accepting_twice_is_harmless(as_rita, rita, submitted, proposal):
    hold(proposal, rita)
    as_rita.post(decide_url(proposal), {"decision": "accept"})
    response = as_rita.post(decide_url(proposal), {"decision": "accept"})
    assert response.status_code == 302
    assert submitted.revisions.count() == 2


def test_decline_needs_a_comment(as_rita, rita, proposal):
    hold(proposal, rita)
    response = as_rita.post(decide_url(proposal), {"decision": "decline", "comment": ""})
    assert response.status_code == 422
    assert b"Say why you decline this edit." in response.content
    response = as_rita.post(decide_url(proposal), {"decision": "decline", "comment": "No."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == EditProposal.Status.DECLINED


def test_a_stale_edit_is_not_applied_and_says_why(as_rita, rita, alice, submitted, proposal):
    hold(proposal, rita)
    pair_withdraw(pair=submitted, by=alice)
    response = as_rita.post(decide_url(proposal), {"decision": "accept"}, follow=True)
    assert b"changed since this edit was proposed" in response.content
    proposal.refresh_from_db()
    assert proposal.status == EditProposal.Status.STALE
    assert submitted.revisions.count() == 1


def test_a_stale_edit_gives_the_comment_back(as_rita, rita, alice, submitted, proposal):
    hold(proposal, rita)
    pair_withdraw(pair=submitted, by=alice)
    response = as_rita.post(decide_url(proposal), {"decision": "accept", "comment": "Nice fix."})
    assert response.status_code == 409
    assert b"changed since this edit was proposed" in response.content
    assert b"Nice fix." in response.content


def test_a_lease_taken_by_another_reviewer_gives_the_comment_back(as_rita, rita, bob, proposal):
    hold(proposal, bob)
    response = as_rita.post(decide_url(proposal), {"decision": "decline", "comment": "Wrong."})
    assert response.status_code == 404 and b"Wrong." in response.content
    proposal.refresh_from_db()
    assert proposal.status == EditProposal.Status.PENDING


def test_heartbeat_and_release(as_rita, rita, proposal):
    hold(proposal, rita)
    response = as_rita.post(
        reverse("review:edit_heartbeat", args=[proposal.public_id]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and b"Held for you until" in response.content
    response = as_rita.post(reverse("review:edit_release", args=[proposal.public_id]))
    assert response.status_code == 302
    assert not Lease.objects.filter(proposal=proposal).exists()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_edit_pages_cost_the_same_queries_for_one_edit_or_many(
    as_rita, alice, bob, rita, open_qa, proposal
):
    hold(proposal, rita)
    # One near-duplicate of the edited instruction already (the page loads its hits in one
    # query, whether there is one or many).
    make_pair(author=alice, category=open_qa)
    few_queue, few_page = (
        _queries(as_rita, reverse("review:edits")),
        _queries(as_rita, page(proposal)),
    )
    for n in range(8):
        pair = make_pair(author=alice, category=open_qa)
        decide(pair, bob, "approve_with_edit", edit=edited(pair, response=f"Better answer {n}."))
    assert EditProposal.objects.count() == 9
    assert _queries(as_rita, reverse("review:edits")) == few_queue <= 10
    # The page's cap counts the near-duplicates (on PostgreSQL a SET LOCAL in its own
    # transaction) and the edited text's findings.
    assert _queries(as_rita, page(proposal)) == few_page <= 12


def test_edit_page_shows_the_pairs_status_and_reviews(as_rita, rita, ada, submitted, proposal):
    # A rejection accepting the edit would outvote must be in front of the deciding reviewer.
    decide(submitted, ada, "reject", reason="factually_wrong", comment="Humps hold fat, not water.")
    hold(proposal, rita)
    html = as_rita.get(page(proposal)).content.decode()
    assert "The pair so far" in html and "In review" in html
    assert "bob</strong>:" in html
    assert "ada</strong>: reject" in html and "Humps hold fat, not water." in html
    assert "ada rejected this revision" in html


def test_edit_page_states_the_rule_a_split_vote_raised(as_rita, rita, ada, submitted, proposal):
    # bob's edit is no approval of the text; ada approves and vic rejects: a split.
    vic = make_user("vic", REVIEWER)
    decide(submitted, ada, "approve")
    decide(submitted, vic, "reject", reason="factually_wrong", comment="Humps hold fat.")
    hold(proposal, rita)
    html = as_rita.get(page(proposal)).content.decode()
    assert "3 reviews this round; 3 approvals or 3 rejections decide" in html
    assert "(raised from 2 by a split vote)" in html
    # The warning is its own paragraph after the list, not an item-less child of <ul>.
    start = html.index('<ul class="reviews">')
    listed = html[start : html.index("</ul>", start)]
    assert "rejected this revision" not in listed and "vic rejected this revision" in html


def test_edit_page_shows_the_edited_texts_flags(as_rita, rita, bob, alice, open_qa):
    # The edit puts a customer's address in: the accepting reviewer must see it.
    pair = make_pair(author=alice, category=open_qa)
    decide(
        pair,
        bob,
        "approve_with_edit",
        edit=edited(pair, response="Write to jane.doe@gmail.com and she will send it."),
    )
    proposal = EditProposal.objects.get(pair=pair)
    hold(proposal, rita)
    html = as_rita.get(page(proposal)).content.decode()
    assert "Personal data and credentials in the edited text" in html
    assert "E-mail address" in html and "<mark>jane.doe@gmail.com</mark>" in html
    assert 'id="near-duplicates"' in html


def test_an_edit_whose_text_no_longer_passes_the_checks_says_why(as_rita, rita, proposal, settings):
    hold(proposal, rita)
    # The limits changed since the edit was proposed: its response is now too long.
    settings.HANDWRITTEN_LIMITS = {**settings.HANDWRITTEN_LIMITS, "response": (1, 20)}
    response = as_rita.post(decide_url(proposal), {"decision": "accept", "comment": "Good."})
    assert response.status_code == 422
    assert b"Too long: at most 20 characters" in response.content
    assert b"Good." in response.content
    proposal.refresh_from_db()
    assert proposal.status == EditProposal.Status.PENDING


def test_an_edit_given_back_comes_last_for_that_reviewer(as_rita, alice, bob, open_qa):
    older, newer = (make_pair(author=alice, category=open_qa) for _ in range(2))
    for pair in (older, newer):
        decide(pair, bob, "approve_with_edit", comment="Fixed.", edit=edited(pair, response=BETTER))
    first, second = EditProposal.objects.order_by("created_at")
    assert as_rita.post(reverse("review:edit_next")).url == page(first)
    as_rita.post(reverse("review:edit_release", args=[first.public_id]))
    assert as_rita.post(reverse("review:edit_next")).url == page(second)
    as_rita.post(reverse("review:edit_release", args=[second.public_id]))
    assert as_rita.post(reverse("review:edit_next")).url == page(first)


def test_the_edit_page_shows_the_proposers_comment_once(as_rita, rita, proposal):
    hold(proposal, rita)
    html = as_rita.get(page(proposal)).content.decode()
    assert html.count("Fixed a fact.") == 1
    assert "Proposed the edit under decision" in html
