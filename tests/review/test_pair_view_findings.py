"""The review page shows every flag with its confirmation, and how the text was written."""

import pytest
from django.urls import reverse

from annotation.drafts import DraftText, draft_save, pair_start
from annotation.findings import findings_scan
from annotation.flags import finding_token
from annotation.models import Finding, Pair
from annotation.submission import pair_move, pair_reopen, pair_submit
from annotation.workflow import S
from tests.factories import make_assignment, unique_text
from tests.review.conftest import lease

TEXT = "Phone the box office on (415) 555-2671 or mail tickets@theatre.co.uk."


def written(author, category, *, response: str, saves: list[tuple[int, int, int]]):
    """A draft pair whose text came from ``saves`` of (active seconds, typed, pasted)."""
    pair = pair_start(assignment=make_assignment(contributor=author, category=category), by=author)
    text = DraftText(instruction=unique_text(), response=response)
    for version, (active, typed, pasted) in enumerate(saves):
        draft_save(
            pair=pair,
            by=author,
            text=text,
            base_version=version,
            active_seconds=active,
            typed_chars=typed,
            pasted_chars=pasted,
        )
    return pair


@pytest.fixture
def flagged(alice, open_qa):
    """Submitted by alice, who confirmed the phone number and the e-mail address."""
    pair = written(alice, open_qa, response=TEXT, saves=[(210, 60, 4), (210, 36, 0)])
    tokens = [
        finding_token(pair=pair, finding=f, text=TEXT)
        for f in findings_scan(text_fields={"response": TEXT})
    ]
    pair_submit(pair=pair, by=alice, confirmed=tokens)
    pair.refresh_from_db()
    return pair


def page(pair) -> str:
    return reverse("review:pair", args=[pair.public_id])


def test_reviewer_sees_each_flag_and_who_confirmed_it(as_bob, bob, flagged):
    lease(flagged, bob)
    html = as_bob.get(page(flagged)).content.decode()
    assert "Personal data and credentials in revision 1" in html
    assert "<mark>(415) 555-2671</mark>" in html and "<mark>tickets@theatre.co.uk</mark>" in html
    assert "Phone number" in html and "E-mail address" in html
    assert html.count("Confirmed fictional or public by the author") == 2
    assert "alice" not in html  # the page does not say who wrote the pair; nor does this


def test_an_unconfirmed_flag_offers_the_reviewer_to_confirm_it(as_bob, bob, flagged):
    Finding.objects.filter(kind="email").update(confirmed_by=None, confirmed_at=None)
    lease(flagged, bob)
    html = as_bob.get(page(flagged)).content.decode()
    assert "Not confirmed: this pair will not ship" in html
    email = Finding.objects.get(kind="email")
    assert reverse("review:confirm_finding", args=[flagged.public_id, email.pk]) in html
    assert html.count("It is fictional or public</button>") == 1


def test_reviewer_sees_how_the_text_was_written(as_bob, bob, flagged):
    lease(flagged, bob)
    html = as_bob.get(page(flagged)).content.decode()
    assert "typed 96%, 7 min active" in html
    assert "mostly pasted" not in html


def test_mostly_pasted_text_says_so_but_is_not_blocked(as_bob, bob, alice, open_qa):
    pair = written(alice, open_qa, response="A pasted answer, mostly.", saves=[(20, 3, 97)])
    pair_submit(pair=pair, by=alice)
    pair.refresh_from_db()
    assert pair.status == S.SUBMITTED
    lease(pair, bob)
    html = as_bob.get(page(pair)).content.decode()
    assert "typed 3%, under a minute active (mostly pasted)" in html
    assert 'id="review-findings"' in html and "<mark>" not in html


def test_a_confirmation_by_another_reviewer_names_them(as_bob, bob, rita, flagged):
    Finding.objects.filter(kind="email").update(confirmed_by=rita)
    lease(flagged, bob)
    html = as_bob.get(page(flagged)).content.decode()
    assert html.count("Confirmed fictional or public by the author") == 1
    assert html.count("Confirmed fictional or public by rita") == 1


def test_the_author_stays_unnamed_on_a_moved_copy(as_bob, bob, ada, dolly, flagged):
    # A move copies the text, with its confirmations, into a revision the admin made.
    Pair.objects.filter(pk=flagged.pk).update(status=S.REJECTED)
    flagged.refresh_from_db()
    pair_move(pair=flagged, by=ada, category=dolly.categories.get(slug="general_qa"))
    pair_reopen(pair=flagged, by=ada)
    flagged.refresh_from_db()
    assert flagged.current_revision.author == ada
    lease(flagged, bob)

    html = as_bob.get(page(flagged)).content.decode()

    assert html.count("Confirmed fictional or public by the author") == 2
    assert "alice" not in html
