"""A build given up on while it uploads, and taken over by another: the two attempts
share nothing on disk, so the one given up on stops without touching its successor's
files, and the successor publishes."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from exports import publishing
from exports.attempts import STALE_AFTER
from exports.building import release_build
from exports.models import Release
from exports.services import release_create
from tests.exports.conftest import approved_pair

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_attempt_given_up_on_leaves_its_successors_files_alone(
    dolly, open_qa, alice, ada, settings, tmp_path, monkeypatch
):
    settings.HANDWRITTEN_BUILD_DIR = tmp_path / "builds"
    for _ in range(3):
        approved_pair(author=alice, category=open_qa, by=ada)
    release = release_create(dataset=dolly, by=None, test_fraction=0.1)
    store, outcome = publishing._store, {}
    later_storing, earlier_done = threading.Event(), threading.Event()

    def later_attempt() -> None:
        try:
            outcome["later"] = release_build(release_id=release.pk)
        finally:
            connection.close()

    def slow_store(prefix: str, file) -> str:
        if threading.current_thread().name == "later":
            if not later_storing.is_set():
                later_storing.set()
                earlier_done.wait(30)  # stores once the earlier attempt has ended
        elif not outcome:
            # The earlier attempt's first upload outlasts STALE_AFTER: another takes over.
            outcome["earlier"] = "stalled"
            Release.objects.filter(pk=release.pk).update(
                heartbeat_at=timezone.now() - STALE_AFTER - timedelta(seconds=5)
            )
            threading.Thread(target=later_attempt, name="later").start()
            later_storing.wait(30)
        return store(prefix, file)

    monkeypatch.setattr(publishing, "_store", slow_store)
    release_build(release_id=release.pk)
    earlier_done.set()
    for thread in threading.enumerate():
        if thread.name == "later":
            thread.join(60)

    release.refresh_from_db()
    assert (release.state, release.error) == ("ready", "")
    assert outcome["later"].pk == release.pk
