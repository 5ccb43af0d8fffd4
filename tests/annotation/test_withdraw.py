import pytest
from django.urls import reverse

from annotation.models import AuditEvent
from annotation.workflow import S
from tests.factories import make_pair


def _url(pair) -> str:
    return reverse("annotation:withdraw", args=[pair.public_id])


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED])
def test_author_withdraws(as_alice, alice, ada, open_qa, status):
    pair = make_pair(author=alice, category=open_qa, status=status, by=ada)
    response = as_alice.post(_url(pair), follow=True)
    assert response.redirect_chain[-1][0] == reverse("annotation:my_pairs")
    assert b"Pair withdrawn" in response.content
    pair.refresh_from_db()
    assert pair.status == S.WITHDRAWN
    assert AuditEvent.objects.filter(verb="pair.withdraw", object_id=str(pair.public_id)).exists()


def test_approved_pair_is_refused_and_unchanged(as_alice, alice, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED)
    response = as_alice.post(_url(pair), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(
        "annotation:pair_detail", args=[pair.public_id]
    )
    assert b"was not withdrawn" in response.content
    pair.refresh_from_db()
    assert pair.status == S.APPROVED
    assert not AuditEvent.objects.filter(verb="pair.withdraw").exists()


def test_already_withdrawn_pair_is_refused(as_alice, alice, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    as_alice.post(_url(pair))
    response = as_alice.post(_url(pair), follow=True)
    assert b"was not withdrawn" in response.content
    assert AuditEvent.objects.filter(verb="pair.withdraw").count() == 1


@pytest.mark.parametrize("other", ["as_dan", "as_bob", "as_ada"])
def test_someone_else_gets_404_and_nothing_changes(request, alice, open_qa, other):
    pair = make_pair(author=alice, category=open_qa)
    response = request.getfixturevalue(other).post(_url(pair))
    assert response.status_code == 404
    pair.refresh_from_db()
    assert pair.status == S.SUBMITTED


def test_get_does_not_withdraw(as_alice, alice, open_qa):
    pair = make_pair(author=alice, category=open_qa)
    assert as_alice.get(_url(pair)).status_code == 405
    pair.refresh_from_db()
    assert pair.status == S.SUBMITTED
