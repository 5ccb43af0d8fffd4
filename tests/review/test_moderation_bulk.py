"""Bulk actions: each goes through the workflow pair by pair, one refusal does not stop
the others, the result says what was done and refused and why, and every change is audited.
Large selections run as a task (in-process without REDIS_URL) with progress on the page."""

import pytest
from django.urls import reverse

from annotation.models import AuditEvent, Category, Dataset, Revision
from annotation.workflow import S
from review import moderation
from review.models import BulkAction
from review.tasks import bulk_action_apply
from tests.factories import make_pair


def _bulk(client, data: dict, query: dict | None = None):
    url = reverse("review:moderate_bulk")
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:500]
    return BulkAction.objects.get(), response


def test_retract_ticked_pairs_refuses_those_never_approved(as_ada, alice, ada, open_qa):
    approved = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    submitted = make_pair(author=alice, category=open_qa)
    bulk, response = _bulk(
        as_ada,
        {
            "action": "retract",
            "retract_confirmed": "on",
            "selection": "selected",
            "pairs": [approved.public_id, submitted.public_id],
            "text": "Mentions a customer by name.",
        },
    )
    approved.refresh_from_db()
    submitted.refresh_from_db()
    assert approved.status == S.RETRACTED and submitted.status == S.SUBMITTED
    assert (bulk.state, bulk.done, bulk.refused) == ("done", 1, 1)
    assert bulk.refusals[0]["pair"] == str(submitted.public_id)
    assert "cannot be retracted: it was never approved" in bulk.refusals[0]["why"]
    event = AuditEvent.objects.get(verb="pair.retract")
    assert event.object_id == str(approved.public_id)
    assert event.data["reason"] == "Mentions a customer by name."
    page = as_ada.get(response["Location"])
    assert b"1 done" in page.content and b"it was never approved" in page.content


def test_reopen_all_matching_refuses_what_is_not_rejected(as_ada, alice, ada, open_qa):
    rejected = make_pair(author=alice, category=open_qa, status=S.REJECTED, by=ada)
    draft = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    approved = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    bulk, _ = _bulk(
        as_ada, {"action": "reopen", "selection": "all", "all_confirmed": 3, "text": ""}
    )
    for pair in (rejected, draft, approved):
        pair.refresh_from_db()
    assert rejected.status == S.SUBMITTED and rejected.review_round == 1
    assert draft.status == S.DRAFT and approved.status == S.APPROVED
    assert (bulk.total, bulk.done, bulk.refused) == (3, 1, 2)
    whys = " ".join(r["why"] for r in bulk.refusals)
    assert "A draft pair cannot be reopened" in whys
    assert "An approved pair cannot be reopened" in whys


def test_all_matching_takes_the_filters_from_the_query_string(as_ada, alice, ada, open_qa):
    keep = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    retract = make_pair(
        author=alice,
        category=open_qa,
        status=S.APPROVED,
        by=ada,
        instruction="Tell me about the moon landing, please.",
    )
    bulk, response = _bulk(
        as_ada,
        {
            "action": "retract",
            "retract_confirmed": "on",
            "selection": "all",
            "all_confirmed": 1,
            "text": "Off topic.",
        },
        query={"q": "moon", "status": "approved"},
    )
    keep.refresh_from_db()
    retract.refresh_from_db()
    assert bulk.total == 1 and retract.status == S.RETRACTED and keep.status == S.APPROVED
    # The result leads back to the list as it was filtered.
    result = as_ada.get(response.url).content.decode()
    assert f'href="{reverse("review:moderate")}?q=moon&amp;status=approved"' in result


