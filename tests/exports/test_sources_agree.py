"""PostgreSQL's COPY source and the portable Python source give the same bytes.

The database escapes the JSON on PostgreSQL (to_json) and Python does it elsewhere; a
release must not depend on which. Texts here are written past the submit checks, as a
lenient import or old data could hold them: every control character, DEL, the Unicode
line separators, quotes, backslashes and characters outside the BMP.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotation.models import Revision
from exports import copying
from exports import rows as portable_rows
from exports.building import export, release_blocks, run_export
from exports.copying import copy_blocks
from exports.rows import python_blocks
from exports.selection import entries_select
from exports.services import release_create
from exports.writers import LINE_WRITERS, Block, interleave
from review.models import Review
from tests.exports.conftest import approved_pair

NASTY = "".join(chr(c) for c in range(1, 32)) + '\x7f\u2028\u2029"\\/\\\\n 🌈 天 ع é'
TEXTS = [
    {"instruction": f"Every control {NASTY}", "context": "", "response": f"R {NASTY}"},
    {"instruction": "Plain", "context": f"C {NASTY}\n\ttab", "response": "\\"},
    {"instruction": "\\\\", "context": "\\", "response": '"'},
    {"instruction": "Ends in a backslash \\", "context": "x", "response": "y \\"},
    {"instruction": "Last", "context": "", "response": "Fine."},
]
COLUMNS = {"category", "split"}.union(*(writer.columns() for writer in LINE_WRITERS))


@pytest.fixture
def release(dolly, open_qa, closed_qa, alice, dan, bob, rita, ada):
    for number, text in enumerate(TEXTS):
        reviewers = [[bob, rita], [rita], [], [bob, rita], [rita, bob]][number]
        pair = approved_pair(
            author=[alice, dan][number % 2],
            category=[open_qa, closed_qa][number % 2],
            by=ada,
            reviewers=reviewers,
        )
        Revision.objects.filter(pk=pair.approved_revision_id).update(
            source_url=f'https://example.com/{number}?q="{NASTY[:5]}"', **text
        )
    # bob reviewed the first pair in two rounds: listed once, counted twice.
    first = Review.objects.filter(reviewer=bob).order_by("pk").first()
    again = Review.objects.create(
        pair=first.pair, revision=first.revision, reviewer=bob, round=1, decision="approve"
    )
    Review.objects.filter(pk=again.pk).update(created_at=first.created_at)
    release = release_create(dataset=dolly, by=None, test_fraction=0.5)
    entries_select(release=release)
    return release


def _files(blocks) -> dict[str, bytes]:
    out = {writer.name: b"" for writer in LINE_WRITERS}
    for block in blocks:
        for writer in LINE_WRITERS:
            out[writer.name] += interleave(writer.template, block)
    return out


def test_the_portable_source_writes_what_json_dumps_writes(release):
    # Lines end in "\n" only: str.splitlines() would also split at U+2028, which JSON
    # leaves raw.
    lines = _files(python_blocks(release=release, columns=COLUMNS))["dolly.jsonl"]
    lines = lines.decode("utf-8").split("\n")[:-1]
    rows = [json.loads(line) for line in lines]
    assert [{k: row[k] for k in ("instruction", "context", "response")} for row in rows] == TEXTS
    for line, row in zip(lines, rows, strict=True):
        assert line == json.dumps(row, ensure_ascii=False)


@pytest.mark.postgres
def test_copy_gives_the_portable_bytes_in_any_chunking(release, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    portable = _files(python_blocks(release=release, columns=COLUMNS))
    assert _files(copy_blocks(release=release, columns=COLUMNS)) == portable
    # Statements of two rows and blocks of one: the keyset and the block edges.
    monkeypatch.setattr(copying, "CHUNK_ROWS", 2)
    monkeypatch.setattr(copying, "BLOCK_ROWS", 1)
    assert _files(copy_blocks(release=release, columns=COLUMNS)) == portable
    full = [json.loads(line) for line in portable["full.jsonl"].split(b"\n")[:-1]]
    assert [row["review_count"] for row in full] == [3, 1, 0, 2, 2]
    assert len(full[0]["reviewers"]) == 2 and full[2]["reviewers"] == []


def test_only_settled_blocks_are_reported(release, monkeypatch, tmp_path):
    """The connection is free at every progress report: nothing streams on it then."""
    monkeypatch.setattr(copying, "CHUNK_ROWS", 2)
    monkeypatch.setattr(copying, "BLOCK_ROWS", 1)
    monkeypatch.setattr(portable_rows, "FETCH_ROWS", 2)
    seen = []
    blocks = release_blocks(release=release, columns={"category", "split"})
    sizes = [(block.size, block.settled) for block in blocks]
    assert sum(size for size, _ in sizes) == len(TEXTS)
    again = release_create(dataset=release.dataset, by=None, test_fraction=0.5)

    def report(written: int) -> None:
        # Any query here would fail while a COPY still streamed on the connection.
        seen.append((written, again.__class__.objects.filter(pk=again.pk).count()))

    result = run_export(export(release=again, directory=tmp_path, parquet=False), report)
    assert result.total == len(TEXTS)
    assert [written for written, _ in seen] == [5, 2, 4, 5, 5]


def test_an_empty_block_writes_nothing():
    block = Block(size=0, columns={name: [] for name in COLUMNS | {"user_turn"}})
    for writer in LINE_WRITERS:
        assert interleave(writer.template, block) == b""


def test_a_row_that_does_not_split_into_its_columns_stops_the_build():
    columns = copying._Columns(["split"], {"split"}, categories={})
    block, last = columns.block([b"7\ttrain\n", b"9\ttest\n"], settled=True)
    assert (block.columns["split"], last) == ([b"train", b"test"], 9)
    with pytest.raises(ValueError, match="does not split"):
        columns.block([b"7\ttrain\tstray\n"], settled=True)


@pytest.mark.postgres
def test_copy_works_with_debug_cursors(release):
    """DEBUG (or a test capturing queries) wraps cursors in Django's debug wrapper."""
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    with CaptureQueriesContext(connection):
        rows = sum(block.size for block in copy_blocks(release=release, columns=COLUMNS))
    assert rows == len(TEXTS)
