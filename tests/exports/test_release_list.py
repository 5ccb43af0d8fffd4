"""The dataset's Releases page: the list and the New release form."""

import pytest
from django.urls import reverse

from annotation.models import AuditEvent
from exports.models import Release
from tests.exports.conftest import approved_pair, build


@pytest.fixture
def url(dolly) -> str:
    return reverse("exports:releases", kwargs={"slug": "dolly"})


@pytest.fixture
def approved(dolly, open_qa, alice, ada):
    return approved_pair(author=alice, category=open_qa, by=ada)


def test_new_release_is_queued_then_built_by_the_task(
    as_ada, url, approved, ada, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_ada.post(
            url, {"notes": "Spring cut", "categories": ["open_qa"], "test_fraction": "0.25"}
        )
    assert len(callbacks) == 1
    release = Release.objects.get()
    assert response.status_code == 302
    # Named by id: the test's transaction holds the task back until the response is made.
    assert response["Location"] == reverse(
        "exports:release", kwargs={"slug": "dolly", "ref": str(release.pk)}
    )
    assert (release.state, release.version, release.built_by) == ("ready", 1, ada)
    assert release.notes == "Spring cut"
    assert release.filters == {"categories": ["open_qa"], "test_fraction": 0.25}
    assert AuditEvent.objects.filter(verb="release.create", object_id=str(release.pk)).exists()


def test_the_task_is_only_enqueued_after_commit(as_ada, url, approved, eager_tasks):
    # The test's transaction never commits, so nothing runs: the row stays queued.
    as_ada.post(url, {"test_fraction": "0.1"})
    release = Release.objects.get()
    assert (release.state, release.version) == ("queued", None)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"test_fraction": "1"}, "test_fraction", "at least 0 and below 1"),
        ({"test_fraction": "-0.1"}, "test_fraction", "at least 0 and below 1"),
        ({"test_fraction": "a tenth"}, "test_fraction", "Enter a number."),
        ({"test_fraction": ""}, "test_fraction", "This field is required."),
        ({"test_fraction": "0.1", "categories": ["nope"]}, "categories", "Select a valid choice"),
        (
            {"test_fraction": "0.1", "categories": ["summarization"]},
            "categories",
            "no approved pairs in these categories",
        ),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_kept(as_ada, url, approved, data, field, message):
    data = {"notes": "Keep these notes", **data}
    response = as_ada.post(url, data)
    assert response.status_code == 422
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert message.encode() in response.content
    assert b"Keep these notes" in response.content
    assert not Release.objects.exists()


def test_notes_with_control_characters_are_refused(as_ada, url, approved):
    response = as_ada.post(url, {"notes": "Escape \x1b[31m", "test_fraction": "0.1"})
    assert response.status_code == 422
    assert "control or replacement characters" in " ".join(response.context["form"].errors["notes"])
    assert not Release.objects.exists()


def test_notes_that_hide_text_are_refused(as_ada, url, approved):
    # The notes ship in the dataset card, where a bidi override would disguise them.
    response = as_ada.post(url, {"notes": "a\u202eb", "test_fraction": "0.1"})
    assert response.status_code == 422 and not Release.objects.exists()
    assert "bidi embedding or override (U+202E)" in " ".join(
        response.context["form"].errors["notes"]
    )


def test_a_second_click_shows_the_release_already_asked_for(as_ada, url, approved):
    data = {"notes": "Once", "categories": ["open_qa"], "test_fraction": "0.1"}
    first, second = as_ada.post(url, data), as_ada.post(url, data, follow=True)
    release = Release.objects.get()
    assert second.redirect_chain[-1][0] == first["Location"]
    assert b"The same release was already asked for" in second.content
    # Different notes or another selection is another release.
    as_ada.post(url, {**data, "notes": "Twice"})
    as_ada.post(url, {**data, "categories": []})
    assert Release.objects.count() == 3
    # Once built, the same request makes a new release (its changelog says nothing changed).
    Release.objects.filter(pk=release.pk).update(state=Release.State.READY, version=1)
    as_ada.post(url, data)
    assert Release.objects.count() == 4


def test_nothing_to_release_in_an_empty_dataset(as_ada, url):
    response = as_ada.post(url, {"test_fraction": "0.1"})
    assert response.status_code == 422
    assert b"no approved pairs in this dataset yet" in response.content


def test_lists_releases_newest_first_and_paginates(as_ada, url, dolly, settings):
    settings.HANDWRITTEN_PAGE_SIZE = 2
    releases = [Release.objects.create(dataset=dolly, notes=f"n{i}") for i in range(3)]
    first = as_ada.get(url)
    assert first.status_code == 200
    assert list(first.context["page"].object_list) == releases[::-1][:2]
    second = as_ada.get(url, {"page": 2})
    assert list(second.context["page"].object_list) == [releases[0]]
    assert first.context["form"]["test_fraction"].value() == 0.1


def test_the_form_says_what_the_newest_full_release_shipped(as_ada, url, dolly, approved):
    assert b"would ship now." in as_ada.get(url).content
    build(dolly)
    build(dolly, categories=["closed_qa", "open_qa"])  # of some categories: not compared
    page = as_ada.get(url).content.decode()
    assert (
        "1 approved pair would ship now. The latest release of all categories, v1, shipped 1 pair."
        in page
    )