def test_move_copies_the_texts_under_the_new_category_and_refuses_misfits(
    as_ada, alice, ada, open_qa, closed_qa, dolly
):
    approved = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    under_review = make_pair(author=alice, category=open_qa)
    general = dolly.categories.get(slug="general_qa")
    # closed_qa needs a context: an open_qa pair has none, so moving it there is refused.
    refused, _ = _bulk(
        as_ada,
        {
            "action": "move",
            "selection": "selected",
            "pairs": [approved.public_id],
            "category": closed_qa.pk,
        },
    )
    assert refused.refused == 1 and "needs a context passage" in refused.refusals[0]["why"]
    BulkAction.objects.all().delete()
    bulk, _ = _bulk(
        as_ada,
        {
            "action": "move",
            "selection": "selected",
            "pairs": [approved.public_id, under_review.public_id],
            "category": general.pk,
        },
    )
    approved.refresh_from_db()
    under_review.refresh_from_db()
    assert approved.category == general and under_review.category == open_qa
    assert approved.approved_revision.category == general
    assert approved.approved_revision.kind == Revision.Kind.MOVED
    assert approved.current_revision_id == approved.approved_revision_id
    assert "under review" in bulk.refusals[0]["why"]
    event = AuditEvent.objects.get(verb="pair.move")
    assert event.data["before"]["category"] == "open_qa"
    assert event.data["after"]["category"] == "general_qa"


def test_a_note_is_added_to_every_pair_whatever_its_status(as_ada, alice, ada, open_qa):
    pairs = [
        make_pair(author=alice, category=open_qa, status=status, by=ada)
        for status in (S.DRAFT, S.APPROVED, S.REJECTED)
    ]
    bulk, _ = _bulk(
        as_ada,
        {
            "action": "note",
            "selection": "selected",
            "pairs": [p.public_id for p in pairs],
            "text": "Checked against the style guide.",
        },
    )
    assert (bulk.done, bulk.refused) == (3, 0)
    notes = AuditEvent.objects.filter(verb="pair.note")
    assert {e.object_id for e in notes} == {str(p.public_id) for p in pairs}


@pytest.mark.parametrize(
    "data,message",
    [
        ({"action": "retract", "selection": "all", "text": ""}, b"Say why these pairs"),
        ({"action": "retract", "selection": "all", "text": "Spam."}, b"cannot be brought back"),
        ({"selection": "all", "text": "Spam."}, b"Choose an action."),
        ({"action": "note", "selection": "all", "text": " "}, b"Write the note."),
        ({"action": "move", "selection": "all"}, b"Choose the category"),
        ({"action": "reopen", "selection": "selected"}, b"Tick at least one pair"),
        ({"action": "reopen", "selection": "selected", "pairs": ["nope"]}, b"does not exist"),
    ],
)
def test_bad_requests_change_nothing_and_say_why(data, message, as_ada, alice, ada, open_qa):
    make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    response = as_ada.post(reverse("review:moderate_bulk"), data, follow=True)
    assert message in response.content
    assert not BulkAction.objects.exists()


