"""data/train.parquet and data/test.parquet, written on a thread of their own as rows stream.

Each block's rows reach Arrow as JSON lines of the shipped columns (the fragments are JSON
already), so Arrow decodes the texts with no Python object per row. Parsing and
compressing run on the writer's thread and release the GIL: they overlap the database's
streaming and the line formats instead of following them, and at most ``depth`` blocks
wait, so the memory stays flat at any size. Each file is hashed once closed (a tenth of
the release's bytes).

Row groups hold exactly ``PARQUET_ROW_GROUP`` rows (the last one the rest) in contiguous
arrays, so the files depend on the rows alone, not on how they were cut into blocks.
"""

import contextlib
import hashlib
import os
from pathlib import Path

# Arrow's allocator, for what Python asks of it and what its JSON reader and Parquet writer
# allocate inside: read once, when Arrow first allocates, hence set before the import.
# mimalloc, Arrow's default, keeps what it freed for reuse, and the C allocator fragments
# under these buffers' sizes: either way a build's memory crept up with its rows (~30 MB
# more at 1M rows than at 100k). jemalloc told to hand freed pages back within
# POOL_DECAY_MS does not creep, for a few percent of the time (handing every freed page
# back at once cost a fifth).
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
POOL_DECAY_MS = 100

import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.json as pa_json  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from exports.writers import (  # noqa: E402
    Block,
    Spool,
    Template,
    WrittenFile,
    interleave,
    template_columns,
)

PARQUET_SCHEMA = pa.schema(
    [
        ("instruction", pa.string()),
        ("context", pa.string()),
        ("response", pa.string()),
        ("category", pa.string()),
        ("id", pa.string()),
    ]
)
PARQUET_SPLITS = {"train": "data/train.parquet", "test": "data/test.parquet"}
# Rows per row group (a few MB of text): big enough to compress well, small enough that the
# rows waiting for a group weigh little beside the rest of the build (10,000 cost ~15 MB more).
PARQUET_ROW_GROUP = 5000

_PARSED = pa.schema([*PARQUET_SCHEMA, ("split", pa.string())])

if pa.default_memory_pool().backend_name == "jemalloc":
    pa.jemalloc_set_decay_ms(POOL_DECAY_MS)
else:
    # A build of Arrow without jemalloc, or a process that chose its pool before this
    # module: the C allocator at least hands whole freed blocks back.
    pa.set_memory_pool(pa.system_memory_pool())


class _SplitFile:
    def __init__(self, directory: Path, name: str) -> None:
        self.name = name
        self.path = directory / name
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Arrow's own file: a Python file object would take the GIL for every write.
        self.writer = pq.ParquetWriter(str(self.path), PARQUET_SCHEMA, compression="zstd")
        self.pending: list[pa.Table] = []
        self.rows = 0

    def add(self, table: pa.Table) -> None:
        self.pending.append(table)
        self.rows += table.num_rows
        if self.rows >= PARQUET_ROW_GROUP:
            self._write(whole_groups_only=True)

    def _write(self, *, whole_groups_only: bool) -> None:
        rows = pa.concat_tables(self.pending)
        end = rows.num_rows
        if whole_groups_only:
            end -= end % PARQUET_ROW_GROUP
        for start in range(0, end, PARQUET_ROW_GROUP):
            group = rows.slice(start, min(PARQUET_ROW_GROUP, end - start)).combine_chunks()
            self.writer.write_table(group, row_group_size=PARQUET_ROW_GROUP)
        rest = rows.slice(end)
        self.pending, self.rows = ([rest] if rest.num_rows else []), rest.num_rows

    def close(self) -> WrittenFile:
        if self.rows:
            self._write(whole_groups_only=False)
        self.writer.close()
        with open(self.path, "rb") as written:
            sha256 = hashlib.file_digest(written, "sha256").hexdigest()
        return WrittenFile(self.name, self.path, self.path.stat().st_size, sha256)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


class ParquetSplits:
    """Both split files. ``write(block)`` for every block in order, then ``close()`` once
    (or ``abort()``)."""

    template: Template = (
        b'{"instruction": ', "instruction", b', "context": ', "context",
        b', "response": ', "response", b', "category": ', "category",
        b', "id": "', "id", b'", "split": "', "split", b'"}\n',
    )  # fmt: skip

    def __init__(self, directory: Path, *, depth: int = 2) -> None:
        self._thread = Spool(depth=depth, name="release-parquet")
        self._files: dict[str, _SplitFile] = {}
        try:
            for split, name in PARQUET_SPLITS.items():
                self._files[split] = _SplitFile(directory, name)
        except BaseException:
            self.abort()
            raise

    @classmethod
    def columns(cls) -> set[str]:
        return template_columns(cls.template)

    def write(self, block: Block) -> None:
        if block.size:
            self._thread.submit(self._add, interleave(self.template, block))

    def _add(self, lines: bytes) -> None:
        rows = pa_json.read_json(
            pa.BufferReader(lines),
            # One block: Arrow refuses a line that straddles two, and imported lines may be
            # longer than any size picked here. This thread is one of the build's own;
            # Arrow's threads would only compete with them.
            read_options=pa_json.ReadOptions(block_size=len(lines), use_threads=False),
            parse_options=pa_json.ParseOptions(explicit_schema=_PARSED),
        )
        for split, file in self._files.items():
            mine = rows.filter(pc.equal(rows.column("split"), split))
            file.add(mine.select(PARQUET_SCHEMA.names))

    def close(self) -> list[WrittenFile]:
        self._thread.close()
        return [file.close() for file in self._files.values()]

    def abort(self) -> None:
        # After the thread stops: it may be writing to these files until then.
        self._thread.abort()
        for file in self._files.values():
            file.abort()
