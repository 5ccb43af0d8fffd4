"""Bench: moderation's search, a filtered count and a bulk action, with 1M pairs.

PostgreSQL only. The pairs live in a database of their own (BENCH_SEARCH_DB, default
``<DATABASE_URL's database>_search``) that is kept between runs: generating a million
pairs and their full-text index takes minutes, so a run reuses it when it already holds
BENCH_SEARCH_PAIRS pairs. The text is words drawn from the real dolly sample in their
real frequencies, so common and rare words are as common and rare as in the data.

Prints one JSON line per figure:
- ``search_first_page_ms``: GET /review/moderate/?q=... as an admin, the whole response
  (search, count, page of 25, highlighted snippets, template), median of 5, per query;
- ``filtered_count_ms``: the count under filters (summarization, approved, response
  under 200 characters; and a search combined with a status);
- ``bulk_retract_10k_s``: retracting 10,000 approved pairs through the workflow, pair by
  pair, as the worker does it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hw python -m tests.bench search
"""

import json
import os
import re
import statistics
import time
from pathlib import Path

PAIRS = int(os.environ.get("BENCH_SEARCH_PAIRS", "1000000"))
BULK = int(os.environ.get("BENCH_SEARCH_BULK", "10000"))
SAMPLE = Path(__file__).resolve().parents[2] / "tests" / "data" / "dolly-sample.jsonl"
SHARED_SAMPLE = Path("/work/shared/data/dolly-sample.jsonl")
QUERIES = ("water", "volcano", '"national park"', "python -snake", "zzzunknownword")


def _setup_django() -> bool:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(json.dumps({"bench": "search", "skipped": "needs DATABASE_URL=postgres://..."}))
        return False
    base, name = url.rsplit("/", 1)
    os.environ["DATABASE_URL"] = f"{base}/{os.environ.get('BENCH_SEARCH_DB', name + '_search')}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("HANDWRITTEN_TESTING", "1")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    _create_database(base, os.environ["DATABASE_URL"].rsplit("/", 1)[1])
    import django

    django.setup()
    return True


def _create_database(base: str, name: str) -> None:
    import psycopg

    with psycopg.connect(
        f"{base}/postgres".replace("postgres://", "postgresql://", 1), autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _words() -> list[str]:
    source = SAMPLE if SAMPLE.exists() else SHARED_SAMPLE
    words = []
    for line in source.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for field in ("instruction", "context", "response"):
            words.extend(re.findall(r"[A-Za-z][A-Za-z'-]+", record[field]))
    return words


def _pool(words: list[str], size: int = 50_000) -> list[str]:
    """Texts of 6 to 24 words drawn from the sample in their real frequencies."""
    import random

    rng = random.Random(17)
    return [" ".join(rng.choices(words, k=rng.randint(6, 24))) for _ in range(size)]


def _seed() -> None:
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection, transaction

    from annotation.models import Pair, Revision
    from annotation.roles import ADMIN, CONTRIBUTOR
    from annotation.seeding import dataset_seed_dolly

    call_command("migrate", verbosity=0)
    if Pair.objects.count() >= PAIRS:
        return
    started = time.perf_counter()
    dataset = dataset_seed_dolly()
    categories = list(dataset.categories.order_by("pk").values_list("pk", "context_policy"))
    group, _ = Group.objects.get_or_create(name=CONTRIBUTOR)
    authors = [User.objects.get_or_create(username=f"author{i}")[0] for i in range(50)]
    group.user_set.add(*authors)
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_staff": True})
    admin.groups.add(Group.objects.get_or_create(name=ADMIN)[0])
    pool = _pool(_words())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE annotation_pair, annotation_revision, annotation_draft CASCADE")
        # Built once after the rows are in: much quicker than growing it row by row.
        cursor.execute("DROP INDEX IF EXISTS revision_search")
        cursor.execute(
            "CREATE TEMP TABLE pool AS SELECT row_number() OVER () - 1 AS id, t"
            " FROM unnest(%s::text[]) AS t",
            [pool],
        )
        params = {
            "p": len(pool),
            "cats": [pk for pk, _ in categories],
            "ctx": [policy == "required" for _, policy in categories],
            "authors": [a.pk for a in authors],
            "dataset": dataset.pk,
            "pairs": PAIRS,
        }
        cursor.execute(
            """
            CREATE TEMP TABLE g AS
            SELECT i,
                   (%(cats)s::int[])[1 + i %% 8] AS category_id,
                   (%(ctx)s::bool[])[1 + i %% 8] AS has_context,
                   (%(authors)s::int[])[1 + i %% 50] AS author_id,
                   CASE WHEN i %% 20 < 12 THEN 'approved' WHEN i %% 20 < 16 THEN 'submitted'
                        WHEN i %% 20 < 18 THEN 'rejected' ELSE 'changes_requested' END AS status,
                   now() - (i || ' seconds')::interval AS at
            FROM generate_series(1, %(pairs)s) AS i
            """,
            params,
        )
        # Foreign keys are deferred: revisions name their pairs before those exist. Each
        # text joins pieces of the pool picked by different strides, so few repeat.
        cursor.execute(
            """
            INSERT INTO annotation_revision (id, pair_id, number, kind, author_id, category_id,
                instruction, context, source_url, response, content_hash, instruction_key,
                active_seconds, typed_chars, pasted_chars, warnings, created_at)
            SELECT i, i, 1, 'original', author_id, category_id,
                   p1.t || '?',
                   CASE WHEN has_context THEN p2.t || ' ' || p3.t ELSE '' END,
                   '', p4.t || ' ' || p5.t || '.',
                   md5(i::text) || md5(i::text), md5(i::text) || md5(i::text),
                   60, 200, 0, '[]'::jsonb, at
            FROM g
            JOIN pool p1 ON p1.id = i %% %(p)s
            JOIN pool p2 ON p2.id = (i * 7 + 1) %% %(p)s
            JOIN pool p3 ON p3.id = (i * 13 + 2) %% %(p)s
            JOIN pool p4 ON p4.id = (i * 31 + 3) %% %(p)s
            JOIN pool p5 ON p5.id = (i * 57 + 4) %% %(p)s
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO annotation_pair (id, public_id, dataset_id, category_id, author_id,
                status, current_revision_id, approved_revision_id, review_round,
                submitted_at, approved_at, created_at, updated_at,
                instruction_normalised, instruction_bands)
            SELECT i, md5('pair' || i)::uuid, %(dataset)s, category_id, author_id, status, i,
                   CASE WHEN status = 'approved' THEN i END, 0, at,
                   CASE WHEN status = 'approved' THEN at END, at, at, '', ''
            FROM g
            """,
            params,
        )
        cursor.execute("DROP TABLE g; DROP TABLE pool; SET CONSTRAINTS ALL IMMEDIATE")
        search_index = next(i for i in Revision._meta.indexes if i.name == "revision_search")
        with connection.schema_editor(atomic=False) as editor:
            editor.add_index(Revision, search_index)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('annotation_pair', 'id'), %(pairs)s);"
            " SELECT setval(pg_get_serial_sequence('annotation_revision', 'id'), %(pairs)s)",
            params,
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE annotation_pair")
        cursor.execute("VACUUM ANALYZE annotation_revision")
    print(
        json.dumps(
            {
                "bench": "search",
                "seeded_pairs": PAIRS,
                "seed_s": round(time.perf_counter() - started, 1),
            }
        )
    )


