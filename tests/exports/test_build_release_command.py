import hashlib
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from exports.models import Release
from tests.exports.conftest import approved_pair, read


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


def test_a_failed_build_exits_with_its_error(dolly, open_qa, alice, ada, monkeypatch):
    from exports.formats.dolly import Dolly

    approved_pair(author=alice, category=open_qa, by=ada)

    def broken(self, block):
        raise ValueError("cannot encode")

    monkeypatch.setattr(Dolly, "write", broken)
    with pytest.raises(CommandError, match="failed: ValueError: cannot encode"):
        call_command("build_release", "--dataset", "dolly", stderr=StringIO())
    assert Release.objects.get().state == "failed"
