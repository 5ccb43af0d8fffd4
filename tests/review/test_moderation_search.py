"""Moderation's search and filters: full-text search, the filters django-filter combines,
the URL that keeps them, the CSV of what matched, and who may search at all."""

import csv
import io

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from annotation.models import Pair
from annotation.workflow import S
from review.filters import snippets
from tests.factories import make_pair
from tests.review.conftest import decide


def _listed(response) -> list[int]:
    return [pair.pk for pair in response.context["page"].object_list]


def test_search_finds_words_in_instruction_context_and_response(as_ada, alice, open_qa, closed_qa):
    in_instruction = make_pair(
        author=alice, category=open_qa, instruction="How do volcanoes form on the ocean floor?"
    )
    in_response = make_pair(
        author=alice, category=open_qa, response="Magma rises where volcanoes meet the plates."
    )
    in_context = make_pair(
        author=alice,
        category=closed_qa,
        context="Volcanoes are openings in a planet's crust through which lava escapes.",
    )
    make_pair(author=alice, category=open_qa, instruction="Name three rivers in Europe, please.")
    response = as_ada.get(reverse("review:moderate"), {"q": "volcanoes"})
    assert set(_listed(response)) == {in_instruction.pk, in_response.pk, in_context.pk}


def test_search_highlights_the_match_and_escapes_the_text(as_ada, alice, open_qa):
    make_pair(
        author=alice,
        category=open_qa,
        response="Use <script>alert(1)</script> never; a kettle boils water fastest.",
    )
    response = as_ada.get(reverse("review:moderate"), {"q": "kettle"})
    html = response.content.decode()
    assert "<mark>kettle</mark>" in html
    assert "<script>alert(1)</script>" not in html
    if connection.vendor != "postgresql":  # PostgreSQL's headline leaves tags out entirely
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_snippet_cannot_smuggle_markup_between_the_markers(alice, open_qa):
    pair = make_pair(
        author=alice, category=open_qa, response='The answer is <img src=x onerror="boom()"> ok.'
    )
    marked = snippets([Pair.objects.select_related("current_revision").get(pk=pair.pk)], "answer")
    assert "<img" not in marked[pair.pk]
    assert "<mark>answer</mark>" in marked[pair.pk]


def test_search_combines_with_filters_and_keeps_them_in_the_links(as_ada, alice, ada, open_qa):
    make_pair(author=alice, category=open_qa, instruction="Explain tides and the moon, briefly.")
    wanted = make_pair(
        author=alice,
        category=open_qa,
        status=S.APPROVED,
        by=ada,
        instruction="Why do tides change with the moon's phase?",
    )
    query = {"q": "tides", "status": "approved", "dataset": "dolly"}
    response = as_ada.get(reverse("review:moderate"), query)
    assert _listed(response) == [wanted.pk]
    html = response.content.decode()
    assert "q=tides&amp;status=approved&amp;dataset=dolly" in html  # CSV and bulk keep them


def test_filters_by_author_length_and_created_dates(as_ada, alice, dan, open_qa):
    short = make_pair(author=alice, category=open_qa, response="A short but honest answer here.")
    make_pair(author=alice, category=open_qa, response="A much longer response. " * 20)
    make_pair(author=dan, category=open_qa, response="A short but honest answer too.")
    response = as_ada.get(
        reverse("review:moderate"), {"author": "alice", "length_min": "10", "length_max": "200"}
    )
    assert _listed(response) == [short.pk]
    today = timezone.localdate().isoformat()
    assert len(_listed(as_ada.get(reverse("review:moderate"), {"created_after": today}))) == 3
    assert _listed(as_ada.get(reverse("review:moderate"), {"created_before": "2000-01-01"})) == []


def test_filters_by_reviewer_outcome_and_reason_on_the_same_review(
    as_ada, alice, bob, rita, open_qa
):
    approved_by_bob = make_pair(author=alice, category=open_qa)
    decide(approved_by_bob, bob, "approve")
    rejected_by_bob = make_pair(author=alice, category=open_qa)
    decide(rejected_by_bob, bob, "reject", reason="duplicate")
    approved_by_rita = make_pair(author=alice, category=open_qa)
    decide(approved_by_rita, rita, "approve")
    url = reverse("review:moderate")
    assert _listed(as_ada.get(url, {"reviewer": "bob", "outcome": "approve"})) == [
        approved_by_bob.pk
    ]
    assert _listed(as_ada.get(url, {"reason": "duplicate"})) == [rejected_by_bob.pk]
    today = timezone.localdate().isoformat()
    reviewed_today = as_ada.get(url, {"reviewer": "bob", "reviewed_after": today})
    assert set(_listed(reviewed_today)) == {approved_by_bob.pk, rejected_by_bob.pk}
    assert _listed(as_ada.get(url, {"reviewer": "bob", "reviewed_before": "2000-01-01"})) == []


