"""Release files in an S3-compatible object store: built, listed, downloaded, discarded."""

import hashlib
import json
import urllib.request

import pytest
from django.urls import reverse

from exports import publishing
from exports.models import Release
from tests.exports.conftest import approved_pair, build, read
from tests.exports.object_store import object_store  # noqa: F401 - a fixture


@pytest.fixture
def s3(settings, object_store):  # noqa: F811
    settings.STORAGES = {**settings.STORAGES, "releases": object_store.storage}
    return object_store


def test_a_release_is_stored_in_the_bucket_and_nowhere_on_disk(
    s3, dolly, open_qa, alice, ada, media_root
):
    approved_pair(author=alice, category=open_qa, by=ada)
    release = build(dolly)
    assert release.state == "ready", release.error
    paths = sorted(release.files.values_list("storage_path", flat=True))
    assert s3.keys() == paths
    assert not media_root.exists() or not any(media_root.rglob("*.jsonl"))
    manifest = json.loads(read(release, "manifest.json"))
    for entry in manifest["files"]:
        assert hashlib.sha256(read(release, entry["name"])).hexdigest() == entry["sha256"]


def test_a_download_is_checked_then_redirected_to_a_short_lived_link(
    s3, as_ada, client, bob, dolly, open_qa, alice, ada
):
    approved_pair(author=alice, category=open_qa, by=ada)
    release = build(dolly)
    url = reverse("exports:file", args=["dolly", release.ref, "dolly.jsonl"])

    client.force_login(bob)  # a reviewer, not an admin
    assert client.get(url).status_code == 403

    response = as_ada.get(url)
    assert response.status_code == 302
    link = response["Location"]
    assert link.startswith(f"{s3.endpoint}/") and "X-Amz-Expires=300" in link
    with urllib.request.urlopen(link) as download:  # noqa: S310 - the test's own server
        assert download.read() == read(release, "dolly.jsonl")
        assert 'filename="dolly-v1-dolly.jsonl"' in download.headers["Content-Disposition"]


def test_a_link_is_signed_for_where_browsers_reach_the_store(
    s3, settings, as_ada, dolly, open_qa, alice, ada
):
    # The web reaches the store at 127.0.0.1, browsers at localhost (compose: minio:9000
    # inside, localhost:9000 outside): a link signed for one host fails at the other.
    public = s3.endpoint.replace("127.0.0.1", "localhost")
    settings.RELEASES_PUBLIC_ENDPOINT_URL = public
    approved_pair(author=alice, category=open_qa, by=ada)
    release = build(dolly)

    link = as_ada.get(reverse("exports:file", args=["dolly", release.ref, "dolly.jsonl"]))

    assert link["Location"].startswith(f"{public}/")
    with urllib.request.urlopen(link["Location"]) as download:  # noqa: S310 - the test's own
        assert download.read() == read(release, "dolly.jsonl")


def test_the_zip_streams_from_the_bucket(s3, as_ada, dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    release = build(dolly)
    response = as_ada.get(reverse("exports:zip", args=["dolly", release.ref]))
    assert response.status_code == 200
    assert len(b"".join(response.streaming_content)) > 0


def test_a_failed_publish_leaves_nothing_in_the_bucket(s3, dolly, open_qa, alice, ada, monkeypatch):
    approved_pair(author=alice, category=open_qa, by=ada)
    real_store = publishing._store
    stored = []

    def fail_on_fourth(prefix, written):
        if len(stored) == 3:
            raise ConnectionError("storage went away")
        stored.append(real_store(prefix, written))
        return stored[-1]

    monkeypatch.setattr(publishing, "_store", fail_on_fourth)
    release = build(dolly)
    assert release.state == Release.State.FAILED and len(stored) == 3
    assert s3.keys() == []
