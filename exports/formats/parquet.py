"""data/train.parquet and data/test.parquet, written as the rows stream.

pyarrow is imported here only, when a build makes a Parquet file, never at import time:
the web process, which only lists and serves release files, never loads it. Other
formats that write Parquet (preference) do so through :class:`ParquetTable`.

Row groups hold exactly ``ROW_GROUP`` rows (the last one the rest), so the files depend
on the rows alone, not on how they were cut into blocks; a group is a few MB of text, big
enough to compress well, small enough to weigh little beside the rest of the build.
"""

from array import array
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING

from exports.files import WrittenFile, written_file
from exports.formats import Facts, Format
from exports.models import ReleaseEntry
from exports.rows import Block

if TYPE_CHECKING:
    import pyarrow as pa

COLUMNS = ("instruction", "context", "response", "category", "id")
SPLITS = {split: f"data/{split}.parquet" for split in ReleaseEntry.Split.values}
ROW_GROUP = 5000


def strings(values: list[str]) -> "pa.StringArray":
    """An Arrow string array of ``values`` (none None), from its two buffers: the UTF-8
    bytes end to end and their offsets. ``pa.array(values)`` took 0.37 s for 100k texts
    against 0.06 s this way, most of it importing pandas, which pyarrow loads to check
    whether a list is a DataFrame (and 40 MB of the build's memory)."""
    import pyarrow as pa

    encoded = [value.encode("utf-8") for value in values]
    offsets = array("i", [0])
    offsets.extend(accumulate(map(len, encoded)))
    data = pa.py_buffer(b"".join(encoded))
    return pa.StringArray.from_buffers(len(encoded), pa.py_buffer(offsets), data)


class ParquetTable:
    """A Parquet file of string ``columns``: rows gathered as Python columns and written a
    whole row group at a time, each column converted to Arrow once (filtering and
    concatenating Arrow tables per block took 0.6 s of a 100k build)."""

    def __init__(self, directory: Path, name: str, columns: tuple[str, ...]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.name = name
        self.schema = pa.schema([(column, pa.string()) for column in columns])
        self.path = directory / name
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.writer = pq.ParquetWriter(str(self.path), self.schema, compression="zstd")
        self.pending: list[list] = [[] for _ in columns]
        self.written: WrittenFile | None = None

    def add(self, columns: list[list]) -> None:
        for pending, values in zip(self.pending, columns, strict=True):
            pending.extend(values)
        while len(self.pending[0]) >= ROW_GROUP:
            self._flush(ROW_GROUP)

    def _flush(self, count: int) -> None:
        import pyarrow as pa

        arrays = [strings(column[:count]) for column in self.pending]
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self.pending = [column[count:] for column in self.pending]

    def close(self) -> WrittenFile:
        if self.written is None:
            if self.pending[0]:
                self._flush(len(self.pending[0]))
            self.writer.close()
            self.written = written_file(self.path, self.name)
        return self.written

    def abort(self) -> None:
        self.writer.close()


class Parquet(Format):
    """Both splits, from one pass over the rows."""

    name = "data/"
    files = tuple(SPLITS.values())
    about = (
        "the splits, by a hash of the pair id (the test fraction is given above); a pair keeps "
        "its split across releases."
    )
    columns = (*COLUMNS, "split")

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.splits: dict[str, ParquetTable] = {}
        try:
            for split, name in SPLITS.items():
                self.splits[split] = ParquetTable(directory, name, COLUMNS)
        except BaseException:
            self.abort()
            raise

    def write(self, block: Block) -> None:
        rows: dict[str, list[int]] = {split: [] for split in self.splits}
        for index, split in enumerate(block["split"]):
            rows[split].append(index)
        columns = [block[name] for name in COLUMNS]
        for split, file in self.splits.items():
            file.add([[column[i] for i in rows[split]] for column in columns])

    def finish(self, facts: Facts) -> list[WrittenFile]:
        return [file.close() for file in self.splits.values()]

    def abort(self) -> None:
        for file in self.splits.values():
            file.abort()
