"""preference.jsonl from accepted edits, and stats.json with its figures in the card."""

import json

import pytest

from annotation.importing import pairs_import
from annotation.models import Pair
from annotation.submission import pair_move
from review.edits import edit_accept, edit_take_next
from tests.exports.conftest import approved_pair, build, read
from tests.factories import make_pair, resubmit
from tests.review.conftest import decide, edited

BETTER = "A corrected, complete and hand-written response to the question."


@pytest.fixture
def edited_pair(alice, bob, rita, closed_qa):
    """A pair approved through bob's edit of its response, which rita accepted."""
    pair = make_pair(author=alice, category=closed_qa, context="Some context to read from.")
    first = pair.current_revision.response
    decide(
        pair, bob, "approve_with_edit", comment="Fixed a fact.", edit=edited(pair, response=BETTER)
    )
    edit_take_next(reviewer=rita)
    edit_accept(proposal=pair.edit_proposals.get(), by=rita)
    pair.refresh_from_db()
    return pair, first


def test_every_accepted_edit_is_a_preference_pair(dolly, edited_pair, alice, ada, open_qa):
    pair, first = edited_pair
    approved_pair(author=alice, category=open_qa, by=ada)  # never edited
    release = build(dolly)
    assert release.state == "ready", release.error
    lines = read(release, "preference.jsonl").decode().splitlines()
    revision = pair.approved_revision
    assert [json.loads(line) for line in lines] == [
        {
            "prompt": f"{revision.instruction}\n\n{revision.context}",
            "chosen": BETTER,
            "rejected": first,
            "category": "closed_qa",
            "id": str(pair.public_id),
        }
    ]
    manifest = json.loads(read(release, "manifest.json"))
    assert "preference.jsonl" in [f["name"] for f in manifest["files"]]
    card = read(release, "README.md").decode()
    assert "- config_name: preference\n  data_files: data/preference.parquet\n" in card
    assert "- `preference.jsonl`, `data/preference.parquet`: a preference pair" in card
    assert "preference.jsonl" in read(release, "CHANGELOG.md").decode()


def test_an_edit_that_took_out_unconfirmed_personal_data_is_no_preference(
    dolly, bob, rita, edited_pair, tmp_path
):
    # The pair ships (its approved text is clean), but the text the edit replaced holds an
    # address nobody confirmed (an import keeps it, flagged): as "rejected" it would ship.
    address = "jane.doe@gmail.com"
    line = {
        "instruction": "How do I get a ticket for the spring meetup?",
        "context": "",
        "response": f"Write to the organiser at {address} for a ticket.",
        "category": "open_qa",
    }
    (tmp_path / "in.jsonl").write_text(json.dumps(line) + "\n")
    pairs_import(path=tmp_path / "in.jsonl", dataset=dolly)
    pair = Pair.objects.get(current_revision__response=line["response"])
    finding = pair.current_revision.findings.get()
    assert (finding.kind, finding.confirmed_at) == ("email", None)
    decide(pair, bob, "approve_with_edit", edit=edited(pair, response=BETTER))
    edit_take_next(reviewer=rita)
    edit_accept(proposal=pair.edit_proposals.get(), by=rita)

    release = build(dolly)

    assert release.entries.filter(pair=pair).exists()
    shipped = read(release, "preference.jsonl").decode()
    assert address not in shipped
    assert [json.loads(line)["id"] for line in shipped.splitlines()] == [
        str(edited_pair[0].public_id)
    ]


def test_a_release_without_edits_has_no_preference_file(dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    release = build(dolly)
    assert not release.files.filter(name="preference.jsonl").exists()
    card = read(release, "README.md").decode()
    assert "config_name: preference" not in card and "preference.jsonl" not in card


def test_stats_count_lengths_and_scores_per_category(dolly, open_qa, closed_qa, alice, ada, bob):
    approved_pair(author=alice, category=open_qa, by=ada, response="Four words in here.")
    approved_pair(author=alice, category=open_qa, by=ada, response="Two words")
    approved_pair(author=alice, category=closed_qa, by=ada, context="A context of six words.")
    release = build(dolly)
    stats = json.loads(read(release, "stats.json"))
    assert stats["pairs"] == 3 and sum(stats["splits"].values()) == 3
    open_ = stats["categories"]["open_qa"]
    assert open_["pairs"] == 2
    response = open_["lengths"]["response"]
    assert response["mean_chars"] == (len("Four words in here.") + len("Two words")) / 2
    assert response["max_chars"] == len("Four words in here.")
    assert response["chars_histogram"] == {"16-31": 1, "8-15": 1}
    context = stats["categories"]["closed_qa"]["lengths"]["context"]
    assert context["mean_chars"] == len("A context of six words.")
    card = read(release, "README.md").decode()
    assert "## Lengths" in card and "| open_qa | 2 | " in card


@pytest.fixture
def edit_short_of_reviews(alice, ada, bob, rita, closed_qa) -> Pair:
    """An approved pair whose improvement bob edited and rita accepted, but which needs a
    third review: the edit's text is not approved."""
    closed_qa.reviews_required = 3
    closed_qa.save()
    context = "Some context to read from."
    pair = approved_pair(author=alice, category=closed_qa, by=ada, context=context)
    improved = resubmit(pair, response="An improvement nobody approved yet.")
    decide(improved, bob, "approve_with_edit", edit=edited(improved, response=BETTER))
    edit_take_next(reviewer=rita)
    edit_accept(proposal=pair.edit_proposals.get(), by=rita)
    pair.refresh_from_db()
    return pair


def test_an_edit_of_text_not_yet_approved_is_no_preference(dolly, edit_short_of_reviews):
    """An improvement under review, edited and accepted, but short of its reviews: the
    release ships the approved text, and neither side of the edit, unapproved, ships."""
    pair = edit_short_of_reviews
    assert pair.status == Pair.Status.SUBMITTED and pair.current_revision.response == BETTER

    release = build(dolly)

    assert release.state == "ready", release.error
    assert not release.files.filter(name="preference.jsonl").exists()
    assert b"nobody approved" not in read(release, "full.jsonl")


def test_an_edit_never_approved_stays_out_after_a_move(dolly, ada, edit_short_of_reviews):
    """Revision numbers are no proof of approval: a move copies the approved text into a
    revision numbered after an edit that never got its reviews."""
    pair = edit_short_of_reviews
    decide(pair, ada, "request_changes", comment="Say where the figures come from.")
    pair.refresh_from_db()
    moved = pair_move(pair=pair, by=ada, category=dolly.categories.get(slug="summarization"))
    assert moved.approved_revision.number > pair.edit_proposals.get().result_revision.number

    release = build(dolly)

    assert release.state == "ready", release.error
    assert not release.files.filter(name="preference.jsonl").exists()
