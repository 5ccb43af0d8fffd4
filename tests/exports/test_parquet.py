"""The Parquet splits, written from blocks of rows."""

import uuid

import pyarrow as pa
import pyarrow.parquet as pq

from exports.formats import parquet
from exports.formats.parquet import COLUMNS, Parquet
from exports.rows import Block

SCHEMA = pa.schema([(name, pa.string()) for name in COLUMNS])

TEXTS = ["plain", 'quote " and \\ backslash', "line\nbreak\ttab", "emoji 🧪 and 中文", "\x01\u2028"]


def _rows(count: int) -> list[dict]:
    return [
        {
            "instruction": f"Instruction {i}: {TEXTS[i % len(TEXTS)]}",
            "context": "" if i % 3 else TEXTS[(i + 1) % len(TEXTS)] * (i + 1),
            "response": f"Response {i} {TEXTS[(i + 2) % len(TEXTS)]}",
            "category": ["open_qa", "closed_qa"][i % 2],
            "id": str(uuid.UUID(int=i + 1)),  # as the rows give it: text
            "split": "test" if i % 4 == 0 else "train",
        }
        for i in range(count)
    ]


def _block(rows: list[dict]) -> Block:
    names = ["pair_id", *COLUMNS, "split"]
    return Block({name: [row.get(name, 0) for row in rows] for name in names})


def _write(directory, rows: list[dict], cut: int) -> dict:
    splits = Parquet(directory)
    for start in range(0, len(rows), cut):
        splits.write(_block(rows[start : start + cut]))
    return {written.name: written for written in splits.finish(facts=None)}


def test_each_split_holds_its_rows_in_order_with_exact_texts(tmp_path):
    rows = _rows(23)
    written = _write(tmp_path, rows, cut=5)
    for split in ("train", "test"):
        table = pq.read_table(written[f"data/{split}.parquet"].path)
        assert table.schema.equals(SCHEMA)
        expected = [
            {k: v for k, v in row.items() if k != "split"} for row in rows if row["split"] == split
        ]
        assert table.to_pylist() == expected


def test_row_groups_and_bytes_do_not_depend_on_the_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(parquet, "ROW_GROUP", 4)
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


def test_no_rows_give_two_empty_files_with_the_columns(tmp_path):
    written = _write(tmp_path, [], cut=1)
    for name in ("data/train.parquet", "data/test.parquet"):
        table = pq.read_table(written[name].path)
        assert table.num_rows == 0 and table.schema.equals(SCHEMA)
