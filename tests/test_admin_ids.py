"""Ids that cannot be a row's, sent to Django's admin by hand: a clear 400 or 404 that
changes nothing, not a 500 (Django filtered an action's rows by them as they were, and
SQLite overflows on a 64-bit id)."""

import pytest
from django.urls import reverse

from annotation.setup import roles_setup
from annotation.workflow import S
from tests.factories import make_pair

NOT_IDS = ["abc", "1.5", "\u00e9", "99999999999999999999", "-99999999999999999999"]


@pytest.fixture(autouse=True)
def _admin_permissions(db) -> None:
    roles_setup()  # ada as seeded: the admin group's permissions in Django's admin


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize(
    ("changelist", "action"),
    [
        ("admin:annotation_pair_changelist", "reopen_pairs"),
        ("admin:auth_user_changelist", "take_admin"),
        ("admin:review_lease_changelist", "delete_selected"),
    ],
)
def test_an_action_on_rows_that_cannot_exist_is_400(as_ada, value, changelist, action):
    response = as_ada.post(reverse(changelist), {"action": action, "_selected_action": [value]})
    assert response.status_code == 400


def test_a_bad_id_beside_a_good_one_changes_nothing(as_ada, alice, ada, open_qa):
    rejected = make_pair(author=alice, category=open_qa, status=S.REJECTED, by=ada)
    response = as_ada.post(
        reverse("admin:annotation_pair_changelist"),
        {"action": "reopen_pairs", "_selected_action": [rejected.pk, "abc"]},
    )
    assert response.status_code == 400
    rejected.refresh_from_db()
    assert rejected.status == S.REJECTED


def test_good_ids_still_reach_the_action(as_ada, alice, ada, open_qa):
    rejected = make_pair(author=alice, category=open_qa, status=S.REJECTED, by=ada)
    as_ada.post(
        reverse("admin:annotation_pair_changelist"),
        {"action": "reopen_pairs", "_selected_action": [rejected.pk]},
    )
    rejected.refresh_from_db()
    assert rejected.status == S.SUBMITTED


@pytest.mark.parametrize("object_id", ["99999999999999999999", "-99999999999999999999"])
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_an_object_id_beyond_64_bits_is_404(as_ada, object_id, view):
    response = as_ada.get(f"/admin/annotation/pair/{object_id}/{view}/")
    assert response.status_code == 404


def test_someone_without_the_admin_is_sent_away_before_ids_are_read(as_alice):
    response = as_alice.post(
        reverse("admin:annotation_pair_changelist"),
        {"action": "reopen_pairs", "_selected_action": ["abc"]},
    )
    assert response.status_code == 302
