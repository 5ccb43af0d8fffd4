"""entries_select: a release's entries, each in its split, and when statistics are renewed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exports import selection
from exports.models import ReleaseEntry
from exports.selection import entries_select, split_of
from exports.services import release_create
from tests.exports.conftest import approved_pair


@pytest.fixture
def pairs(dolly, open_qa, alice, ada):
    return [approved_pair(author=alice, category=open_qa, by=ada) for _ in range(3)]


def _analyzed(dolly) -> tuple[int, bool]:
    release = release_create(dataset=dolly, by=None, test_fraction=0.5)
    with CaptureQueriesContext(connection) as queries:
        count = entries_select(release=release)
    assert ReleaseEntry.objects.filter(release=release).count() == count
    return count, any(q["sql"].startswith("ANALYZE") for q in queries.captured_queries)


def test_each_approved_pair_is_an_entry_of_its_approved_revision_in_its_split(dolly, pairs):
    release = release_create(dataset=dolly, by=None, test_fraction=0.5)
    assert entries_select(release=release) == 3
    for pair in pairs:
        entry = ReleaseEntry.objects.get(release=release, pair=pair)
        assert entry.revision_id == pair.approved_revision_id
        assert entry.split == split_of(str(pair.public_id), 0.5)


def test_statistics_are_renewed_for_a_large_release_only(dolly, pairs, monkeypatch):
    monkeypatch.setattr(selection, "ANALYZE_FROM_ROWS", 4)
    assert _analyzed(dolly) == (3, False)
    monkeypatch.setattr(selection, "ANALYZE_FROM_ROWS", 3)
    assert _analyzed(dolly) == (3, True)
