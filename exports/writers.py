"""One writer per file format. Each streams blocks of rows to a file and hashes what it writes.

Rows reach the writers as a :class:`Block`: columns of ready-made JSON fragments (bytes).
A line format is a template of literal bytes and column names, and a whole block of lines
is assembled by list slicing and one ``join``, so no Python code runs per row or per line.

Nothing here may depend on the clock or on anything but the rows: the same rows give
byte-identical files (and so the same sha256) on every build.
"""

import contextlib
import hashlib
import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Block:
    """``size`` consecutive rows as columns, each a list of ``size`` fragments.

    What each column holds, as it appears in the files:

    - JSON strings, quoted and escaped: instruction, context, response, category,
      source_url, user_turn (the instruction, a blank line and the context, if any);
    - bare text that never needs escaping, which templates put in quotes: id (the pair's
      public UUID), created_at, author (a pseudonym), split;
    - JSON numbers: revision_id, revision, review_count;
    - approved_at: a JSON string or null; reviewers: the items of a JSON array of strings.

    A fragment never contains a raw newline (JSON escapes it), which the line formats rely on.

    ``settled`` is False while the database is still streaming the statement the block
    came from: until a settled block, nothing else may use the connection.
    """

    size: int
    columns: dict[str, list[bytes]]
    settled: bool = True


Template = tuple[bytes | str, ...]


def template_columns(template: Template) -> set[str]:
    """The columns a template fills in (its parts that are names, not bytes)."""
    return {part for part in template if isinstance(part, str)}


def interleave(template: Template, block: Block) -> bytes:
    """The template filled in for every row of ``block``: literal bytes, column names."""
    width, size = len(template), block.size
    parts: list[bytes] = [b""] * (width * size)
    for position, part in enumerate(template):
        parts[position::width] = block.columns[part] if isinstance(part, str) else (part,) * size
    return b"".join(parts)


@dataclass(frozen=True)
class WrittenFile:
    name: str
    path: Path
    bytes: int
    sha256: str


class Spool:
    """Hashes and writes files on one background thread, in the order given.

    Both release the GIL (hashlib for large data, and the write system call), so the
    kernel's copying into the page cache and the hashing run on another core while Python
    assembles the next block. ``depth`` writes at most wait, which bounds the memory.
    """

    def __init__(self, depth: int = 8, name: str = "release-spool") -> None:
        self.depth = depth
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        # Starts the thread now rather than on the first write: by then the database and
        # Python keep both cores busy, and start() waited for one (~7 ms a thread).
        self._executor.submit(int)
        self._pending: deque[Future] = deque()

    def submit(self, function, data: bytes) -> None:
        if len(self._pending) >= self.depth:
            self._pending.popleft().result()
        self._pending.append(self._executor.submit(function, data))

    def drain(self) -> None:
        """Wait for every write so far; raises the first error of one."""
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        try:
            self.drain()
        finally:
            self._executor.shutdown(cancel_futures=True)

    def abort(self) -> None:
        """Drop the writes not started, wait for the one running; raise nothing.

        The build is failing already: its own error is the one to report, and the files
        may be closed only once the thread no longer writes to them.
        """
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._pending.clear()


# A file's written pages are handed back to the kernel every this many bytes (see
# HashingFile._write).
EVICT_BYTES = 32 << 20


