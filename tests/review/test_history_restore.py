"""Pages whose lists htmx swaps (and whose URL it pushes) answer a history restore, the
back button's request once htmx's own cache is gone, with the whole page, not the list."""

import pytest
from django.urls import reverse

from review.insights import insights_refresh, insights_snapshot
from tests.factories import make_pair

SWAP = {"HTTP_HX_REQUEST": "true"}
RESTORE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}


@pytest.fixture
def collection(alice, open_qa):
    make_pair(author=alice, category=open_qa)
    insights_refresh(snapshot_id=insights_snapshot(dataset=open_qa.dataset).pk)


@pytest.mark.parametrize(
    "persona, name, args, query",
    [
        ("as_ada", "review:moderate", False, "?q=cats&status=submitted"),
        ("as_ada", "review:insights", True, "?unit=words"),
        ("as_alice", "leaderboard:board", True, "?period=week"),
        ("as_bob", "review:queue", False, ""),
        ("as_alice", "annotation:my_pairs", False, "?status=submitted"),
    ],
)
def test_a_swap_gets_the_fragment_and_a_restore_the_whole_page(
    persona, name, args, query, request, collection, dolly
):
    client = request.getfixturevalue(persona)
    url = reverse(name, args=[dolly.slug] if args else []) + query

    swapped = client.get(url, **SWAP)
    restored = client.get(url, **RESTORE)

    assert swapped.status_code == restored.status_code == 200
    assert b"<html" not in swapped.content
    assert b"<html" in restored.content
    assert "HX-Request" in restored["Vary"] and "HX-Request" in swapped["Vary"]
