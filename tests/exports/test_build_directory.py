"""Each attempt at a build gets a directory of its own; what killed builds left is swept,
and nothing else in the build root is touched."""

import pytest
from django.utils import timezone

from exports import building
from exports.building import build_directory
from exports.models import Release

TOKEN, OTHER = "a" * 32, "b" * 32


@pytest.fixture
def root(settings, tmp_path):
    settings.HANDWRITTEN_BUILD_DIR = tmp_path / "builds"
    return settings.HANDWRITTEN_BUILD_DIR


def _building(dolly, *, live: bool, token: str = TOKEN) -> Release:
    # Only its row matters here: made directly, as a release of no pairs cannot be asked for.
    release = Release.objects.create(
        dataset=dolly, filters={"categories": [], "test_fraction": 0.1}
    )
    beat = timezone.now() if live else timezone.now() - timezone.timedelta(days=1)
    Release.objects.filter(pk=release.pk).update(
        state=Release.State.BUILDING, started_at=beat, heartbeat_at=beat, build_token=token
    )
    return release


def test_a_dead_build_s_directory_is_swept_and_a_live_one_kept(dolly, root):
    dead, live = _building(dolly, live=False), _building(dolly, live=True)
    for release in (dead, live):
        (root / f"release-{release.pk}-{TOKEN}").mkdir(parents=True)
        (root / f"release-{release.pk}-{TOKEN}" / "dolly.jsonl").write_text("{}\n")

    mine = build_directory(12345, OTHER)

    assert sorted(path.name for path in root.iterdir()) == sorted(
        [f"release-{live.pk}-{TOKEN}", f"release-12345-{OTHER}"]
    )
    assert mine == root / f"release-12345-{OTHER}" and list(mine.iterdir()) == []


def test_a_directory_named_as_before_attempts_had_their_own_is_kept_while_live(dolly, root):
    dead, live = _building(dolly, live=False), _building(dolly, live=True)
    for release in (dead, live):
        (root / f"release-{release.pk}-build").mkdir(parents=True)

    build_directory(12345, OTHER)

    assert sorted(path.name for path in root.iterdir()) == sorted(
        [f"release-{live.pk}-build", f"release-12345-{OTHER}"]
    )


def test_the_attempt_given_up_on_and_its_successor_have_directories_of_their_own(dolly, root):
    """The earlier attempt may still be running: it removes only its own directory, never
    the one its successor builds in; the successor sweeps the earlier one's."""
    release = _building(dolly, live=True, token=TOKEN)
    earlier = build_directory(release.pk, TOKEN)
    (earlier / "dolly.jsonl").write_text("{}\n")
    Release.objects.filter(pk=release.pk).update(build_token=OTHER)  # taken over

    later = build_directory(release.pk, OTHER)

    assert later != earlier and not earlier.exists()
    assert list(later.iterdir()) == []
    (later / "dolly.jsonl").write_text("{}\n")
    build_directory(999, TOKEN)  # another release's build sweeps: the live attempt's stays
    assert (later / "dolly.jsonl").exists()


def test_the_directories_of_a_dead_builds_attempts_are_all_swept(dolly, root):
    release = _building(dolly, live=False)
    for token in (TOKEN, OTHER):
        (root / f"release-{release.pk}-{token}").mkdir(parents=True)

    build_directory(12345, TOKEN)

    assert [path.name for path in root.iterdir()] == [f"release-12345-{TOKEN}"]


def test_names_that_are_not_builds_are_left_alone(dolly, root):
    for name in ("release-x-y", "release-1-build.tmp", "notes"):
        (root / name).mkdir(parents=True)
    (root / "release-7-build").write_text("a file, not a build's directory")

    build_directory(1, TOKEN)

    assert sorted(path.name for path in root.iterdir()) == [
        "notes",
        f"release-1-{TOKEN}",
        "release-1-build.tmp",
        "release-7-build",
        "release-x-y",
    ]


def test_a_directory_made_after_the_listing_is_not_swept(dolly, root, monkeypatch):
    """Another worker may start a build between this one's listing and its sweep."""
    root.mkdir(parents=True)
    other = root / "release-99-build"
    real_filter = Release.objects.filter

    def filter_then_another_build_starts(*args, **kwargs):
        other.mkdir(exist_ok=True)  # another worker's build_directory, meanwhile
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(building.Release.objects, "filter", filter_then_another_build_starts)
    build_directory(1, TOKEN)

    assert other.is_dir()
