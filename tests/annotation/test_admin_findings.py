"""Admin: filter revisions and pairs by authenticity; list and confirm findings."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from annotation.drafts import DraftText, draft_save, pair_start
from annotation.importing import pairs_import
from annotation.models import Finding
from annotation.pairs import shipped_pairs
from annotation.setup import roles_setup
from annotation.submission import pair_submit
from tests.factories import make_assignment, unique_text


@pytest.fixture
def as_staff_ada(ada, as_ada):
    roles_setup()
    return as_ada


def submitted(author, category, *, active: int, typed: int, pasted: int):
    pair = pair_start(assignment=make_assignment(contributor=author, category=category), by=author)
    draft_save(
        pair=pair,
        by=author,
        # Long enough to hold every character the save says was entered.
        text=DraftText(instruction=unique_text(), response="An answer for the test. " * 20),
        base_version=0,
        active_seconds=active,
        typed_chars=typed,
        pasted_chars=pasted,
    )
    return pair_submit(pair=pair, by=author)


@pytest.fixture
def revisions(alice, open_qa):
    return {
        "typed": submitted(alice, open_qa, active=240, typed=90, pasted=10),
        "pasted": submitted(alice, open_qa, active=30, typed=5, pasted=400),
        "long": submitted(alice, open_qa, active=300, typed=50, pasted=0),
    }


def listed(client, admin_url: str, **params) -> str:
    response = client.get(reverse(admin_url), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"typing": "pasted"}, {"pasted"}),
        ({"typing": "typed"}, {"typed", "long"}),
        ({"active": "minute"}, {"pasted"}),
        ({"active": "short"}, {"typed", "long"}),
    ],
)
def test_revisions_filter_by_authenticity(as_staff_ada, revisions, params, expected):
    html = listed(as_staff_ada, "admin:annotation_revision_changelist", **params)
    shown = {name for name, rev in revisions.items() if f"/revision/{rev.pk}/change/" in html}
    assert shown == expected


def test_pairs_filter_by_their_current_revisions_authenticity(as_staff_ada, revisions):
    html = listed(as_staff_ada, "admin:annotation_pair_changelist", typing="pasted")
    shown = {name for name, rev in revisions.items() if f"/pair/{rev.pair_id}/change/" in html}
    assert shown == {"pasted"}
    assert "mostly pasted" in html and "under a minute" in html


def test_revision_list_says_how_each_was_written(as_staff_ada, revisions):
    html = listed(as_staff_ada, "admin:annotation_revision_changelist")
    assert "typed 1%, under a minute active" in html and "typed 90%, 4 min active" in html


@pytest.fixture
def imported(dolly, tmp_path):
    record = {
        "instruction": "How do I reach the box office?",
        "context": "",
        "response": "Phone +44 20 7946 0958 during the day.",
        "category": "open_qa",
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record) + "\n")
    pairs_import(path=path, dataset=dolly, status="approved")
    return Finding.objects.get()


def test_admin_lists_unconfirmed_findings_and_confirms_them(as_staff_ada, ada, dolly, imported):
    html = listed(as_staff_ada, "admin:annotation_finding_changelist", confirmed="no")
    assert "phone number" in html and str(imported.revision.pair.public_id) in html
    assert "7946" not in html  # the list names the kind and position, never the value
    response = as_staff_ada.post(
        reverse("admin:annotation_finding_changelist"),
        {"action": "confirm", "_selected_action": [imported.pk]},
    )
    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.confirmed_by == ada
    assert imported.revision.pair in shipped_pairs(dataset=dolly)


def test_a_confirm_that_is_partly_refused_says_how_many_were_confirmed_and_refused(
    dolly, bob, tmp_path
):
    # A staff reviewer may confirm the findings of a pair under review, not of approved text.
    bob.is_staff = True
    bob.save()
    bob.user_permissions.add(Permission.objects.get(codename="view_finding"))
    record = {"context": "", "response": "Phone +44 20 7946 0958 during the day."}
    for status, instruction in (("submitted", "Who sells tickets?"), ("approved", "Who helps?")):
        path = tmp_path / f"{status}.jsonl"
        path.write_text(json.dumps({**record, "instruction": instruction, "category": "open_qa"}))
        pairs_import(path=path, dataset=dolly, status=status)
    client = Client()
    client.force_login(bob)
    response = client.post(
        reverse("admin:annotation_finding_changelist"),
        {
            "action": "confirm",
            "_selected_action": list(Finding.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )
    said = [str(message) for message in response.context["messages"]]
    assert "Confirmed 1 finding(s)." in said
    assert any(text.startswith("1 finding(s) not confirmed") for text in said)
    confirmed = Finding.objects.get(confirmed_by=bob)
    assert confirmed.revision.pair.status == "submitted"
    assert Finding.objects.get(confirmed_at__isnull=True).revision.pair.status == "approved"


def test_findings_cannot_be_added_changed_or_deleted_in_the_admin(as_staff_ada, imported):
    change = reverse("admin:annotation_finding_change", args=[imported.pk])
    assert as_staff_ada.post(change, {"confirmed_at": ""}).status_code == 403
    assert as_staff_ada.get(reverse("admin:annotation_finding_add")).status_code == 403
