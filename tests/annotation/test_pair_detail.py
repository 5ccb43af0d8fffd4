import pytest
from django.db import transaction
from django.urls import reverse

from annotation.audit import audit
from annotation.drafts import DraftText, draft_save
from annotation.models import Revision
from annotation.submission import pair_retract, pair_submit, revision_create
from annotation.workflow import S, lock, transition
from tests.factories import make_pair


def _url(pair) -> str:
    return reverse("annotation:pair_detail", args=[pair.public_id])


def test_author_sees_feedback_without_reviewer_names(as_alice, alice, bob, open_qa):
    pair = make_pair(author=alice, category=open_qa)
    audit(
        actor=bob,
        verb="review.request_changes",
        obj=pair,
        comment="Please say which sky you mean.",
        revision=1,
    )
    response = as_alice.get(_url(pair))
    assert response.status_code == 200
    assert b"Changes requested" in response.content
    assert b"Please say which sky you mean." in response.content
    assert b"revision 1" in response.content
    assert b"bob" not in response.content


def test_author_sees_history_of_every_revision(as_alice, alice, ada, open_qa):
    pair = make_pair(
        author=alice,
        category=open_qa,
        status=S.CHANGES_REQUESTED,
        instruction="First wording of the question?",
        by=ada,
    )
    draft_save(
        pair=pair,
        by=alice,
        text=DraftText(
            instruction="Second, clearer wording of the question?",
            response=pair.draft.response,
        ),
        base_version=pair.draft.version,
    )
    pair_submit(pair=pair, by=alice)
    response = as_alice.get(_url(pair))
    content = response.content.decode()
    assert [r.number for r in response.context["history"]] == [2, 1]
    assert content.count('<details class="revision">') == 2
    assert "First wording of the question?" in content
    assert "Second, clearer wording of the question?" in content
    assert "Author revision" in content and "Original" in content


def test_draft_shows_draft_text_and_continue_link(as_alice, alice, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT, instruction="Unfinished idea")
    response = as_alice.get(_url(pair))
    content = response.content.decode()
    assert "Unfinished idea" in content
    assert "Continue writing" in content
    assert reverse("annotation:edit_pair", args=[pair.public_id]) in content
    assert reverse("annotation:withdraw", args=[pair.public_id]) in content


def test_approved_pair_offers_improve_but_no_withdraw(as_alice, alice, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED)
    content = as_alice.get(_url(pair)).content.decode()
    assert "Improve" in content
    assert "ships in releases" in content
    assert reverse("annotation:withdraw", args=[pair.public_id]) not in content


def test_a_retracted_pair_says_it_no_longer_ships(as_alice, alice, ada, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED)
    pair_retract(pair=pair, by=ada, reason="Mentions a customer.")
    content = as_alice.get(_url(pair)).content.decode()
    assert "An admin retracted this pair after revision 1 was approved" in content
    assert "it no longer ships in releases" in content
    assert "is approved" not in content


def test_newer_revision_under_review_is_explained(as_alice, alice, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED)
    draft_save(
        pair=pair,
        by=alice,
        text=DraftText(instruction=pair.draft.instruction, response="A better, fuller answer."),
        base_version=pair.draft.version,
    )
    pair_submit(pair=pair, by=alice)
    content = as_alice.get(_url(pair)).content.decode()
    assert "newer revision 2 is in review" in content
    assert "revision 1 keeps shipping" in content
    # An approved revision exists, so the pair can only be retracted, not withdrawn.
    assert reverse("annotation:withdraw", args=[pair.public_id]) not in content


@pytest.mark.parametrize("viewer", ["as_dan", "as_bob", "as_carol", "as_ada"])
def test_anyone_but_the_author_gets_404(request, alice, open_qa, viewer):
    pair = make_pair(author=alice, category=open_qa, instruction="Alice's private words")
    response = request.getfixturevalue(viewer).get(_url(pair))
    assert response.status_code == 404
    assert b"Alice's private words" not in response.content


def test_anonymous_is_sent_to_sign_in(client, alice, open_qa):
    pair = make_pair(author=alice, category=open_qa)
    response = client.get(_url(pair))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_reviewers_accepted_edit_is_not_called_the_authors(as_alice, alice, bob, open_qa):
    pair = make_pair(author=alice, category=open_qa)
    with transaction.atomic():
        revision_create(
            pair=lock(pair),
            by=bob,
            kind=Revision.Kind.ACCEPTED_EDIT,
            instruction=pair.current_revision.instruction,
            context="",
            response="A reviewer's better answer.",
        )
    pair.refresh_from_db()
    transition(pair=pair, to=S.APPROVED, by=bob, verb="pair.approve")
    html = as_alice.get(_url(pair)).content.decode()
    assert "the latest you submitted" not in html
    assert "A reviewer changed this text" in html
    assert "Accepted edit: a reviewer's edit" in html
    assert "bob" not in html  # reviewers stay anonymous to authors


def test_text_is_marked_dir_auto_for_right_to_left_writing(as_alice, alice, open_qa):
    pair = make_pair(author=alice, category=open_qa, instruction="ما هو أطول نهر في العالم؟")
    html = as_alice.get(_url(pair)).content.decode()
    assert html.count('class="pair-text" dir="auto"') >= 2
    edit = as_alice.get(reverse("annotation:my_pairs")).content.decode()
    assert 'dir="auto">ما هو أطول نهر' in edit
