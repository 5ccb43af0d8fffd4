"""Downloads: one file at a time, or the whole release as a zip, streamed."""

import io
import zipfile

import pytest
from django.urls import reverse

from exports.models import Release
from exports.services import release_create
from tests.exports.conftest import approved_pair, build, read


@pytest.fixture
def release(dolly, open_qa, closed_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada, instruction="Qu'est-ce que c'est ? 🧭")
    approved_pair(author=alice, category=closed_qa, by=ada)
    return build(dolly)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("name", "filename"),
    [("dolly.jsonl", "dolly-v1-dolly.jsonl"), ("data/train.parquet", "dolly-v1-train.parquet")],
)
def test_a_file_downloads_as_an_attachment(as_ada, release, name, filename):
    url = reverse("exports:file", kwargs={"slug": "dolly", "ref": "v1", "name": name})
    response = as_ada.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert _body(response) == read(release, name)


def test_the_zip_holds_every_file(as_ada, release):
    response = as_ada.get(reverse("exports:zip", kwargs={"slug": "dolly", "ref": "v1"}))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="dolly-v1.zip"'
    body = _body(response)
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = sorted(release.files.values_list("name", flat=True))
    assert archive.namelist() == [f"dolly-v1/{name}" for name in names]
    for name in names:
        assert archive.read(f"dolly-v1/{name}") == read(release, name)
    assert archive.testzip() is None
    again = _body(as_ada.get(reverse("exports:zip", kwargs={"slug": "dolly", "ref": "v1"})))
    assert again == body


def test_a_release_without_files_has_no_downloads(as_ada, release, dolly):
    queued = release_create(dataset=dolly, by=None, test_fraction=0.1)
    for url in (
        reverse("exports:zip", kwargs={"slug": "dolly", "ref": str(queued.pk)}),
        reverse("exports:file", kwargs={"slug": "dolly", "ref": queued.pk, "name": "dolly.jsonl"}),
    ):
        assert as_ada.get(url).status_code == 404
    assert Release.objects.filter(pk=queued.pk, state="queued").exists()
