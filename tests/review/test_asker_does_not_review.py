"""Whoever asked the open prompt a pair answers wrote its instruction: like its author, they
never review the pair, decide an edit of it or confirm its findings."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from annotation.drafts import DraftText, draft_save
from annotation.flags import may_confirm
from annotation.licence import licence_accept
from annotation.pairs import review_backlog
from annotation.prompts import prompt_ask, prompt_take
from annotation.roles import CONTRIBUTOR, REVIEWER
from annotation.submission import pair_submit
from review.decisions import review_decide
from review.edits import edit_accept, edit_decline, edits_reviewable
from review.models import EditProposal, Lease, Review
from review.queue import reviewable
from tests.factories import make_user
from tests.review.conftest import decide, edited, lease, lease_edit

QUESTION = "Why do cats purr when they are content and relaxed?"


@pytest.fixture
def pat(dolly):
    """A contributor who also reviews."""
    user = make_user("pat", CONTRIBUTOR, REVIEWER)
    licence_accept(user=user, dataset=dolly)
    return user


@pytest.fixture
def answered(dolly, open_qa, alice, pat):
    """alice's answer to pat's question, submitted."""
    open_qa.allows_open_prompts = True
    open_qa.save()
    licence_accept(user=alice, dataset=dolly)
    prompt = prompt_ask(by=pat, category=open_qa, instruction=QUESTION)
    pair = prompt_take(prompt=prompt, by=alice)
    text = DraftText(instruction=QUESTION, response="A low hum they make when calm and safe.")
    draft_save(pair=pair, by=alice, text=text, base_version=pair.draft.version, typed_chars=90)
    pair_submit(pair=pair, by=alice)
    pair.refresh_from_db()
    return pair


def test_the_queue_does_not_offer_the_asker_the_answer(client, pat, bob, answered):
    assert answered in reviewable(bob)
    assert answered not in reviewable(pat)
    client.force_login(pat)
    response = client.post(reverse("review:next"), follow=True)
    assert QUESTION not in response.content.decode()
    assert not Lease.objects.filter(holder=pat).exists()


def test_the_asker_can_neither_open_nor_decide_it(client, pat, answered):
    lease(answered, pat)
    client.force_login(pat)
    assert client.get(reverse("review:pair", args=[answered.public_id])).status_code == 404
    decision = {"decision": "approve", "revision": 1}
    response = client.post(reverse("review:decide", args=[answered.public_id]), decision)
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        review_decide(pair=answered, reviewer=pat, revision_number=1, decision="approve")
    assert not Review.objects.filter(reviewer=pat).exists()
    assert not may_confirm(revision=answered.current_revision, user=pat)


def test_the_asker_does_not_decide_an_edit_of_it(client, pat, bob, answered):
    decide(answered, bob, "approve_with_edit", edit=edited(answered, response="A purr, calm."))
    proposal = EditProposal.objects.get()
    assert proposal not in edits_reviewable(pat)
    lease_edit(proposal, pat)
    client.force_login(pat)
    assert client.get(reverse("review:edit", args=[proposal.public_id])).status_code == 404
    decide_url = reverse("review:edit_decide", args=[proposal.public_id])
    for decision in ("accept", "decline"):
        response = client.post(decide_url, {"decision": decision, "comment": "Mine to judge."})
        assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        edit_accept(proposal=proposal, by=pat)
    with pytest.raises(PermissionDenied):
        edit_decline(proposal=proposal, by=pat, comment="Mine to judge.")
    proposal.refresh_from_db()
    assert proposal.status == EditProposal.Status.PENDING


def test_the_askers_home_does_not_count_the_answer_as_waiting_for_them(pat, bob, answered):
    assert review_backlog(reviewer=bob) == 1
    assert review_backlog(reviewer=pat) == 0


def test_pairs_without_a_prompt_stay_in_everyone_elses_queue(pat, submitted):
    assert submitted.prompt_id is None
    assert submitted in reviewable(pat)