@pytest.mark.parametrize("persona", ["as_bob", "as_alice"])
def test_only_admins_act_in_bulk(persona, request, alice, ada, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    client = request.getfixturevalue(persona)
    response = client.post(
        reverse("review:moderate_bulk"),
        {"action": "retract", "selection": "all", "text": "x"},
    )
    assert response.status_code == 403
    pair.refresh_from_db()
    assert pair.status == S.APPROVED


def test_a_large_selection_runs_as_a_task_with_progress(
    as_ada, alice, ada, open_qa, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(moderation, "BULK_INLINE_MAX", 2)
    monkeypatch.setattr("review.views.moderation.BULK_INLINE_MAX", 2)
    monkeypatch.setattr(moderation, "BULK_CHUNK", 2)
    pairs = [make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada) for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        bulk, response = _bulk(
            as_ada,
            {
                "action": "retract",
                "retract_confirmed": "on",
                "selection": "all",
                "all_confirmed": 5,
                "text": "Old.",
            },
        )
    assert bulk.state == "queued" and bulk.position == 0 and len(callbacks) == 1
    page = as_ada.get(response["Location"])
    assert b'hx-trigger="every 1s"' in page.content and b"0 of 5" in page.content
    bulk_action_apply(bulk.pk)  # what the enqueued callback has the worker run

    bulk.refresh_from_db()
    assert (bulk.state, bulk.position, bulk.done) == ("done", 5, 5)
    assert all(p.status == S.RETRACTED for p in [type(p).objects.get(pk=p.pk) for p in pairs])
    partial = as_ada.get(response["Location"], headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"every 1s" not in partial.content
    assert AuditEvent.objects.filter(verb="bulk.finish").get().data == {"done": 5, "refused": 0}


def test_a_rerun_task_does_not_repeat_what_was_done(alice, ada, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    bulk = moderation.bulk_action_create(by=ada, kind="note", pair_ids=[pair.pk], text="Once.")
    moderation.bulk_action_run(bulk_id=bulk.pk)
    moderation.bulk_action_run(bulk_id=bulk.pk)  # a redelivered task
    assert AuditEvent.objects.filter(verb="pair.note").count() == 1


def test_bulk_retract_clears_the_review_state_of_an_improvement_under_review(
    as_ada, alice, ada, bob, rita, open_qa
):
    from annotation.drafts import DraftText, draft_save
    from annotation.submission import pair_submit
    from review.models import InProgress, Lease
    from tests.review.conftest import decide, lease

    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    draft_save(
        pair=pair,
        by=alice,
        text=DraftText(instruction=pair.draft.instruction, response="A newer response text."),
        base_version=pair.draft.version,
    )
    pair_submit(pair=pair, by=alice)
    decide(pair, bob, "approve")
    lease(pair, rita)
    bulk, _ = _bulk(
        as_ada,
        {
            "action": "retract",
            "retract_confirmed": "on",
            "selection": "selected",
            "pairs": [pair.public_id],
            "text": "Spam.",
        },
    )
    pair.refresh_from_db()
    assert bulk.done == 1 and pair.status == S.RETRACTED
    assert not Lease.objects.filter(pair=pair).exists()
    assert not InProgress.objects.filter(pair=pair).exists()
    event = AuditEvent.objects.get(verb="pair.retract")
    assert event.data == {"before": "submitted", "after": "retracted", "reason": "Spam."}


def test_all_matching_when_nothing_matches_says_so(as_ada, alice, ada, open_qa):
    make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    url = reverse("review:moderate_bulk") + "?q=nothingmatchesthis"
    response = as_ada.post(url, {"action": "reopen", "selection": "all"})
    assert response.status_code == 422
    assert b"No pair matches these filters; nothing was done." in response.content
    assert not BulkAction.objects.exists()


def test_move_into_a_dataset_that_has_the_instruction_is_refused_not_failed(
    as_ada, alice, ada, open_qa
):
    # The database keeps one live pair per instruction and dataset; a move must say so
    # instead of tripping the constraint and failing the whole bulk action.
    support = Dataset.objects.create(name="Support answers", slug="support")
    there = Category.objects.create(dataset=support, slug="open_qa", name="Open QA")
    instruction = "Why do cats purr when they are content?"
    make_pair(author=alice, category=there, status=S.APPROVED, by=ada, instruction=instruction)
    moving = make_pair(
        author=alice, category=open_qa, status=S.APPROVED, by=ada, instruction=instruction
    )
    bulk, _ = _bulk(
        as_ada,
        {
            "action": "move",
            "selection": "selected",
            "pairs": [moving.public_id],
            "category": there.pk,
        },
    )
    assert bulk.state == BulkAction.State.DONE
    assert bulk.refused == 1 and "already has a live pair" in bulk.refusals[0]["why"]
    moving.refresh_from_db()
    assert moving.category == open_qa


def test_all_matching_with_a_filter_that_no_longer_reads_does_nothing(as_ada, alice, ada, open_qa):
    # A category deleted (or a date mistyped) since the list was shown: django-filter would
    # drop that filter, and "all matching" would retract every approved pair.
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    url = reverse("review:moderate_bulk") + "?status=approved&category=999999"
    response = as_ada.post(
        url, {"action": "retract", "retract_confirmed": "on", "selection": "all", "text": "cleanup"}
    )
    assert response.status_code == 422 and b"nothing was done" in response.content
    assert not BulkAction.objects.exists()
    pair.refresh_from_db()
    assert pair.status == S.APPROVED


def test_a_refused_bulk_action_keeps_what_was_chosen_typed_and_ticked(as_ada, alice, ada, open_qa):
    ticked, other = (
        make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada) for _ in "ab"
    )
    reason = "Copied from a vendor's manual; see ticket 4411."
    data = {"action": "move", "selection": "selected", "pairs": [ticked.public_id], "text": reason}
    response = as_ada.post(reverse("review:moderate_bulk") + "?status=approved", data)
    assert response.status_code == 422
    assert b"Choose the category to move the pairs to." in response.content
    html = response.content.decode()
    assert '<option value="move" selected>' in html
    assert f'value="{reason.replace(chr(39), "&#x27;")}"' in html
    assert f'value="{ticked.public_id}" aria-label="Select this pair" checked>' in html
    assert f'value="{other.public_id}" aria-label="Select this pair">' in html
    assert not BulkAction.objects.exists()


def test_all_matching_needs_its_number_confirmed(as_ada, alice, ada, open_qa):
    pairs = [make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada) for _ in "ab"]
    url = reverse("review:moderate_bulk")
    note = {"action": "note", "selection": "all", "text": "Seen."}
    unconfirmed = as_ada.post(url, note)
    assert unconfirmed.status_code == 422
    html = unconfirmed.content.decode()
    assert "Tick “Yes, all 2” to act on every pair that matches." in html
    assert '<div class="bulk-field has-error">' in html
    # The admin agreed to 1 but 2 match now (one was written meanwhile): asked again.
    stale = as_ada.post(url, {**note, "all_confirmed": 1})
    assert stale.status_code == 422
    assert "2 pairs match now, not the 1 you confirmed" in stale.content.decode()
    # Not ticked for the new number: the admin looks again before agreeing to it.
    assert 'id="bulk-all_confirmed" value="2" aria-invalid="true">' in stale.content.decode()
    assert not BulkAction.objects.exists()
    bulk, _ = _bulk(as_ada, {**note, "all_confirmed": 2})
    assert sorted(bulk.pair_ids) == sorted(p.pk for p in pairs)


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"action": "note", "text": " "}, "bulk-text", "Write the note."),
        ({"action": "move"}, "bulk-category", "Choose the category to move the pairs to."),
        ({"text": "Spam."}, "bulk-action", "Choose an action."),
        (
            {"action": "retract", "text": "Spam."},
            "bulk-confirm",
            "Tick “Yes, retract for good” to retract",
        ),
        ({"action": "reopen", "pairs": []}, "bulk-ticked", "Tick at least one pair"),
    ],
)
def test_a_refused_bulk_action_marks_the_field_at_fault(
    data, field, message, as_ada, alice, ada, open_qa
):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    data = {"selection": "selected", "pairs": [pair.public_id], **data}
    response = as_ada.post(reverse("review:moderate_bulk"), data)
    assert response.status_code == 422
    html = response.content.decode()
    # The box may carry more attributes (data-action-for, for bulk-fields.js).
    start = html.index(f'<div class="bulk-field {field} has-error"')
    marked = html[start : html.index("</div>\n", html.index('class="field-error"', start))]
    assert message in marked
    # Said beside the field, not in a message above the page.
    assert html.count(message) == 1
    assert "Nothing was done: see what is marked below." in html
    if field in ("bulk-text", "bulk-category", "bulk-action"):
        assert 'aria-invalid="true"' in marked