def test_csv_exports_what_the_search_matched_with_the_injection_guard(as_ada, alice, open_qa):
    make_pair(author=alice, category=open_qa, instruction='=HYPERLINK("x") about penguins?')
    make_pair(author=alice, category=open_qa, instruction="Something about giraffes, please.")
    response = as_ada.get(reverse("review:moderate_csv"), {"q": "penguins"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2
    assert rows[1][5].startswith("'=HYPERLINK")


def test_csv_with_a_filter_it_cannot_read_exports_nothing(as_ada, alice, open_qa):
    make_pair(author=alice, category=open_qa)
    response = as_ada.get(reverse("review:moderate_csv"), {"status": "zzz"})
    assert response.status_code == 422
    assert "text/html" in response["Content-Type"]
    assert b"A filter is not valid; fix it before exporting." in response.content


def test_the_full_page_is_bookmarkable_and_htmx_gets_only_the_results(as_ada, alice, open_qa):
    make_pair(author=alice, category=open_qa, instruction="Describe a lighthouse at night.")
    url = reverse("review:moderate")
    full = as_ada.get(url, {"q": "lighthouse"})
    assert b"<html" in full.content and b'value="lighthouse"' in full.content
    partial = as_ada.get(url, {"q": "lighthouse"}, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"<mark>lighthouse</mark>" in partial.content
    assert b'hx-push-url="true"' in full.content


@pytest.mark.parametrize("persona", ["as_bob", "as_alice"])
def test_reviewers_and_contributors_cannot_search(persona, request):
    client = request.getfixturevalue(persona)
    assert client.get(reverse("review:moderate"), {"q": "x"}).status_code == 403
    assert client.get(reverse("review:moderate_csv")).status_code == 403


@override_settings(HANDWRITTEN_PAGE_SIZE=5)
def test_the_list_makes_a_bounded_number_of_queries(
    as_ada, alice, bob, ada, open_qa, django_assert_max_num_queries
):
    def pairs(n: int) -> None:
        for index in range(Pair.objects.count(), Pair.objects.count() + n):
            pair = make_pair(
                author=alice, category=open_qa, instruction=f"Tell me about comets, part {index}."
            )
            decide(pair, bob, "approve")

    url = reverse("review:moderate")
    query = {"q": "comets", "reviewer": "bob", "outcome": "approve", "length_min": "5"}
    pairs(2)
    with django_assert_max_num_queries(12) as small:
        as_ada.get(url, query)
    pairs(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert as_ada.get(url, query).context["page"].paginator.count == 10


@pytest.mark.postgres
def test_postgres_search_uses_the_gin_index_and_stems_words(alice, open_qa):
    if connection.vendor != "postgresql":
        pytest.skip("full-text search is PostgreSQL's")
    from review.filters import search_pairs

    pair = make_pair(author=alice, category=open_qa, instruction="How are volcanoes formed?")
    found = search_pairs(Pair.objects.all(), "volcano forming")
    assert list(found.values_list("pk", flat=True)) == [pair.pk]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = found.explain()
        cursor.execute("RESET enable_seqscan")
    assert "revision_search" in plan


def test_marker_characters_are_the_only_markup(alice, open_qa):
    from review.filters import START, STOP, _marked

    assert _marked(f"<b>{START}x{STOP}</b>") == "&lt;b&gt;<mark>x</mark>&lt;/b&gt;"


def test_flags_filter_pairs_with_findings_and_unconfirmed_ones(as_ada, alice, ada, open_qa):
    from annotation.models import Finding

    clean = make_pair(author=alice, category=open_qa)
    confirmed = make_pair(author=alice, category=open_qa)
    unconfirmed = make_pair(author=alice, category=open_qa)
    for pair, by in ((confirmed, ada), (unconfirmed, None)):
        Finding.objects.create(
            revision=pair.current_revision,
            field="response",
            kind="email",
            category=Finding.Category.PERSONAL,
            start=0,
            end=5,
            confirmed_by=by,
            confirmed_at=timezone.now() if by else None,
        )
    url = reverse("review:moderate")
    assert set(_listed(as_ada.get(url, {"flag": "findings"}))) == {confirmed.pk, unconfirmed.pk}
    assert _listed(as_ada.get(url, {"flag": "unconfirmed"})) == [unconfirmed.pk]
    assert clean.pk in _listed(as_ada.get(url))
