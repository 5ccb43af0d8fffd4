"""Admin moderation: the pairs list, one pair's record, reopening and retracting."""

from django.test import override_settings
from django.urls import reverse

from annotation.drafts import DraftText, draft_save
from annotation.models import AuditEvent
from annotation.submission import pair_submit
from annotation.workflow import S
from review.models import InProgress, Lease
from tests.factories import make_pair
from tests.review.conftest import decide, lease


def test_list_filters_by_status_and_category(as_ada, alice, ada, open_qa, closed_qa):
    make_pair(author=alice, category=open_qa)
    approved = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    make_pair(author=alice, category=closed_qa, status=S.APPROVED, by=ada)
    response = as_ada.get(
        reverse("review:moderate"), {"status": "approved", "category": open_qa.pk}
    )
    assert response.status_code == 200
    assert [pair.pk for pair in response.context["page"].object_list] == [approved.pk]


def test_list_filters_by_dataset_and_ignores_bad_filters(as_ada, alice, dolly, open_qa):
    make_pair(author=alice, category=open_qa)
    response = as_ada.get(reverse("review:moderate"), {"dataset": "dolly", "status": "nonsense"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1
    assert b"were not valid" in response.content


@override_settings(HANDWRITTEN_PAGE_SIZE=2)
def test_list_paginates_and_swaps_as_a_partial(as_ada, alice, open_qa):
    for _ in range(3):
        make_pair(author=alice, category=open_qa)
    response = as_ada.get(reverse("review:moderate"), {"page": 2})
    assert len(response.context["page"].object_list) == 1
    partial = as_ada.get(reverse("review:moderate"), headers={"HX-Request": "true"})
    assert b'id="moderate-results"' in partial.content and b"<html" not in partial.content


def test_pair_record_names_reviewers_and_shows_the_trail(as_ada, bob, submitted):
    decide(submitted, bob, "approve", comment="Fine by me.")
    response = as_ada.get(reverse("review:moderate_pair", args=[submitted.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "bob" in html and "Fine by me." in html
    # In words, the verb itself kept for whoever traces it in the audit log.
    assert '<td title="review.approve">Review: approve</td>' in html
    assert '<td title="pair.submit">Pair: submit</td>' in html


def test_reopen_a_rejected_pair(as_ada, bob, rita, submitted):
    decide(submitted, bob, "reject", reason="duplicate")
    decide(submitted, rita, "reject", reason="duplicate")
    url = reverse("review:moderate_reopen", args=[submitted.public_id])
    response = as_ada.post(url, {"reason": "Not a duplicate after all."})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED and submitted.review_round == 1
    assert AuditEvent.objects.filter(verb="pair.reopen").exists()


def test_reopen_is_refused_for_a_pair_that_is_not_rejected(as_ada, submitted):
    url = reverse("review:moderate_reopen", args=[submitted.public_id])
    response = as_ada.post(url, {"reason": ""}, follow=True)
    assert b"cannot be reopened" in response.content
    submitted.refresh_from_db()
    assert submitted.review_round == 0


def test_retract_needs_a_reason(as_ada, alice, ada, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    url = reverse("review:moderate_retract", args=[pair.public_id])
    response = as_ada.post(url, {"reason": "  "})
    assert response.status_code == 422
    assert b"Say why this pair is retracted." in response.content
    pair.refresh_from_db()
    assert pair.status == S.APPROVED


def test_retract_an_approved_pair(as_ada, alice, ada, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    url = reverse("review:moderate_retract", args=[pair.public_id])
    response = as_ada.post(url, {"reason": "Contains personal data."})
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == S.RETRACTED
    event = AuditEvent.objects.get(verb="pair.retract")
    assert event.data["reason"] == "Contains personal data."


def test_retracting_an_improvement_under_review_clears_its_review_state(
    as_ada, alice, ada, bob, rita, open_qa
):
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
    as_ada.post(reverse("review:moderate_retract", args=[pair.public_id]), {"reason": "Spam."})
    pair.refresh_from_db()
    assert pair.status == S.RETRACTED
    assert not Lease.objects.filter(pair=pair).exists()
    assert not InProgress.objects.filter(pair=pair).exists()


def test_the_bulk_bar_puts_the_ticked_pairs_first_and_counts_all_matching(as_ada, alice, open_qa):
    for _ in range(3):
        make_pair(author=alice, category=open_qa)
    html = as_ada.get(reverse("review:moderate")).content.decode()
    assert 'name="selection" value="selected" class="primary">Apply to ticked pairs' in html
    # Every matching pair is the secondary choice: folded away, plain, and confirmed.
    assert '<button type="submit" name="selection" value="all">Apply to all 3 matching' in html
    assert html.index('value="selected"') < html.index('<details class="bulk-all">')
    assert 'name="all_confirmed" id="bulk-all_confirmed" value="3">' in html
    assert 'class="danger"' not in html


def test_select_all_on_the_page_is_there_for_javascript_to_show(as_ada, alice, open_qa):
    make_pair(author=alice, category=open_qa)
    html = as_ada.get(reverse("review:moderate")).content.decode()
    # Hidden without JavaScript; the script shows it, and only this page loads it.
    assert (
        '<input type="checkbox" data-select-all="pairs" '
        'aria-label="Select all pairs on this page" hidden>'
    ) in html
    assert "js/select-all.js" in html
    assert "js/select-all.js" not in as_ada.get(reverse("review:queue")).content.decode()
