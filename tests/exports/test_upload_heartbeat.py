"""Storing a file keeps the build's heartbeat: one long upload to an object store no
longer makes a live build look dead, and a beat that finds the release taken over stops
the build once the upload ends."""

import time
from datetime import timedelta

import pytest

from exports import attempts, publishing
from exports.attempts import Heartbeat, Superseded, attempt_start, is_stale
from exports.building import release_build
from exports.models import Release
from exports.services import release_create
from tests.exports.conftest import approved_pair

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def release(dolly, open_qa, alice, ada) -> Release:
    approved_pair(author=alice, category=open_qa, by=ada)
    return release_create(dataset=dolly, by=None, test_fraction=0.1)


def test_a_long_upload_keeps_the_build_alive(release, monkeypatch):
    # As if STALE_AFTER were 2 s, and the first file took 3 s to upload.
    monkeypatch.setattr(attempts, "STALE_AFTER", timedelta(seconds=2))
    store, seen = publishing._store, []

    def slow_store(prefix: str, file) -> str:
        if not seen:
            time.sleep(3)
            seen.append(is_stale(Release.objects.get(pk=release.pk)))
        return store(prefix, file)

    monkeypatch.setattr(publishing, "_store", slow_store)
    assert release_build(release_id=release.pk).state == "ready"
    assert seen == [False]


def test_a_beat_that_finds_the_release_taken_over_ends_the_upload_superseded(release):
    heartbeat = Heartbeat(attempt_start(release_id=release.pk))
    with pytest.raises(Superseded), heartbeat.kept_alive(0):
        Release.objects.filter(pk=release.pk).update(build_token="another attempt's")
        time.sleep(1.5)
