"""The review page of one pair: who may see it, what it shows, and the decision POST."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotation.drafts import DraftText, draft_save
from annotation.submission import pair_submit, pair_withdraw
from annotation.workflow import S
from review.models import EditProposal, Lease, Review
from tests.factories import make_pair, make_user
from tests.review.conftest import decide, lease


def page(pair):
    return reverse("review:pair", args=[pair.public_id])


def decide_url(pair):
    return reverse("review:decide", args=[pair.public_id])


def post(client, pair, decision, **data):
    revision = pair.current_revision
    body = {
        "decision": decision,
        "revision": revision.number,
        "instruction": revision.instruction,
        "context": revision.context,
        "source_url": revision.source_url,
        "response": revision.response,
    }
    body.update(data)
    return client.post(decide_url(pair), body)


@pytest.fixture
def held(bob, submitted):
    lease(submitted, bob)
    return submitted


def test_holder_sees_the_text_and_the_sanitized_guidelines(as_bob, open_qa, held):
    open_qa.guidelines = (
        "Be **precise**.\n\n<script>alert(1)</script><a href='javascript:x()'>y</a>"
    )
    open_qa.save()
    response = as_bob.get(page(held))
    assert response.status_code == 200
    html = response.content.decode()
    assert held.current_revision.instruction in html
    assert "<strong>precise</strong>" in html
    assert "<script>alert" not in html and "javascript:x" not in html
    assert "Review queue" in html


def test_source_link_is_safe(as_bob, bob, alice, closed_qa):
    pair = make_pair(author=alice, category=closed_qa, status=S.DRAFT)
    draft = pair.draft
    draft_save(
        pair=pair,
        by=alice,
        text=DraftText(
            instruction=draft.instruction,
            context=draft.context,
            response=draft.response,
            source_url="https://en.wikipedia.org/wiki/Camel",
        ),
        base_version=draft.version,
    )
    pair_submit(pair=pair, by=alice)
    lease(pair, bob)
    html = as_bob.get(page(pair)).content.decode()
    assert (
        '<a href="https://en.wikipedia.org/wiki/Camel" target="_blank" '
        'rel="noopener noreferrer nofollow">'
    ) in html


def test_history_shows_a_word_diff_and_submit_warnings(as_bob, alice, bob, rita, open_qa):
    pair = make_pair(author=alice, category=open_qa, response="Camels store fat in humps.")
    decide(pair, rita, "request_changes", comment="Explain water.")
    draft = pair.draft
    draft_save(
        pair=pair,
        by=alice,
        text=DraftText(instruction=draft.instruction, response="Camels store fat in their humps."),
        base_version=draft.version,
        pasted_chars=500,
    )
    pair_submit(pair=pair, by=alice)
    pair.refresh_from_db()
    lease(pair, bob)
    html = as_bob.get(page(pair)).content.decode()
    assert "Revision 1 → 2" in html
    assert "<ins>their </ins>" in html or "<ins>their</ins>" in html
    assert "Most of this text was pasted rather than typed." in html


def test_others_get_404(as_bob, as_rita, held):
    assert as_rita.get(page(held)).status_code == 404
    Lease.objects.all().delete()
    assert as_bob.get(page(held)).status_code == 404


def test_own_pair_is_404_even_with_a_crafted_claim(as_bob, bob, open_qa):
    own = make_pair(author=bob, category=open_qa)
    lease(own, bob)
    assert as_bob.get(page(own)).status_code == 404
    assert post(as_bob, own, "approve").status_code == 404
    own.refresh_from_db()
    assert own.status == S.SUBMITTED and not Review.objects.exists()


def test_expired_claim_says_so_with_a_way_back(as_bob, bob, submitted):
    lease(submitted, bob, expired=True)
    response = as_bob.get(page(submitted))
    assert response.status_code == 200
    assert b"Your hold on this pair ran out" in response.content
    assert reverse("review:queue").encode() in response.content


def test_deciding_on_an_expired_claim_records_nothing_and_keeps_the_comment(as_bob, bob, submitted):
    lease(submitted, bob, expired=True)
    response = post(as_bob, submitted, "request_changes", comment="Please cite a source.")
    assert response.status_code == 409
    assert b"Please cite a source." in response.content
    assert not Review.objects.exists()


def test_an_edit_on_an_expired_claim_comes_back_to_copy(as_bob, bob, submitted):
    lease(submitted, bob, expired=True)
    edited = "A clearer answer, with the opening hours."
    response = post(
        as_bob, submitted, "approve_with_edit", response=edited, comment="Added the hours."
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Your edited response, so you can copy it:" in html and edited in html
    assert "Added the hours." in html
    assert not Review.objects.exists()


def test_a_claim_another_reviewer_took_gives_the_text_back(as_bob, rita, submitted):
    lease(submitted, rita)
    response = post(as_bob, submitted, "request_changes", comment="Please cite a source.")
    assert response.status_code == 404 and b"Please cite a source." in response.content
    assert not Review.objects.exists()


def test_a_pair_that_changed_meanwhile_gives_the_text_back(as_bob, held):
    revision = held.current_revision
    response = post(
        as_bob, held, "approve", revision=revision.number + 1, comment="Reads well now."
    )
    assert response.status_code == 409
    assert b"changed while you were reading it" in response.content
    assert b"Reads well now." in response.content
    assert not Review.objects.exists()


def test_crafted_post_without_a_claim_is_refused(as_bob, rita, submitted):
    assert post(as_bob, submitted, "approve").status_code == 404
    lease(submitted, rita)
    assert post(as_bob, submitted, "approve").status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED and not Review.objects.exists()


def test_approve_then_the_next_pair(as_bob, alice, open_qa, held):
    following = make_pair(author=alice, category=open_qa)
    response = post(as_bob, held, "approve", then="next", helpfulness="5")
    assert response.status_code == 302
    assert response.url == page(following)
    review = Review.objects.get()
    assert review.decision == "approve" and review.helpfulness == 5
    assert not Lease.objects.filter(pair=held).exists()


def test_after_the_last_pair_the_queue_page(as_bob, held):
    response = post(as_bob, held, "approve", then="next")
    assert response.status_code == 302 and response.url == reverse("review:queue")


def test_request_changes_needs_a_comment_and_keeps_the_input(as_bob, held):
    response = post(as_bob, held, "request_changes", helpfulness="2", reason="duplicate")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Tell the author what to change." in html
    assert '<option value="2" selected>' in html
    assert not Review.objects.exists()


def test_request_changes_sends_the_pair_back(as_bob, held):
    response = post(as_bob, held, "request_changes", comment="Add the year.")
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == S.CHANGES_REQUESTED


def test_reject_needs_a_reason(as_bob, held):
    response = post(as_bob, held, "reject", comment="Not good.")
    assert response.status_code == 422
    assert b"Choose a reason." in response.content
    assert b"Not good." in response.content


def test_a_decision_not_recorded_says_so_at_the_top_and_focuses_what_to_mend(as_bob, held):
    html = post(as_bob, held, "reject", comment="Not good.").content.decode()
    alert = html.index("Your decision was not recorded.")
    assert alert < html.index('id="decision"')
    (autofocused,) = [tag for tag in html.split("<")[1:] if " autofocus" in tag.split(">")[0]]
    assert autofocused.startswith('select name="reason"')


def test_approve_with_an_unchanged_text_opens_the_editor_it_asks_for(as_bob, held):
    html = post(as_bob, held, "approve_with_edit").content.decode()
    assert "Edit the text before approving it with an edit." in html
    assert '<details class="edit-text"' in html
    assert 'data-shortcut-label="Edit the text yourself" open>' in html


@pytest.mark.parametrize(
    ("decision", "data", "said"),
    [
        ("approve", {}, "You approved it. It waits for more reviews."),
        (
            "approve_with_edit",
            {"response": "A better response here."},
            "You approved it with your edit, which waits in the edit queue for another "
            "reviewer to accept.",
        ),
        (
            "request_changes",
            {"comment": "Add the year."},
            "You asked its author for changes. The pair went back to its author.",
        ),
        ("reject", {"reason": "harmful"}, "You rejected it. It waits for more reviews."),
    ],
)
def test_each_decision_is_said_in_words(as_bob, held, decision, data, said):
    response = post(as_bob, held, decision, **data)
    assert [str(m) for m in response.wsgi_request._messages] == [said]


def test_approve_with_an_unchanged_text_focuses_the_response(as_bob, held):
    html = post(as_bob, held, "approve_with_edit").content.decode()
    (autofocused,) = [tag for tag in html.split("<")[1:] if " autofocus" in tag.split(">")[0]]
    assert autofocused.startswith('textarea name="response"')


def test_approve_with_an_unchanged_text_says_why_beside_the_text_it_focuses(as_bob, held):
    """The page comes back scrolled to the text: the error is in the edit panel, once."""
    html = post(as_bob, held, "approve_with_edit").content.decode()
    said = "Edit the text before approving it with an edit."
    assert html.count(said) == 1
    panel = html.index('<details class="edit-text"')
    assert panel < html.index(said) < html.index('textarea name="response"')


def test_an_edit_sent_with_another_decision_is_refused_above_the_form(as_bob, held):
    html = post(as_bob, held, "approve", response="A better response here.").content.decode()
    said = "You changed the text. Choose “Approve with my edit”"
    assert html.count(said) == 1
    assert html.index('id="decision"') < html.index(said) < html.index('<details class="edit-text"')


def test_reject_with_a_reason(as_bob, held):
    assert post(as_bob, held, "reject", reason="harmful").status_code == 302
    assert Review.objects.get().reason == "harmful"


def test_changing_the_text_and_pressing_approve_loses_nothing(as_bob, held):
    response = post(as_bob, held, "approve", response="My rewritten response text.")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Approve with my edit" in html and "You changed the text" in html
    assert "My rewritten response text." in html
    assert not Review.objects.exists()


def test_approve_with_an_edit_creates_a_proposal(as_bob, held):
    response = post(
        as_bob,
        held,
        "approve_with_edit",
        response="A better response,\r\nwritten by the reviewer.",
        comment="Fixed the facts.",
    )
    assert response.status_code == 302
    proposal = EditProposal.objects.get()
    assert proposal.response == "A better response,\nwritten by the reviewer."
    assert proposal.review.decision == "approve_with_edit"


def test_approve_with_an_edit_that_fails_the_checks_shows_errors_beside_fields(as_bob, held):
    response = post(as_bob, held, "approve_with_edit", instruction="Short")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Too short" in html
    assert 'class="has-error"' in html
    assert not EditProposal.objects.exists() and not Review.objects.exists()


def test_double_submit_records_one_review(as_bob, held):
    first = post(as_bob, held, "approve")
    second = post(as_bob, held, "approve")
    assert first.status_code == second.status_code == 302
    assert Review.objects.count() == 1
    held.refresh_from_db()
    assert held.status == S.SUBMITTED


def test_a_pair_decided_meanwhile_sends_the_reviewer_back(as_bob, alice, held):
    pair_withdraw(pair=held, by=alice)
    response = as_bob.get(page(held))
    assert response.status_code == 302 and response.url == reverse("review:queue")
    assert not Lease.objects.exists()


def test_heartbeat_renews_the_lease(as_bob, held):
    Lease.objects.update(expires_at=timezone.now() + timezone.timedelta(seconds=30))
    url = reverse("review:heartbeat", args=[held.public_id])
    response = as_bob.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"Held for you until" in response.content
    assert Lease.objects.get().expires_at > timezone.now() + timezone.timedelta(minutes=14)
    assert as_bob.post(url).status_code == 302


def test_heartbeat_after_expiry_stops_polling(as_bob, bob, submitted):
    lease(submitted, bob, expired=True)
    url = reverse("review:heartbeat", args=[submitted.public_id])
    response = as_bob.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 286
    assert b"Your hold on this pair ran out" in response.content


def test_the_page_states_the_rule_in_effect_after_a_split(as_bob, bob, rita, alice, open_qa):
    dan = make_user("dan2", "reviewer")
    pair = make_pair(author=alice, category=open_qa)
    lease(pair, bob)
    assert "0; 2 approvals or 2 rejections decide" in as_bob.get(page(pair)).content.decode()
    decide(pair, rita, "approve")
    decide(pair, dan, "reject", reason="duplicate")
    lease(pair, bob)
    html = as_bob.get(page(pair)).content.decode()
    # reviews_required is still 2; the split raised the bar to 3 for this pair.
    assert "2; 3 approvals or 3 rejections decide (raised from 2 by a split vote)" in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_pair_page_costs_the_same_queries_for_one_revision_or_many(
    as_bob, alice, bob, rita, open_qa
):
    pair = make_pair(author=alice, category=open_qa, response="Revision one of the answer.")
    lease(pair, bob)
    few = _queries(as_bob, page(pair))
    for number in range(2, 7):
        decide(
            pair,
            rita if number % 2 else make_user(f"r{number}", "reviewer"),
            "request_changes",
            comment="Again.",
        )
        draft = pair.draft
        draft_save(
            pair=pair,
            by=alice,
            text=DraftText(instruction=draft.instruction, response=f"Revision {number} of it."),
            base_version=draft.version,
        )
        pair_submit(pair=pair, by=alice)
        pair.refresh_from_db()
    decide(pair, rita, "approve")
    lease(pair, bob)
    assert pair.revisions.count() == 6
    # The cap counts the page's parts since merged in: findings, near-duplicates (on
    # PostgreSQL a SET LOCAL and its savepoint) and the effective consensus rule.
    assert _queries(as_bob, page(pair)) == few <= 15


def test_an_edit_with_an_overlong_source_is_refused_beside_the_field(as_bob, bob, alice, closed_qa):
    pair = make_pair(author=alice, category=closed_qa)
    lease(pair, bob)
    long_url = "https://example.com/" + "a" * 2000
    response = post(as_bob, pair, "approve_with_edit", source_url=long_url, comment="Source.")
    assert response.status_code == 422
    assert "at most 2,000 characters" in " ".join(response.context["form"].errors["source_url"])
    # What the reviewer wrote comes back to them.
    assert long_url.encode() in response.content and b"Source." in response.content
    assert not EditProposal.objects.exists() and not Review.objects.exists()