def _ms(run, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def _figures() -> None:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.utils import setup_test_environment

    from annotation.models import Pair
    from review.filters import PairFilter

    setup_test_environment()  # responses keep their context: the match count is read there
    admin = User.objects.get(username="bench-admin")
    client = Client()
    client.force_login(admin)
    for query in QUERIES:
        response = client.get("/review/moderate/", {"q": query})
        assert response.status_code == 200, response.status_code
        matches = response.context["page"].paginator.count
        ms = _ms(lambda q=query: client.get("/review/moderate/", {"q": q}))
        print(
            json.dumps(
                {
                    "bench": "search",
                    "search_first_page_ms": ms,
                    "q": query,
                    "matches": matches,
                    "pairs": PAIRS,
                    "target_ms": 200,
                }
            )
        )
    filters = [
        {"category": _category("summarization"), "status": "approved", "length_max": "200"},
        {"q": "water", "status": "approved"},
        {"status": "submitted", "author": "author3"},
    ]
    for data in filters:
        qs = PairFilter(data, queryset=Pair.objects.all()).qs
        count = qs.count()
        ms = _ms(lambda qs=qs: qs.count())
        print(
            json.dumps(
                {
                    "bench": "search",
                    "filtered_count_ms": ms,
                    "filters": data,
                    "count": count,
                    "pairs": PAIRS,
                    "target_ms": 300,
                }
            )
        )


def _category(slug: str) -> str:
    from annotation.models import Category

    return str(Category.objects.get(slug=slug).pk)


def _bulk() -> None:
    from django.contrib.auth.models import User

    from annotation.models import Pair
    from review.moderation import bulk_action_create, bulk_action_run

    admin = User.objects.get(username="bench-admin")
    ids = list(
        Pair.objects.filter(status="approved").order_by("-pk").values_list("pk", flat=True)[:BULK]
    )
    started = time.perf_counter()
    bulk = bulk_action_create(by=admin, kind="retract", pair_ids=ids, text="Bench.")
    bulk = bulk_action_run(bulk_id=bulk.pk)
    seconds = time.perf_counter() - started
    assert bulk.done == len(ids), (bulk.done, bulk.refused)
    print(
        json.dumps(
            {
                "bench": "search",
                "bulk_retract_s": round(seconds, 2),
                "pairs": len(ids),
                "done": bulk.done,
                "refused": bulk.refused,
                "target_s": 10,
            }
        )
    )


def main() -> None:
    if not _setup_django():
        return
    _seed()
    _figures()
    if BULK:
        _bulk()


if __name__ == "__main__":
    main()
