"""Without a broker (make run) the build runs after the request, on a thread, with progress."""

import threading

import pytest
from django.urls import reverse

from exports import building
from exports.models import Release
from tests.exports.conftest import approved_pair


@pytest.fixture
def background(settings):
    settings.HANDWRITTEN_BUILD_IN_BACKGROUND = True


@pytest.mark.django_db(transaction=True)
def test_the_request_returns_before_the_build_and_the_page_shows_it_building(
    background, client, dolly, open_qa, alice, ada, monkeypatch
):
    from exports.formats.dolly import Dolly

    approved_pair(author=alice, category=open_qa, by=ada)
    writing, release_may_finish = threading.Event(), threading.Event()
    real_write = Dolly.write

    def held_write(self, block):
        writing.set()
        release_may_finish.wait(30)
        return real_write(self, block)

    # The thread starts when the request's transaction commits, while the request still
    # writes its session. SQLite's in-memory test database refuses, rather than waits
    # for, a write that meets another connection's: the build starts its work once the
    # request has returned (a file database, as under make run, waits instead).
    request_returned = threading.Event()
    real_start = building.attempt_start

    def start_after_the_request(**kwargs):
        request_returned.wait(30)
        return real_start(**kwargs)

    monkeypatch.setattr(Dolly, "write", held_write)
    monkeypatch.setattr(building, "attempt_start", start_after_the_request)
    client.force_login(ada)
    response = client.post(reverse("exports:releases", args=["dolly"]), {"test_fraction": "0.1"})
    request_returned.set()
    assert response.status_code == 302
    # The request has returned; the build is writing its rows on a thread of its own.
    assert writing.wait(30)
    (builder,) = [t for t in threading.enumerate() if t.name.startswith("release-")]
    release = Release.objects.get()
    assert (release.state, release.rows_total) == ("building", 1)
    page = client.get(response["Location"])
    assert b"<progress" in page.content and b'hx-trigger="every 1s"' in page.content

    # (SQLite's in-memory test database refuses, rather than waits for, a read that
    # meets another connection's write: nothing is read until the build is done.)
    release_may_finish.set()
    builder.join(30)
    release.refresh_from_db()
    assert release.state == "ready" and release.version == 1