def test_the_service_states_what_each_action_needs_and_the_form_follows(
    as_ada, alice, ada, open_qa, monkeypatch
):
    pair = make_pair(author=alice, category=open_qa, status=S.REJECTED, by=ada)
    with pytest.raises(ValueError, match="Say why these pairs are retracted."):
        moderation.bulk_action_create(by=ada, kind="retract", pair_ids=[pair.pk])
    # One rule: changed in the service, the form refuses the same way.
    needs = {**moderation.BULK_NEEDS, "reopen": {"text": "Say why it is reopened."}}
    monkeypatch.setattr(moderation, "BULK_NEEDS", needs)
    response = as_ada.post(
        reverse("review:moderate_bulk"),
        {"action": "reopen", "selection": "selected", "pairs": [pair.public_id]},
    )
    assert response.status_code == 422
    html = response.content.decode()
    marked = html[html.index('<div class="bulk-field bulk-text has-error">') :]
    assert marked.index("Say why it is reopened.") < marked.index("</div>")
    assert not BulkAction.objects.exists()


def test_bulk_action_start_fixes_the_selection_and_does_a_small_one_at_once(alice, ada, open_qa):
    from annotation.models import Pair

    pairs = [make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada) for _ in "ab"]
    bulk = moderation.bulk_action_start(
        by=ada, kind="note", pairs=Pair.objects.filter(status=S.APPROVED), text="Seen."
    )
    assert bulk.state == "done" and bulk.pair_ids == sorted(p.pk for p in pairs)
    assert AuditEvent.objects.filter(verb="pair.note").count() == 2