class HashingFile:
    """A binary file that keeps the sha256 and size of what was written to it.

    With a :class:`Spool` the writes happen on its thread; ``result`` waits for them.
    """

    def __init__(self, path: Path, *, spool: Spool | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = open(path, "wb")  # noqa: SIM115 - closed by close()
        self._sha256 = hashlib.sha256()
        self._spool = spool
        self.bytes = 0
        self.closed = False
        self._written = self._evicted = 0

    def _write(self, data: bytes) -> None:
        self._sha256.update(data)
        self._file.write(data)
        self._written += len(data)
        if self._written - self._evicted >= EVICT_BYTES and hasattr(os, "posix_fadvise"):
            # A release is written once and read seldom, and gigabytes of it in the page
            # cache would push out the tables the database keeps there. Dropped as they
            # reach the disk, its pages are reused for the next ones, which also spares
            # the kernel finding fresh memory for each: on a VM that hands free memory back
            # to its host that cost ~2.5 s a gigabyte, against ~0.4 s this way.
            self._file.flush()
            os.posix_fadvise(self._file.fileno(), 0, self._written, os.POSIX_FADV_DONTNEED)
            self._evicted = self._written

    def write(self, data: bytes) -> int:
        self.bytes += len(data)
        if self._spool is None:
            self._write(data)
        else:
            self._spool.submit(self._write, data)
        return len(data)

    def tell(self) -> int:
        return self.bytes

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                if self._spool is not None:
                    self._spool.drain()
            finally:
                self._file.close()

    def result(self, name: str) -> WrittenFile:
        self.close()
        return WrittenFile(name, self.path, self.bytes, self._sha256.hexdigest())


class LinesWriter:
    """A text file of one JSON object per row: ``template`` filled in per row, each line
    ending in a newline. ``write(block)`` for every block in order, then ``close()`` once."""

    name: str
    template: Template

    def __init__(self, directory: Path, *, spool: Spool | None = None) -> None:
        self.out = HashingFile(directory / self.name, spool=spool)

    @classmethod
    def columns(cls) -> set[str]:
        return template_columns(cls.template)

    def write(self, block: Block) -> None:
        self.out.write(interleave(self.template, block))

    def close(self) -> WrittenFile:
        return self.out.result(self.name)

    def abort(self) -> None:
        # The error that made the build abort is the one to report, not a later one.
        with contextlib.suppress(Exception):
            self.out.close()


class DollyWriter(LinesWriter):
    """databricks-dolly-15k: exactly instruction, context, response, category."""

    name = "dolly.jsonl"
    template = (
        b'{"instruction": ', "instruction", b', "context": ', "context",
        b', "response": ', "response", b', "category": ', "category", b"}\n",
    )  # fmt: skip


class FullWriter(LinesWriter):
    """Dolly plus everything needed to trace a row back to its pair and review."""

    name = "full.jsonl"
    template = (
        b'{"id": "', "id", b'", "revision_id": ', "revision_id", b', "revision": ', "revision",
        b', "category": ', "category", b', "instruction": ', "instruction",
        b', "context": ', "context", b', "response": ', "response",
        b', "source_url": ', "source_url", b', "created_at": "', "created_at",
        b'", "approved_at": ', "approved_at", b', "author": "', "author",
        b'", "reviewers": [', "reviewers", b'], "review_count": ', "review_count",
        b', "split": "', "split", b'"}\n',
    )  # fmt: skip


class MessagesWriter(LinesWriter):
    """Chat format; the context goes in the user turn, after the instruction."""

    name = "messages.jsonl"
    template = (
        b'{"messages": [{"role": "user", "content": ', "user_turn",
        b'}, {"role": "assistant", "content": ', "response", b"}]}\n",
    )  # fmt: skip


class AlpacaWriter(LinesWriter):
    """A JSON array of {instruction, input, output}, one object per line, streamed."""

    name = "alpaca.json"
    template = (
        b'{"instruction": ', "instruction", b', "input": ', "context",
        b', "output": ', "response", b"}\n",
    )  # fmt: skip

    def __init__(self, directory: Path, *, spool: Spool | None = None) -> None:
        super().__init__(directory, spool=spool)
        self._first = True

    def write(self, block: Block) -> None:
        if block.size:
            lines = interleave(self.template, block)
            opening = b"[\n" if self._first else b",\n"
            self._first = False
            # Every newline ends a line (fragments have none), so all but the last become
            # the array's separators.
            self.out.write(opening + lines[:-1].replace(b"\n", b",\n"))

    def close(self) -> WrittenFile:
        self.out.write(b"[]\n" if self._first else b"\n]\n")
        return super().close()


LINE_WRITERS: tuple[type[LinesWriter], ...] = (
    DollyWriter,
    FullWriter,
    MessagesWriter,
    AlpacaWriter,
)
