"""entries_record: a release's entries, each in its split."""

import pytest

from exports.models import ReleaseEntry
from exports.selection import entries_record
from exports.services import release_create
from tests.exports.conftest import approved_pair, split_of


@pytest.fixture
def pairs(dolly, open_qa, alice, ada):
    return [approved_pair(author=alice, category=open_qa, by=ada) for _ in range(3)]


def test_each_approved_pair_is_an_entry_of_its_approved_revision_in_its_split(dolly, pairs):
    release = release_create(dataset=dolly, by=None, test_fraction=0.5)
    assert entries_record(release=release) == 3
    for pair in pairs:
        entry = ReleaseEntry.objects.get(release=release, pair=pair)
        assert entry.revision_id == pair.approved_revision_id
        assert entry.split == split_of(str(pair.public_id), 0.5)
