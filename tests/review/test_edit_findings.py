"""Findings on an edit: a reviewer's edit with a credential is refused; personal data in an
accepted edit is kept unconfirmed, so the pair does not ship until someone confirms it."""

import pytest
from django.core.exceptions import ValidationError

from annotation.models import Finding
from annotation.pairs import shipped_pairs
from annotation.workflow import S
from review.edits import edit_accept, edit_claim_next
from review.models import EditProposal
from tests.review.conftest import decide, edited

WITH_EMAIL = "Write to the organiser, jane.doe@gmail.com, who answers within a day."


def test_an_edit_with_a_credential_is_refused(bob, submitted):
    edit = edited(submitted, response="Authenticate with AKIAIOSFODNN7EXAMPLE as the key.")
    with pytest.raises(ValidationError) as refused:
        decide(submitted, bob, "approve_with_edit", edit=edit)
    message = " ".join(refused.value.message_dict["response"])
    assert "AWS Access Key at line 1, column 19" in message
    assert "AKIAIOSFODNN7EXAMPLE" not in message
    assert not EditProposal.objects.exists()


def test_personal_data_in_an_accepted_edit_is_kept_unconfirmed(dolly, bob, rita, submitted):
    decide(submitted, bob, "approve_with_edit", edit=edited(submitted, response=WITH_EMAIL))
    proposal = EditProposal.objects.get()
    edit_claim_next(reviewer=rita)
    edit_accept(proposal=proposal, by=rita)
    submitted.refresh_from_db()
    assert submitted.status == S.APPROVED
    finding = Finding.objects.get(revision=submitted.approved_revision)
    assert WITH_EMAIL[finding.start : finding.end] == "jane.doe@gmail.com"
    assert finding.confirmed_at is None
    assert submitted not in shipped_pairs(dataset=dolly)
