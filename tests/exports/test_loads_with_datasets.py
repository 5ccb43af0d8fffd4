"""Every file of a release loads with the Hugging Face ``datasets`` library, where it is
installed: the JSON lines and Parquet files by themselves, and the release's folder by its
card, the default configuration and the preference one."""

import json

import pytest

from exports.storage import release_storage
from tests.exports.conftest import approved_pair, build, place_in_splits
from tests.exports.test_preference_and_stats import edited_pair  # noqa: F401 - a fixture

datasets = pytest.importorskip("datasets")


def _download(release, directory):
    for file in release.files.all():
        target = directory / file.name
        target.parent.mkdir(parents=True, exist_ok=True)
        with release_storage().open(file.storage_path, "rb") as source:
            target.write_bytes(source.read())
    return directory


def test_every_file_and_configuration_loads(
    dolly,
    open_qa,
    alice,
    ada,
    tmp_path,
    edited_pair,  # noqa: F811 - the fixture imported above
):
    for _ in range(4):
        approved_pair(author=alice, category=open_qa, by=ada)
    place_in_splits(dolly, ["train", "test", "train", "test", "train"], 0.5)
    release = build(dolly, test_fraction=0.5)
    folder = _download(release, tmp_path / "release")
    cache = str(tmp_path / "cache")
    for name in ("dolly.jsonl", "full.jsonl", "messages.jsonl", "preference.jsonl"):
        rows = datasets.load_dataset(
            "json", data_files=str(folder / name), split="train", cache_dir=cache
        )
        assert rows.num_rows == (1 if name == "preference.jsonl" else 5), name
    alpaca = datasets.load_dataset(
        "json", data_files=str(folder / "alpaca.json"), split="train", cache_dir=cache
    )
    assert alpaca.column_names == ["instruction", "input", "output"] and alpaca.num_rows == 5
    default = datasets.load_dataset(str(folder), cache_dir=cache)
    assert {name: split.num_rows for name, split in default.items()} == {"train": 3, "test": 2}
    preference = datasets.load_dataset(str(folder), "preference", split="train", cache_dir=cache)
    assert preference.column_names == ["prompt", "chosen", "rejected", "category", "id"]
    assert json.loads((folder / "stats.json").read_text())["pairs"] == 5


@pytest.mark.parametrize("split", ["train", "test"])
def test_a_release_with_one_split_empty_loads(dolly, open_qa, alice, ada, tmp_path, split):
    """A small release can put every pair in one split; the card then names only that one."""
    for _ in range(2):
        approved_pair(author=alice, category=open_qa, by=ada)
    place_in_splits(dolly, [split, split], 0.5)
    folder = _download(build(dolly, test_fraction=0.5), tmp_path / "release")
    default = datasets.load_dataset(str(folder), cache_dir=str(tmp_path / "cache"))
    assert {name: rows.num_rows for name, rows in default.items()} == {split: 2}
