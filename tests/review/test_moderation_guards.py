"""State guards (issue 12.6): an admin's reopen and retract go through the workflow's
actions, which check the source status and say why they refuse."""

import pytest
from django.urls import reverse

from annotation.models import AuditEvent
from annotation.workflow import IllegalTransition, S
from review.moderation import moderation_reopen, moderation_retract
from tests.factories import make_pair


@pytest.mark.parametrize(
    "status,why",
    [
        (S.DRAFT, "A draft pair cannot be reopened: only a rejected pair is reopened"),
        (S.APPROVED, "An approved pair cannot be reopened: only a rejected pair"),
        (S.CHANGES_REQUESTED, "changes requested pair cannot be reopened: only a rejected"),
        (S.SUBMITTED, "it already is in review"),
        (S.WITHDRAWN, "withdrawn pair cannot be reopened: only a rejected pair"),
    ],
)
def test_reopen_refuses_every_pair_but_a_rejected_one(status, why, alice, ada, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=status, by=ada)
    with pytest.raises(IllegalTransition, match=why):
        moderation_reopen(pair=pair, by=ada)
    before_round = pair.review_round
    pair.refresh_from_db()
    assert pair.status == status and pair.review_round == before_round
    assert not AuditEvent.objects.filter(verb="pair.reopen").exists()


def test_reopening_a_retracted_pair_is_refused(alice, ada, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    moderation_retract(pair=pair, by=ada, reason="Spam.")
    with pytest.raises(IllegalTransition, match="retracted pair cannot be reopened"):
        moderation_reopen(pair=pair, by=ada)
    pair.refresh_from_db()
    assert pair.status == S.RETRACTED


@pytest.mark.parametrize(
    "status,why",
    [
        (S.SUBMITTED, "A pair in review cannot be retracted: it was never approved"),
        (S.REJECTED, "rejected pair cannot be retracted: only a pair with an approved revision"),
        (S.DRAFT, "draft pair cannot be retracted: only a pair with an approved revision"),
    ],
)
def test_retract_refuses_a_pair_never_approved(status, why, alice, ada, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=status, by=ada)
    with pytest.raises(IllegalTransition, match=why):
        moderation_retract(pair=pair, by=ada, reason="Spam.")
    pair.refresh_from_db()
    assert pair.status == status


def test_retracting_twice_says_it_already_is(alice, ada, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    moderation_retract(pair=pair, by=ada, reason="Spam.")
    with pytest.raises(IllegalTransition, match="it already is retracted"):
        moderation_retract(pair=pair, by=ada, reason="Again.")
    assert AuditEvent.objects.filter(verb="pair.retract").count() == 1


@pytest.mark.parametrize("status", [S.DRAFT, S.APPROVED])
def test_reopen_over_http_shows_the_refusal_and_keeps_the_pair(status, as_ada, alice, ada, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=status, by=ada)
    url = reverse("review:moderate_reopen", args=[pair.public_id])
    response = as_ada.post(url, {"reason": ""}, follow=True)
    assert b"cannot be reopened: only a rejected pair is reopened for review." in response.content
    pair.refresh_from_db()
    assert pair.status == status and pair.review_round == 0


def test_the_pair_page_offers_reopen_only_for_a_rejected_pair(as_ada, alice, ada, open_qa):
    approved = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    rejected = make_pair(author=alice, category=open_qa, status=S.REJECTED, by=ada)
    page = as_ada.get(reverse("review:moderate_pair", args=[approved.public_id]))
    assert page.context["can_reopen"] is False and page.context["can_retract"] is True
    page = as_ada.get(reverse("review:moderate_pair", args=[rejected.public_id]))
    assert page.context["can_reopen"] is True and page.context["can_retract"] is False
