"""The Django admin's Reopen and Retract actions on pairs go through the workflow and
report each refusal (issue 12.6: Reopen used to accept a draft or an approved pair)."""

import pytest
from django.urls import reverse

from annotation.models import AuditEvent
from annotation.setup import roles_setup
from annotation.workflow import S
from tests.factories import make_pair

URL = "admin:annotation_pair_changelist"


@pytest.fixture(autouse=True)
def _admin_permissions(db) -> None:
    roles_setup()  # ada as seeded: the admin group's permissions in Django's admin


def test_reopen_action_reopens_rejected_pairs_and_refuses_the_rest(as_ada, alice, ada, open_qa):
    rejected = make_pair(author=alice, category=open_qa, status=S.REJECTED, by=ada)
    draft = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    approved = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    response = as_ada.post(
        reverse(URL),
        {"action": "reopen_pairs", "_selected_action": [rejected.pk, draft.pk, approved.pk]},
        follow=True,
    )
    html = response.content.decode()
    for pair in (rejected, draft, approved):
        pair.refresh_from_db()
    assert rejected.status == S.SUBMITTED and rejected.review_round == 1
    assert draft.status == S.DRAFT and approved.status == S.APPROVED
    assert "Reopened: 1 pair." in html
    assert "A draft pair cannot be reopened: only a rejected pair is reopened" in html
    assert "An approved pair cannot be reopened" in html
    assert AuditEvent.objects.filter(verb="pair.reopen").count() == 1


def test_retract_action_asks_for_a_reason_then_refuses_pairs_never_approved(
    as_ada, alice, ada, open_qa
):
    approved = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    submitted = make_pair(author=alice, category=open_qa)
    selected = {"action": "retract_pairs", "_selected_action": [approved.pk, submitted.pk]}
    asked = as_ada.post(reverse(URL), selected)
    assert asked.status_code == 200 and b'name="reason"' in asked.content
    approved.refresh_from_db()
    assert approved.status == S.APPROVED
    response = as_ada.post(
        reverse(URL), {**selected, "apply": "1", "reason": "Copied from a website."}, follow=True
    )
    approved.refresh_from_db()
    submitted.refresh_from_db()
    assert approved.status == S.RETRACTED and submitted.status == S.SUBMITTED
    assert b"it was never approved" in response.content
    assert AuditEvent.objects.get(verb="pair.retract").data["reason"] == "Copied from a website."
