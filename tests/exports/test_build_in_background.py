"""Without a broker (make run) the build runs after the request, on a thread, with progress."""

import threading
import time

import pytest
from django.urls import reverse

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
    release_may_finish = threading.Event()
    real_write = Dolly.write

    def held_write(self, block):
        release_may_finish.wait(30)
        return real_write(self, block)

    monkeypatch.setattr(Dolly, "write", held_write)
    client.force_login(ada)
    response = client.post(reverse("exports:releases", args=["dolly"]), {"test_fraction": "0.1"})
    assert response.status_code == 302
    release = Release.objects.get()
    assert release.state in ("queued", "building")
    page = client.get(response["Location"])
    assert b"progress" in page.content.lower()

    release_may_finish.set()
    deadline = time.monotonic() + 30
    while release.state != "ready" and time.monotonic() < deadline:
        time.sleep(0.1)
        release.refresh_from_db()
    assert release.state == "ready" and release.version == 1
