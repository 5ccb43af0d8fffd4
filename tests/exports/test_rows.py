"""The one row source, and the line formats over it, on text that breaks naive writers.

Texts here are written past the submit checks, as a lenient import or old data could hold
them: every control character, DEL, the Unicode line separators, quotes, backslashes and
characters outside the BMP.
"""

import json

import pytest

from annotation.models import Revision
from exports import rows
from exports.building import write_rows
from exports.formats import Facts
from exports.formats.dolly import Dolly
from exports.formats.full import Full
from exports.rows import release_rows
from exports.selection import entries_record
from exports.services import release_create
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
    entries_record(release=release)
    return release


def _written(release, directory) -> dict[str, bytes]:
    formats = [Dolly(directory), Full(directory)]
    write_rows(release=release, into=formats)
    facts = Facts(release=release, version=1, built_at=None, total=0, counts={}, previous=None)
    return {f.name: f.path.read_bytes() for format_ in formats for f in format_.finish(facts)}


def test_lines_are_what_json_dumps_writes(release, tmp_path):
    # Lines end in "\n" only: str.splitlines() would also split at U+2028, which JSON
    # leaves raw.
    lines = _written(release, tmp_path)["dolly.jsonl"].decode("utf-8").split("\n")[:-1]
    rows = [json.loads(line) for line in lines]
    assert [{k: row[k] for k in ("instruction", "context", "response")} for row in rows] == TEXTS
    for line, row in zip(lines, rows, strict=True):
        assert line == json.dumps(row, ensure_ascii=False)


def test_any_paging_and_blocking_gives_the_same_bytes(release, tmp_path, monkeypatch):
    whole = _written(release, tmp_path / "whole")
    # Blocks of one row: every block's edge is a pair's.
    monkeypatch.setattr(rows, "BLOCK_ROWS", 1)
    assert [len(block) for block in release_rows(release=release)] == [1] * len(TEXTS)
    assert _written(release, tmp_path / "paged") == whole
    full = [json.loads(line) for line in whole["full.jsonl"].split(b"\n")[:-1]]
    assert [row["review_count"] for row in full] == [3, 1, 0, 2, 2]
    assert len(full[0]["reviewers"]) == 2 and full[2]["reviewers"] == []


def test_a_pairs_reviews_read_across_fetches_are_all_kept(release, bob, tmp_path, monkeypatch):
    # The reviews are fetched 4 blocks' worth at a time: with blocks of one row, the first
    # pair's six reviews reach the reader in two fetches.
    first = Review.objects.filter(reviewer=bob).order_by("pk").first()
    for round_ in range(2, 5):
        Review.objects.filter(
            pk=Review.objects.create(
                pair=first.pair,
                revision=first.revision,
                reviewer=first.reviewer,
                round=round_,
                decision="approve",
            ).pk
        ).update(created_at=first.created_at)
    monkeypatch.setattr(rows, "BLOCK_ROWS", 1)
    full = _written(release, tmp_path)["full.jsonl"].split(b"\n")[:-1]
    assert [json.loads(line)["review_count"] for line in full] == [6, 1, 0, 2, 2]


def test_progress_is_reported_between_blocks_while_the_connection_is_usable(release, monkeypatch):
    monkeypatch.setattr(rows, "BLOCK_ROWS", 1)
    seen = []

    def report(written: int) -> None:
        # A query in the middle of the stream, as the heartbeat makes.
        seen.append((written, Review.objects.count()))

    assert write_rows(release=release, into=[], on_progress=report).total == len(TEXTS)
    assert [written for written, _ in seen] == [1, 2, 3, 4, 5]


@pytest.mark.postgres
def test_rows_read_with_debug_cursors(release):
    """DEBUG (or a test capturing queries) wraps cursors in Django's debug wrapper."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection):
        assert sum(map(len, release_rows(release=release))) == len(TEXTS)


def test_only_the_columns_asked_for_are_read(release):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        blocks = list(release_rows(release=release, columns=["instruction", "category"]))
    assert {name for block in blocks for name in block.columns} == {
        "pair_id",
        "instruction",
        "category",
    }
    assert [text for block in blocks for text in block["instruction"]] == [
        text["instruction"] for text in TEXTS
    ]
    # Dolly and the formats like it need no reviews: the query does not read them.
    assert not any(Review._meta.db_table in query["sql"] for query in queries.captured_queries)
