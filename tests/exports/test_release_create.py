"""release_create refuses what no release can be made of, whoever asks (form or command)."""

import pytest
from django.core.exceptions import ValidationError

from exports.models import Release
from exports.services import release_create
from tests.exports.conftest import approved_pair


@pytest.fixture
def approved(dolly, open_qa, alice, ada):
    return approved_pair(author=alice, category=open_qa, by=ada)


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        ({"test_fraction": 1.0}, "test_fraction", "at least 0 and below 1"),
        ({"test_fraction": -0.5}, "test_fraction", "at least 0 and below 1"),
        ({"categories": ["open_qa", "nope"]}, "categories", "Unknown categories: nope."),
        ({"categories": ["closed_qa"]}, "categories", "no approved pairs in these categories"),
    ],
)
def test_refused_with_the_field_it_is_about(dolly, approved, arguments, field, message):
    arguments = {"test_fraction": 0.1, **arguments}
    with pytest.raises(ValidationError) as refused:
        release_create(dataset=dolly, by=None, **arguments)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Release.objects.exists()


def test_a_dataset_with_nothing_approved_is_refused(dolly, open_qa, alice):
    with pytest.raises(ValidationError, match="no approved pairs in this dataset yet"):
        release_create(dataset=dolly, by=None, test_fraction=0.1)
    assert not Release.objects.exists()


def test_a_valid_selection_is_queued(dolly, approved, ada):
    release = release_create(dataset=dolly, by=ada, categories=["open_qa"], test_fraction=0.1)
    assert (release.state, release.filters) == (
        "queued",
        {"categories": ["open_qa"], "test_fraction": 0.1},
    )
