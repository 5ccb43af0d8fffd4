"""Only admins reach any release page or file; everyone else gets nothing, whatever the id."""

import pytest
from django.urls import reverse

from tests.exports.conftest import approved_pair, build


@pytest.fixture
def release(dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    return build(dolly)


def _urls(release) -> list[tuple[str, str]]:
    ref = {"slug": "dolly", "ref": release.ref}
    return [
        ("get", reverse("exports:datasets")),
        ("get", reverse("exports:releases", kwargs={"slug": "dolly"})),
        ("post", reverse("exports:releases", kwargs={"slug": "dolly"})),
        ("get", reverse("exports:release", kwargs=ref)),
        ("get", reverse("exports:release", kwargs={"slug": "dolly", "ref": str(release.pk)})),
        ("post", reverse("exports:restart", kwargs=ref)),
        ("get", reverse("exports:file", kwargs={**ref, "name": "dolly.jsonl"})),
        ("get", reverse("exports:file", kwargs={**ref, "name": "data/train.parquet"})),
        ("get", reverse("exports:zip", kwargs=ref)),
    ]


@pytest.mark.parametrize("persona", ["as_carol", "as_alice", "as_bob"])
def test_people_without_the_admin_role_get_403_everywhere(request, release, persona):
    client = request.getfixturevalue(persona)
    for method, url in _urls(release):
        response = getattr(client, method)(url)
        assert response.status_code == 403, (persona, method, url)
        assert b"dolly.jsonl" not in response.content


def test_anonymous_visitors_are_sent_to_sign_in(client, release):
    for method, url in _urls(release):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("login"))


def test_nothing_was_created_by_refused_posts(request, release):
    for persona in ("as_carol", "as_alice", "as_bob"):
        request.getfixturevalue(persona).post(
            reverse("exports:releases", kwargs={"slug": "dolly"}), {"test_fraction": "0.1"}
        )
    assert release.dataset.releases.count() == 1


def test_an_admin_reaches_every_page(as_ada, release):
    for method, url in _urls(release):
        if method == "get":
            assert as_ada.get(url).status_code == 200, url


def test_ids_of_another_dataset_or_unknown_files_are_404(as_ada, release):
    from annotation.models import Dataset

    Dataset.objects.create(name="Other", slug="other")
    ref = {"slug": "dolly", "ref": release.ref}
    missing = [
        reverse("exports:release", kwargs={"slug": "other", "ref": release.ref}),
        reverse("exports:release", kwargs={"slug": "other", "ref": str(release.pk)}),
        reverse("exports:file", kwargs={"slug": "other", "ref": "v1", "name": "dolly.jsonl"}),
        reverse("exports:zip", kwargs={"slug": "other", "ref": "v1"}),
        reverse("exports:release", kwargs={"slug": "dolly", "ref": "v2"}),
        reverse("exports:release", kwargs={"slug": "dolly", "ref": "999999"}),
        reverse("exports:releases", kwargs={"slug": "nope"}),
        reverse("exports:file", kwargs={**ref, "name": "secret.txt"}),
        reverse("exports:file", kwargs={**ref, "name": "data"}),
        reverse("exports:file", kwargs={**ref, "name": "../../../config/settings.py"}),
        reverse("exports:file", kwargs={**ref, "name": "data/../dolly.jsonl"}),
        "/releases/dolly/v1/files/%2e%2e/%2e%2e/manage.py",
    ]
    for url in missing:
        assert as_ada.get(url).status_code == 404, url
