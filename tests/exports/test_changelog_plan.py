"""The changelog reads each release's entries once, whatever PostgreSQL's statistics say.

A release newer than the last ANALYZE of the entries looks empty to the planner. Asked
for the pairs of one release missing from the other, it then nested a scan of one
release's entries inside a scan of the other's: quadratic, 29 s for 10k pairs.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exports.formats import Facts
from exports.formats.changelog import Changelog, Changes
from exports.models import ReleaseEntry
from exports.selection import entries_record
from exports.services import release_create
from tests.exports.conftest import approved_pair, build

ENTRIES = ReleaseEntry._meta.db_table
pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the plans are PostgreSQL's")


def _relations(node: dict) -> set[str]:
    found = {node["Relation Name"]} if "Relation Name" in node else set()
    for child in node.get("Plans", ()):
        found |= _relations(child)
    return found


def _nested_entries_loops(node: dict) -> list[str]:
    """Nested loops with the entries table on both sides."""
    found = []
    children = node.get("Plans", ())
    if node["Node Type"] == "Nested Loop" and all(ENTRIES in _relations(c) for c in children):
        found.append(node.get("Join Filter", node["Node Type"]))
    for child in children:
        found += _nested_entries_loops(child)
    return found


def test_no_statement_nests_one_releases_entries_in_the_others(
    dolly, open_qa, alice, ada, tmp_path
):
    for _ in range(20):
        approved_pair(author=alice, category=open_qa, by=ada)
    first = build(dolly)
    with connection.cursor() as cursor:
        # Statistics that know the first release only, as after a large release.
        cursor.execute(f"ANALYZE {connection.ops.quote_name(ENTRIES)}")
    approved_pair(author=alice, category=open_qa, by=ada)
    second = release_create(dataset=dolly, by=None, test_fraction=0.1)
    total = entries_record(release=second)
    facts = Facts(release=second, version=2, built_at=None, total=total, counts={}, previous=first)
    with CaptureQueriesContext(connection) as queries:
        Changelog(tmp_path).finish(facts)
    assert facts.changes == Changes(added=1, removed=0, changed=0)

    comparing = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].count(ENTRIES) >= 2 and q["sql"].startswith(("SELECT", "WITH"))
    ]
    assert comparing, "the changelog compares the two releases' entries"
    with connection.cursor() as cursor:
        for sql in comparing:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            assert _nested_entries_loops(plan[0]["Plan"]) == [], sql
