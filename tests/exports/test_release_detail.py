"""The release page: live progress while it builds, files when ready, the error when failed."""

import pytest
from django.urls import reverse
from django.utils import timezone

from exports.attempts import STALE_AFTER, attempt_start
from exports.building import release_build
from exports.models import Release
from exports.services import release_create
from tests.exports.conftest import approved_pair, build

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def building(dolly, open_qa, alice, ada) -> Release:
    approved_pair(author=alice, category=open_qa, by=ada)
    release = release_create(dataset=dolly, by=ada, test_fraction=0.1)
    attempt_start(release_id=release.pk)
    Release.objects.filter(pk=release.pk).update(rows_total=200, rows_written=50)
    release.refresh_from_db()
    return release


def _url(release) -> str:
    return reverse("exports:release", kwargs={"slug": "dolly", "ref": release.ref})


def test_a_building_release_polls_its_progress(as_ada, building):
    page = as_ada.get(_url(building))
    assert page.status_code == 200
    assert b'hx-trigger="every 1s"' in page.content
    assert b'<progress max="200" value="50">' in page.content
    assert b"50 of 200 rows written (25%)" in page.content

    fragment = as_ada.get(_url(building), **HTMX)
    assert fragment.content.lstrip().startswith(b'<section id="release-status"')
    assert b"<html" not in fragment.content
    assert b'hx-trigger="every 1s"' in fragment.content


def test_before_its_rows_are_counted_it_says_what_it_waits_for(as_ada, dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    release = release_create(dataset=dolly, by=ada, test_fraction=0.1)
    queued = as_ada.get(_url(release)).content
    assert b"Waiting for the worker" in queued and b"rows written" not in queued
    attempt_start(release_id=release.pk)
    page = as_ada.get(_url(release)).content
    assert b"Choosing the pairs this release ships" in page
    assert b"rows written" not in page


def test_polling_stops_once_ready_and_shows_the_files(as_ada, dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    release = build(dolly, by=ada)
    fragment = as_ada.get(
        reverse("exports:release", kwargs={"slug": "dolly", "ref": str(release.pk)}), **HTMX
    )
    assert b"hx-trigger" not in fragment.content
    assert b"Ready" in fragment.content
    for file in release.files.all():
        assert file.sha256.encode() in fragment.content
        assert (
            reverse(
                "exports:file", kwargs={"slug": "dolly", "ref": "v1", "name": file.name}
            ).encode()
            in fragment.content
        )
    assert reverse("exports:zip", kwargs={"slug": "dolly", "ref": "v1"}).encode() in (
        fragment.content
    )


def test_a_failed_release_shows_its_error(as_ada, building):
    Release.objects.filter(pk=building.pk).update(
        state=Release.State.FAILED, error="OSError: No space left on device <disk>"
    )
    page = as_ada.get(_url(building))
    assert b"hx-trigger" not in page.content
    assert b"The build failed." in page.content
    assert b"OSError: No space left on device &lt;disk&gt;" in page.content


def test_a_stalled_build_can_be_restarted(as_ada, building, eager_tasks):
    assert b"Restart the build" not in as_ada.get(_url(building)).content
    Release.objects.filter(pk=building.pk).update(
        heartbeat_at=timezone.now() - STALE_AFTER - timezone.timedelta(minutes=1)
    )
    assert b"Restart the build" in as_ada.get(_url(building)).content
    restart = reverse("exports:restart", kwargs={"slug": "dolly", "ref": building.ref})
    response = as_ada.post(restart, follow=True)
    assert b"handed to the worker again" in response.content


def test_a_live_build_is_not_restarted(as_ada, building):
    restart = reverse("exports:restart", kwargs={"slug": "dolly", "ref": building.ref})
    response = as_ada.post(restart, follow=True)
    assert b"Only a build that has stalled can be restarted." in response.content
    assert as_ada.get(restart).status_code == 405


def test_counts_are_listed_by_name_and_train_first(as_ada, dolly, open_qa, closed_qa, alice, ada):
    for category in (open_qa, closed_qa, open_qa):
        approved_pair(author=alice, category=category, by=ada)
    release = build(dolly, by=ada, test_fraction=0.5)
    # As PostgreSQL's jsonb hands them back: shorter keys first.
    Release.objects.filter(pk=release.pk).update(
        counts={"categories": {"open_qa": 2, "closed_qa": 1}, "splits": {"test": 1, "train": 2}}
    )
    page = as_ada.get(_url(release)).content.decode()
    closed, opened = (
        f'<td>{name} <code class="small muted">{slug}</code></td>'
        for name, slug in (("Closed QA", "closed_qa"), ("Open QA", "open_qa"))
    )
    assert page.index(closed) < page.index(opened)
    assert page.index("<td>train</td>") < page.index("<td>test</td>")


def test_a_filtered_release_says_what_it_is(as_ada, dolly, open_qa, closed_qa, alice, ada):
    from django.urls import reverse

    from tests.exports.conftest import approved_pair, build

    approved_pair(author=alice, category=open_qa, by=ada)
    release = build(dolly, categories=["open_qa"])
    page = as_ada.get(reverse("exports:release", args=["dolly", release.ref]))
    assert b"A filtered release: only open_qa." in page.content


def test_the_last_poll_names_the_release_by_its_version(as_ada, dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    release = release_create(dataset=dolly, by=ada, test_fraction=0.1)
    polled = reverse("exports:release", kwargs={"slug": "dolly", "ref": str(release.pk)})
    building = as_ada.get(polled, **HTMX)
    assert "HX-Replace-Url" not in building.headers and b"<title>" not in building.content
    release_build(release_id=release.pk)
    ready = as_ada.get(polled, **HTMX)
    assert ready.headers["HX-Replace-Url"] == reverse(
        "exports:release", kwargs={"slug": "dolly", "ref": "v1"}
    )
    assert ready.content.lstrip().startswith(b"<title>Dolly v1 \xc2\xb7 Handwritten</title>")
