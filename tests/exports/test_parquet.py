"""The Parquet splits, written from blocks of rows on their own thread."""

import json
import uuid

import pyarrow.parquet as pq
import pytest

from exports import parquet
from exports.parquet import PARQUET_SCHEMA, ParquetSplits
from exports.writers import Block

TEXTS = ["plain", 'quote " and \\ backslash', "line\nbreak\ttab", "emoji 🧪 and 中文", "\x01\u2028"]


def _rows(count: int) -> list[dict]:
    return [
        {
            "instruction": f"Instruction {i}: {TEXTS[i % len(TEXTS)]}",
            "context": "" if i % 3 else TEXTS[(i + 1) % len(TEXTS)] * (i + 1),
            "response": f"Response {i} {TEXTS[(i + 2) % len(TEXTS)]}",
            "category": ["open_qa", "closed_qa"][i % 2],
            "id": str(uuid.UUID(int=i + 1)),
            "split": "test" if i % 4 == 0 else "train",
        }
        for i in range(count)
    ]


def _block(rows: list[dict]) -> Block:
    def fragment(name: str, value: str) -> bytes:
        if name in ("id", "split"):  # bare text, quoted by the template
            return value.encode("ascii")
        return json.dumps(value, ensure_ascii=False).encode("utf-8")

    names = ParquetSplits.columns()
    return Block(
        size=len(rows),
        columns={name: [fragment(name, row[name]) for row in rows] for name in names},
    )


def _write(directory, rows: list[dict], cut: int) -> dict:
    splits = ParquetSplits(directory)
    for start in range(0, len(rows), cut):
        splits.write(_block(rows[start : start + cut]))
    return {written.name: written for written in splits.close()}


def test_each_split_holds_its_rows_in_order_with_exact_texts(tmp_path):
    rows = _rows(23)
    written = _write(tmp_path, rows, cut=5)
    for split in ("train", "test"):
        table = pq.read_table(written[f"data/{split}.parquet"].path)
        assert table.schema.equals(PARQUET_SCHEMA)
        expected = [
            {k: v for k, v in row.items() if k != "split"} for row in rows if row["split"] == split
        ]
        assert table.to_pylist() == expected


def test_row_groups_and_bytes_do_not_depend_on_the_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(parquet, "PARQUET_ROW_GROUP", 4)
    rows = _rows(41)
    files = [_write(tmp_path / f"cut{cut}", rows, cut=cut) for cut in (1, 3, 7, 41)]
    for name in ("data/train.parquet", "data/test.parquet"):
        contents = {f[name].path.read_bytes() for f in files}
        assert len(contents) == 1
        written = files[0][name]
        metadata = pq.ParquetFile(written.path).metadata
        sizes = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
        assert all(size == 4 for size in sizes[:-1]) and 0 < sizes[-1] <= 4
        assert written.bytes == written.path.stat().st_size


def test_a_line_longer_than_any_parser_block_is_written(tmp_path):
    # Arrow refuses a line that straddles two of its blocks (1 MB by default); imported
    # records may exceed the writing limits.
    rows = _rows(3)
    rows[1]["context"] = "\x02" * (1 << 20)  # six bytes a character once escaped
    written = _write(tmp_path, rows, cut=3)
    table = pq.read_table(written["data/train.parquet"].path)
    assert table.column("context").to_pylist()[0] == rows[1]["context"]


def test_no_rows_give_two_empty_files_with_the_columns(tmp_path):
    written = _write(tmp_path, [], cut=1)
    for name in ("data/train.parquet", "data/test.parquet"):
        table = pq.read_table(written[name].path)
        assert table.num_rows == 0 and table.schema.equals(PARQUET_SCHEMA)


def test_an_error_on_the_thread_is_raised_by_close_and_abort_closes_quietly(tmp_path, monkeypatch):
    def broken(self, lines):
        raise OSError("No space left on device")

    monkeypatch.setattr(ParquetSplits, "_add", broken)
    splits = ParquetSplits(tmp_path)
    splits.write(_block(_rows(2)))
    with pytest.raises(OSError, match="No space left"):
        splits.close()
    splits.abort()
