"""The one rule for which pairs ship, and the list of those an unconfirmed finding keeps out."""

import json

import pytest

from annotation.findings import findings_scan
from annotation.flags import finding_confirm, findings_record, unshippable_findings
from annotation.importing import pairs_import
from annotation.models import Dataset, Finding, Pair
from annotation.pairs import shipped_pairs
from annotation.submission import pair_retract
from annotation.workflow import S
from exports.models import ReleaseEntry
from exports.selection import entries_record
from exports.selection import shipped_pairs as release_rule
from exports.services import release_create
from tests.factories import make_pair

PHONE_TEXT = "Call the theatre on +44 20 7946 0958 for tickets."


@pytest.fixture
def clean(alice, open_qa):
    return make_pair(author=alice, category=open_qa, status=S.APPROVED)


def import_approved(tmp_path, *responses: str) -> list:
    """Approved pairs imported with ``responses``: their findings are kept unconfirmed."""
    path = tmp_path / "flagged.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {
                    "instruction": f"Question {n}: how do I reach the theatre box office?",
                    "context": "",
                    "response": response,
                    "category": "open_qa",
                }
            )
            + "\n"
            for n, response in enumerate(responses)
        )
    )
    before = set(Pair.objects.values_list("pk", flat=True))
    # The instructions differ only by their number: near-duplicates, kept on purpose here.
    pairs_import(
        path=path,
        dataset=Dataset.objects.get(slug="dolly"),
        status=S.APPROVED,
        keep_near_duplicates=True,
    )
    return list(Pair.objects.exclude(pk__in=before).order_by("pk"))


@pytest.fixture
def flagged(dolly, tmp_path):
    """An approved pair whose approved revision holds an unconfirmed phone number and
    e-mail address."""
    return import_approved(tmp_path, PHONE_TEXT + " Or mail box@corp.co.uk.")[0]


def test_an_unconfirmed_finding_keeps_the_pair_out(dolly, clean, flagged):
    assert list(shipped_pairs(dataset=dolly)) == [clean]
    assert release_rule is shipped_pairs  # releases use the same rule, not a copy


def test_once_every_finding_is_confirmed_the_pair_ships(dolly, ada, clean, flagged):
    rows = list(Finding.objects.filter(revision=flagged.approved_revision))
    finding_confirm(finding=rows[0], by=ada)
    assert list(shipped_pairs(dataset=dolly)) == [clean]
    finding_confirm(finding=rows[1], by=ada)
    assert set(shipped_pairs(dataset=dolly)) == {clean, flagged}


def test_a_finding_on_a_revision_that_is_not_the_approved_one_does_not_matter(
    dolly, open_qa, alice
):
    pair = make_pair(author=alice, category=open_qa, status=S.SUBMITTED)
    findings_record(
        revision=pair.current_revision, found=findings_scan(text_fields={"response": PHONE_TEXT})
    )
    assert list(shipped_pairs(dataset=dolly)) == []  # not approved at all
    assert unshippable_findings(dataset=dolly) == []


def test_unshippable_findings_lists_ids_and_kinds_never_values(dolly, ada, clean, flagged):
    assert unshippable_findings(dataset=dolly) == [(flagged.public_id, ["email", "phone"])]
    listed = repr(unshippable_findings(dataset=dolly))
    assert "7946" not in listed and "corp.co.uk" not in listed
    assert unshippable_findings(dataset=dolly, categories=["closed_qa"]) == []
    pair_retract(pair=flagged, by=ada, reason="Personal data.")
    assert unshippable_findings(dataset=dolly) == []


def test_unshippable_findings_stops_at_the_limit(dolly, tmp_path):
    import_approved(tmp_path, PHONE_TEXT, PHONE_TEXT + " Today.", PHONE_TEXT + " Tomorrow.")
    assert len(unshippable_findings(dataset=dolly)) == 3
    assert len(unshippable_findings(dataset=dolly, limit=2)) == 2


def test_a_release_records_no_entry_for_the_pair(dolly, clean, flagged):
    release = release_create(dataset=dolly, by=None, test_fraction=0.1)
    assert entries_record(release=release) == 1
    assert list(ReleaseEntry.objects.values_list("pair_id", flat=True)) == [clean.pk]
