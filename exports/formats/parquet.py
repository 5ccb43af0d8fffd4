"""data/train.parquet and data/test.parquet, written as the rows stream.

pyarrow is imported when a build makes this format, never at import time: the web
process, which only lists and serves release files, never loads it.

Row groups hold exactly ``ROW_GROUP`` rows (the last one the rest), so the files depend
on the rows alone, not on how they were cut into blocks; a group is a few MB of text, big
enough to compress well, small enough to weigh little beside the rest of the build.
"""

from pathlib import Path

from exports.files import WrittenFile, written_file
from exports.formats import Facts, Format
from exports.rows import Block

COLUMNS = ("instruction", "context", "response", "category", "id")
SPLITS = {"train": "data/train.parquet", "test": "data/test.parquet"}
ROW_GROUP = 5000


class _Split:
    def __init__(self, directory: Path, name: str, schema) -> None:
        import pyarrow.parquet as pq

        self.name = name
        self.path = directory / name
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.writer = pq.ParquetWriter(str(self.path), schema, compression="zstd")
        self.pending: list = []
        self.rows = 0
        self.written: WrittenFile | None = None

    def add(self, table) -> None:
        self.pending.append(table)
        self.rows += table.num_rows
        if self.rows >= ROW_GROUP:
            self._flush(whole_groups_only=True)

    def _flush(self, *, whole_groups_only: bool) -> None:
        import pyarrow as pa

        rows = pa.concat_tables(self.pending)
        end = rows.num_rows - (rows.num_rows % ROW_GROUP if whole_groups_only else 0)
        for start in range(0, end, ROW_GROUP):
            group = rows.slice(start, min(ROW_GROUP, end - start)).combine_chunks()
            self.writer.write_table(group, row_group_size=ROW_GROUP)
        rest = rows.slice(end)
        self.pending, self.rows = ([rest] if rest.num_rows else []), rest.num_rows

    def close(self) -> WrittenFile:
        if self.written is None:
            if self.rows:
                self._flush(whole_groups_only=False)
            self.writer.close()
            self.written = written_file(self.path, self.name)
        return self.written


class Parquet(Format):
    """Both splits, from one pass over the rows."""

    name = "data/"

    def __init__(self, directory: Path) -> None:
        import pyarrow as pa

        super().__init__(directory)
        self.schema = pa.schema([(column, pa.string()) for column in COLUMNS])
        self.splits: dict[str, _Split] = {}
        try:
            for split, name in SPLITS.items():
                self.splits[split] = _Split(directory, name, self.schema)
        except BaseException:
            self.abort()
            raise

    def write(self, block: Block) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        columns = {name: block[name] for name in COLUMNS[:-1]}
        columns["id"] = list(map(str, block["id"]))
        table = pa.table(columns, schema=self.schema)
        split = pa.array(block["split"], pa.string())
        for name, file in self.splits.items():
            file.add(table.filter(pc.equal(split, name)))

    def finish(self, facts: Facts) -> list[WrittenFile]:
        return [file.close() for file in self.splits.values()]

    def abort(self) -> None:
        for file in self.splits.values():
            file.writer.close()
