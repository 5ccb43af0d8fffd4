"""The formats of a release: one module each, and the one list of them (:func:`formats`).

A format is a class. The build makes one per release with the directory to write into,
calls ``write(block)`` with every :class:`~exports.rows.Block` of rows in order, then
``finish(facts)``, in the order of :func:`formats`, which writes its files and returns them
(none: the format has nothing this release, as preference without an accepted edit, whose
empty file would not load). ``finish`` may add
to the facts for the formats after it (the changelog its counts of changes, stats its
figures for the card), and it is called
again, with a new version and previous release, if another release was published while
this one was built. Adding a format is adding a module here and a line to :func:`formats`;
the card lists its files with its ``about``.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from exports.files import HashingFile, WrittenFile
from exports.models import Release
from exports.rows import Block

if TYPE_CHECKING:
    from exports.formats.changelog import Changes


@dataclass
class Facts:
    """What the files describing a release need, known once its rows are written."""

    release: Release
    version: int
    built_at: datetime
    total: int
    counts: dict  # the categories and splits of Release.counts
    previous: Release | None
    # The files finished before, in the order of formats(), and the formats that wrote them.
    files: list[WrittenFile] = field(default_factory=list)
    formats: list[type["Format"]] = field(default_factory=list)
    changes: "Changes | None" = None
    stats: dict | None = None


class Format:
    # Its file, or its main one when it writes several (``files`` lists them all).
    name: str
    # The columns of the rows (see exports.rows.FIELDS) that write() reads.
    columns: tuple[str, ...] = ()
    # What the dataset card says of the format's files (none: not listed), the names it
    # shows (the format's name if none), and a configuration of their own that
    # load_dataset(path, config name) reads, if any: (config name, file).
    about: str = ""
    files: tuple[str, ...] = ()
    config: tuple[str, str] | None = None

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def write(self, block: Block) -> None:
        """A format that reads no rows (changelog, card, manifest, and preference, which
        reads the edits itself in ``finish``) leaves this alone."""

    def finish(self, facts: Facts) -> list[WrittenFile]:
        raise NotImplementedError

    def abort(self) -> None:
        """Close whatever is open; the build is failing with an error of its own."""


# A line of a lines format: its literal bytes, and the names of the columns whose values
# go between them.
Template = tuple[bytes | str, ...]


def interleave(template: Template, columns: Mapping[str, list[bytes]], size: int) -> bytes:
    """``template`` filled in for each of ``size`` rows, one after the other: its bytes as
    they are, each name replaced by that row's value in ``columns``.

    The rows' parts are laid out by slice assignment and joined once, so no Python runs
    per row: 100k dolly lines took 0.05 s against 0.12 s formatted one by one."""
    width = len(template)
    parts: list[bytes] = [b""] * (width * size)
    for position, part in enumerate(template):
        parts[position::width] = columns[part] if isinstance(part, str) else (part,) * size
    return b"".join(parts)


class LinesFormat(Format):
    """A text file of one line per row, UTF-8: ``template`` filled in with the columns
    ``fill(block)`` gives, by default the block's columns as JSON strings."""

    template: Template
    columns = ("instruction", "context", "response")

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.out = HashingFile(directory, self.name)
        self.written: WrittenFile | None = None

    def fill(self, block: Block) -> Mapping[str, list[bytes]]:
        return {part: block.json(part) for part in self.template if isinstance(part, str)}

    def lines(self, block: Block) -> bytes:
        """The block's lines, each ending in a newline (the only ones: JSON escapes those
        in the values)."""
        return interleave(self.template, self.fill(block), len(block))

    def write(self, block: Block) -> None:
        self.out.write(self.lines(block))

    def finish(self, facts: Facts) -> list[WrittenFile]:
        if self.written is None:
            self.written = self.out.close()
        return [self.written]

    def abort(self) -> None:
        self.out.abort()


def write_file(directory: Path, name: str, data: bytes) -> WrittenFile:
    out = HashingFile(directory, name)
    try:
        out.write(data)
    except BaseException:
        out.abort()
        raise
    return out.close()


def formats() -> list[type[Format]]:
    """Every format, in the order they finish (the manifest, which lists them, last)."""
    # Imported here: the format modules import this one (and the card this function).
    from exports.formats import (
        alpaca,
        card,
        changelog,
        dolly,
        full,
        manifest,
        messages,
        parquet,
        preference,
        stats,
    )

    return [
        dolly.Dolly,
        full.Full,
        messages.Messages,
        alpaca.Alpaca,
        parquet.Parquet,
        preference.Preference,
        stats.Stats,
        changelog.Changelog,
        card.Card,
        manifest.Manifest,
    ]
