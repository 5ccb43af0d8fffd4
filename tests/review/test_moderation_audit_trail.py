"""A pair's moderation record: the audit trail's details in people's words (status labels,
category names), each recorded value kept as the title, as the verbs are."""

from django.urls import reverse

from annotation.licence import licence_accept
from annotation.models import AuditEvent, Category, Dataset
from annotation.submission import pair_move
from annotation.workflow import S
from review.audit_trail import audit_in_words
from tests.factories import make_pair
from tests.review.conftest import decide


def _trail(client, pair) -> str:
    html = client.get(reverse("review:moderate_pair", args=[pair.public_id])).content.decode()
    return html[html.index('id="audit"') :]


def _shown(recorded: str, words: str) -> str:
    return f'<data value="{recorded}" title="{recorded}">{words}</data>'


def test_statuses_read_as_their_labels(as_ada, bob, rita, submitted):
    decide(submitted, bob, "approve")
    decide(submitted, rita, "approve")
    trail = _trail(as_ada, submitted)
    assert f'<span class="muted">before</span> {_shown("draft", "Draft")}' in trail
    assert f'<span class="muted">after</span> {_shown("submitted", "In review")}' in trail
    assert _shown("approved", "Approved") in trail
    assert ">submitted<" not in trail


def test_categories_read_as_their_names(as_ada, alice, ada, open_qa, dolly):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    pair_move(pair=pair, by=ada, category=dolly.categories.get(slug="general_qa"))
    trail = _trail(as_ada, pair)
    # The category the pair was started in, and where a move took it from and to.
    assert f'<span class="muted">category</span> {_shown("open_qa", "Open QA")}' in trail
    assert _shown("dolly/open_qa", "Dolly · Open QA") in trail
    assert _shown("dolly/general_qa", "Dolly · General QA") in trail
    assert "{&#x27;dataset&#x27;" not in trail
    # Other details are shown as recorded.
    assert '<span class="muted">revision</span> 1</span>' in trail


def _in_words(pair, data: dict) -> dict:
    event = AuditEvent(verb="pair.check", object_type="pair", object_id="-", data=data)
    audit_in_words(events=[event], pair=pair)
    assert event.data == data  # as recorded: the words are only for showing
    return event.details


def test_a_slug_names_the_category_in_the_pairs_dataset(alice, open_qa):
    # A category's slug is unique in its dataset only.
    other = Dataset.objects.create(name="Other", slug="other")
    Category.objects.create(dataset=other, slug="open_qa", name="Open questions")
    Category.objects.create(dataset=other, slug="riddles", name="Riddles")
    pair = make_pair(author=alice, category=open_qa)
    assert _in_words(pair, {"category": "open_qa"}) == {"category": _shown("open_qa", "Open QA")}
    # Not in the pair's dataset (it was moved out of it): named if only one dataset has it.
    assert _in_words(pair, {"category": "riddles"}) == {"category": _shown("riddles", "Riddles")}
    # What is not known is left as recorded.
    data = {"before": "nonsense", "category": "gone", "after": {"category": "gone"}}
    assert _in_words(pair, data) == data


def test_a_slug_recorded_before_a_move_names_the_category_of_then(as_ada, alice, ada, open_qa):
    other = Dataset.objects.create(name="Other", slug="other")
    elsewhere = Category.objects.create(dataset=other, slug="open_qa", name="Open questions")
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    licence_accept(user=alice, dataset=other)
    pair_move(pair=pair, by=ada, category=elsewhere)
    trail = _trail(as_ada, pair)
    # Started in Dolly's open_qa: the slug alone must not read as the new dataset's.
    assert f'<span class="muted">category</span> {_shown("open_qa", "Open QA")}' in trail
    assert _shown("other/open_qa", "Other · Open questions") in trail
