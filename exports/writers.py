"""One writer per file format. Each streams rows to a file and hashes what it writes.

Nothing here may depend on the clock or on anything but the rows: the same rows give
byte-identical files (and so the same sha256) on every build.
"""

import hashlib
from dataclasses import dataclass
from json.encoder import encode_basestring
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

# json.dumps(..., ensure_ascii=False) escapes every string with this; using it directly lets
# each text be escaped once per row and shared by every JSON format.
json_str = encode_basestring


class Row(NamedTuple):
    """One shipped pair, as every writer sees it. ``*_json`` are JSON-escaped strings."""

    pair_pk: int
    public_id: str
    revision_id: int
    revision: int
    category: str
    instruction: str
    context: str
    response: str
    source_url: str
    created_at: str
    approved_at: str | None
    author: str
    reviewers: tuple[str, ...]
    review_count: int
    split: str
    instruction_json: str
    context_json: str
    response_json: str
    category_json: str


@dataclass(frozen=True)
class WrittenFile:
    name: str
    path: Path
    bytes: int
    sha256: str


class HashingFile:
    """A binary file that keeps the sha256 and size of what was written to it."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = open(path, "wb")  # noqa: SIM115 - closed by close()
        self._sha256 = hashlib.sha256()
        self.bytes = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        self._sha256.update(data)
        self.bytes += len(data)
        return self._file.write(data)

    def tell(self) -> int:
        return self.bytes

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        if not self.closed:
            self._file.close()
            self.closed = True

    def result(self, name: str) -> WrittenFile:
        self.close()
        return WrittenFile(name, self.path, self.bytes, self._sha256.hexdigest())


class Writer:
    """Base: ``write(rows)`` for every batch of rows in order, then ``close()`` once."""

    name: str
    # Whether it writes reviewers and review counts (which cost a second stream).
    uses_reviews = False
    # Whether it writes more of a row than its texts, category and split (and their
    # *_json): ids, revision, source_url, dates, author. Without them the rows come from
    # a narrower query with no casts, which a dolly.jsonl alone gains the most from.
    uses_details = False

    def __init__(self, directory: Path) -> None:
        self.out = HashingFile(directory / self.name)

    def write(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def close(self) -> WrittenFile:
        return self.out.result(self.name)

    def abort(self) -> None:
        self.out.close()


class LinesWriter(Writer):
    """A text file of one line per row; each batch is encoded and hashed in one go."""

    def line(self, row: Row) -> str:
        raise NotImplementedError

    def write(self, rows: list[Row]) -> None:
        self.out.write("".join(map(self.line, rows)).encode("utf-8"))


class DollyWriter(LinesWriter):
    """databricks-dolly-15k: exactly instruction, context, response, category."""

    name = "dolly.jsonl"

    def line(self, row: Row) -> str:
        return (
            f'{{"instruction": {row.instruction_json}, "context": {row.context_json}, '
            f'"response": {row.response_json}, "category": {row.category_json}}}\n'
        )


class FullWriter(LinesWriter):
    """Dolly plus everything needed to trace a row back to its pair and review."""

    name = "full.jsonl"
    uses_reviews = True
    uses_details = True

    def line(self, row: Row) -> str:
        approved = "null" if row.approved_at is None else f'"{row.approved_at}"'
        reviewers = ", ".join(f'"{r}"' for r in row.reviewers)
        return (
            f'{{"id": "{row.public_id}", "revision_id": {row.revision_id}, '
            f'"revision": {row.revision}, "category": {row.category_json}, '
            f'"instruction": {row.instruction_json}, "context": {row.context_json}, '
            f'"response": {row.response_json}, "source_url": {json_str(row.source_url)}, '
            f'"created_at": "{row.created_at}", "approved_at": {approved}, '
            f'"author": "{row.author}", "reviewers": [{reviewers}], '
            f'"review_count": {row.review_count}, "split": "{row.split}"}}\n'
        )


def user_turn(row: Row) -> str:
    """The chat formats put the context in the user turn: instruction, blank line, context."""
    return f"{row.instruction}\n\n{row.context}" if row.context else row.instruction


class MessagesWriter(LinesWriter):
    name = "messages.jsonl"

    def line(self, row: Row) -> str:
        return (
            f'{{"messages": [{{"role": "user", "content": {json_str(user_turn(row))}}}, '
            f'{{"role": "assistant", "content": {row.response_json}}}]}}\n'
        )


class AlpacaWriter(LinesWriter):
    """A JSON array of {instruction, input, output}, one object per line, streamed."""

    name = "alpaca.json"

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self._first = True

    def line(self, row: Row) -> str:
        return (
            f'{{"instruction": {row.instruction_json}, '
            f'"input": {row.context_json}, "output": {row.response_json}}}'
        )

    def write(self, rows: list[Row]) -> None:
        if rows:
            opening = "[\n" if self._first else ",\n"
            self._first = False
            self.out.write((opening + ",\n".join(map(self.line, rows))).encode("utf-8"))

    def close(self) -> WrittenFile:
        self.out.write(b"[]\n" if self._first else b"\n]\n")
        return super().close()


PARQUET_SCHEMA = pa.schema(
    [
        ("instruction", pa.string()),
        ("context", pa.string()),
        ("response", pa.string()),
        ("category", pa.string()),
        ("id", pa.string()),
    ]
)


class ParquetSplitWriter(Writer):
    """The rows of one split as Parquet, one row group per batch, so memory stays flat."""

    BATCH = 10_000
    split: str
    uses_details = True  # the id

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self._writer = pq.ParquetWriter(self.out, PARQUET_SCHEMA, compression="zstd")
        self._columns: dict[str, list[str]] = {field: [] for field in PARQUET_SCHEMA.names}

    def write(self, rows: list[Row]) -> None:
        mine = [row for row in rows if row.split == self.split]
        columns = self._columns
        columns["instruction"] += [row.instruction for row in mine]
        columns["context"] += [row.context for row in mine]
        columns["response"] += [row.response for row in mine]
        columns["category"] += [row.category for row in mine]
        columns["id"] += [row.public_id for row in mine]
        if len(columns["id"]) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._columns["id"]:
            batch = pa.RecordBatch.from_pydict(self._columns, schema=PARQUET_SCHEMA)
            self._writer.write_batch(batch)
            for values in self._columns.values():
                values.clear()

    def close(self) -> WrittenFile:
        self._flush()
        self._writer.close()
        return super().close()

    def abort(self) -> None:
        self._writer.close()
        super().abort()


class ParquetTrainWriter(ParquetSplitWriter):
    name = "data/train.parquet"
    split = "train"


class ParquetTestWriter(ParquetSplitWriter):
    name = "data/test.parquet"
    split = "test"


DATA_WRITERS: tuple[type[Writer], ...] = (
    DollyWriter,
    FullWriter,
    MessagesWriter,
    AlpacaWriter,
    ParquetTrainWriter,
    ParquetTestWriter,
)
