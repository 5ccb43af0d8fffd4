import gc
import hashlib
import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from exports.models import Release
from tests.exports.conftest import approved_pair, read
from tests.integration.processes import ROOT, database_url


def test_builds_prints_the_version_and_writes_the_files(dolly, open_qa, alice, ada, tmp_path):
    approved_pair(author=alice, category=open_qa, by=ada)
    out = StringIO()
    call_command(
        "build_release", "--dataset", "dolly", "--notes", "From the shell", "--out",
        str(tmp_path / "v1"), stdout=out, stderr=StringIO(),
    )  # fmt: skip
    assert out.getvalue().strip() == "v1"
    release = Release.objects.get()
    assert (release.state, release.notes, release.built_by) == ("ready", "From the shell", None)
    folder = tmp_path / "v1"
    written = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert written == sorted(release.files.values_list("name", flat=True))
    assert "data/train.parquet" in written and "manifest.json" in written
    for name in written:
        assert (tmp_path / "v1" / name).read_bytes() == read(release, name)
    manifest = json.loads((tmp_path / "v1" / "manifest.json").read_text())
    for entry in manifest["files"]:
        data = (tmp_path / "v1" / entry["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]


def test_a_second_run_is_the_next_version(dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    for expected in ("v1", "v2"):
        out = StringIO()
        call_command("build_release", "--dataset", "dolly", stdout=out, stderr=StringIO())
        assert out.getvalue().strip() == expected


def test_unknown_dataset_is_a_clear_error(dolly):
    with pytest.raises(CommandError, match="No dataset 'nope'. Known datasets: dolly."):
        call_command("build_release", "--dataset", "nope")
    assert not Release.objects.exists()


def test_nothing_to_release_is_a_clear_error_and_makes_no_release(dolly, open_qa, alice, ada):
    with pytest.raises(
        CommandError, match="Nothing to release: there are no approved pairs in this dataset yet"
    ):
        call_command("build_release", "--dataset", "dolly")
    approved_pair(author=alice, category=open_qa, by=ada)
    with pytest.raises(CommandError, match="no approved pairs in these categories"):
        call_command("build_release", "--dataset", "dolly", "--category", "closed_qa")
    assert not Release.objects.exists()


def test_a_failed_build_exits_with_its_error(dolly, open_qa, alice, ada, monkeypatch):
    from exports.formats.dolly import Dolly

    approved_pair(author=alice, category=open_qa, by=ada)

    def broken(self, block):
        raise ValueError("cannot encode")

    monkeypatch.setattr(Dolly, "write", broken)
    with pytest.raises(CommandError, match="failed: ValueError: cannot encode"):
        call_command("build_release", "--dataset", "dolly", stderr=StringIO())
    assert Release.objects.get().state == "failed"


@pytest.mark.postgres
def test_run_as_a_process_of_its_own(transactional_db, dolly, open_qa, alice, ada, media_root):
    """As an admin runs it, through manage.py (run_from_argv, which call_command skips)."""
    if connection.vendor != "postgresql":
        pytest.skip("a process of its own needs the test database on a server")
    approved_pair(author=alice, category=open_qa, by=ada)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(media_root),
        "SECRET_KEY": settings.SECRET_KEY,
        "HANDWRITTEN_TESTING": "1",
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "build_release", "--dataset", "dolly"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stdout.strip()) == (0, "v1"), done.stderr
    release = Release.objects.get()
    assert (release.state, release.total_count) == ("ready", 1)
    assert json.loads(read(release, "dolly.jsonl"))["category"] == "open_qa"


def test_run_as_a_process_of_its_own_it_freezes_start_ups_objects_first(monkeypatch):
    """What start-up made is frozen before the command runs (see run_from_argv)."""
    from django.core.management.base import BaseCommand

    from exports.management.commands.build_release import Command

    calls = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(BaseCommand, "run_from_argv", lambda self, argv: calls.append(argv))
    Command().run_from_argv(["manage.py", "build_release", "--dataset", "dolly"])
    assert calls == ["freeze", ["manage.py", "build_release", "--dataset", "dolly"]]
