"""The insights of a dataset of 1M pairs and 3M reviews on PostgreSQL: target < 500 ms.

`python -m tests.bench insights` (DATABASE_URL must name a PostgreSQL server). In a
throwaway database (hw_insights_bench) it generates, with generate_series, a dataset of
BENCH_INSIGHTS_PAIRS pairs (default 1,000,000) over 90 days, 70 % approved, 10 % rejected,
the rest in review or back with their authors, each with one revision of varied length and
three reviews by three of 50 reviewers (mixed decisions, scores, reasons). Then, in a
fresh process, it computes the figures as the worker does (insights_refresh, the faster
of two), then times each part once, then asks for the insights JSON (the admin's, with
every reviewer's record) through Django's test client RUNS times, and prints one JSON
line: compute_seconds and compute_parts_ms (the database's aggregation, what the stored
snapshot saves the page from), json_ms_first and json_ms (the fastest response, the
figure the < 500 ms target is about) and the queries of one response.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from tests.bench._processes import child_env, child_run, psycopg_url, server_url

ROOT = Path(__file__).resolve().parents[2]
MODULE = "tests.bench.insights"
BENCH_DB = "hw_insights_bench"
PAIRS = int(os.environ.get("BENCH_INSIGHTS_PAIRS", "1000000"))
RUNS = 5
AUTHORS = 200
REVIEWERS = 50
SLUG = "bench-insights"


def _generate(size: int) -> dict:
    from django.contrib.auth.models import User
    from django.db import connection

    from annotation.models import Dataset
    from annotation.roles import ADMIN
    from annotation.seeding import dataset_seed_dolly
    from tests.factories import make_user

    dolly = dataset_seed_dolly()
    dataset = Dataset.objects.create(name="Bench insights", slug=SLUG)
    for category in dolly.categories.all():
        category.pk = None
        category.dataset = dataset
        category.target_count = size // 8
        category.save()
    make_user("bench-admin", ADMIN)
    authors = [User.objects.create(username=f"author{i}").pk for i in range(AUTHORS)]
    reviewers = [User.objects.create(username=f"reviewer{i}").pk for i in range(REVIEWERS)]
    started = time.perf_counter()
    params = {"dataset": dataset.pk, "size": size, "authors": authors, "reviewers": reviewers}
    with connection.cursor() as cursor:
        # Statuses by i % 20: 14 approved, 2 rejected, 3 submitted, 1 changes requested.
        cursor.execute(
            """
            INSERT INTO annotation_pair (public_id, dataset_id, category_id, author_id, status,
                review_round, submitted_at, approved_at, created_at, updated_at,
                instruction_normalised, instruction_bands)
            SELECT gen_random_uuid(), %(dataset)s,
                (ARRAY(SELECT id FROM annotation_category WHERE dataset_id = %(dataset)s
                       ORDER BY slug))[1 + (i::bigint * 7919) %% 8],
                (%(authors)s::int[])[1 + i %% array_length(%(authors)s::int[], 1)],
                s.status, 0, s.at,
                CASE WHEN s.status = 'approved'
                     THEN s.at + make_interval(mins => 5 + (i * 31) %% 2000) END,
                s.at, s.at, '', ''
            FROM generate_series(1, %(size)s) AS i,
            LATERAL (SELECT
                CASE WHEN i %% 20 < 14 THEN 'approved' WHEN i %% 20 < 16 THEN 'rejected'
                     WHEN i %% 20 < 19 THEN 'submitted' ELSE 'changes_requested' END AS status,
                now() - make_interval(days => 90) + (i::float / %(size)s) * interval '90 days'
                    AS at) s
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO annotation_revision (pair_id, number, kind, author_id, category_id,
                instruction, context, source_url, response, content_hash, instruction_key,
                active_seconds, typed_chars, pasted_chars, warnings, created_at)
            SELECT p.id, 1, 'original', p.author_id, p.category_id,
                'Question ' || p.id || ': what does ' || md5(p.id::text) || ' mean?',
                CASE WHEN p.id %% 3 = 0
                     THEN repeat(md5(p.id::text || 'c') || ' quoted ', (1 + p.id %% 20)::int)
                     ELSE '' END,
                '',
                repeat(md5(p.id::text || 'r') || E' line\\n', (1 + p.id %% 13)::int),
                md5(p.id::text), md5(p.id::text || 'k'), 60, 300, 0, '[]', p.submitted_at
            FROM annotation_pair p WHERE p.dataset_id = %(dataset)s
            """,
            params,
        )
        cursor.execute(
            """
            UPDATE annotation_pair p SET current_revision_id = r.id,
                approved_revision_id = CASE WHEN p.status = 'approved' THEN r.id END
            FROM annotation_revision r WHERE r.pair_id = p.id AND p.dataset_id = %(dataset)s
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO review_review (pair_id, revision_id, reviewer_id, round, decision,
                reason, comment, helpfulness, correctness, writing, created_at)
            SELECT p.id, p.current_revision_id,
                (%(reviewers)s::int[])[1 + (p.id + g * 7) %% array_length(%(reviewers)s::int[], 1)],
                0, d.decision,
                CASE WHEN d.decision = 'reject'
                     THEN (ARRAY['off_guideline', 'factually_wrong', 'copied', 'duplicate',
                                 'other'])[1 + (p.id + g) %% 5] ELSE '' END,
                '', 1 + (p.id + g) %% 5, 1 + (p.id * 3 + g) %% 5, 1 + (p.id * 7 + g) %% 5,
                p.submitted_at + make_interval(secs => g * (30 + (p.id * 13) %% 900))
            FROM annotation_pair p, generate_series(1, 3) AS g,
            LATERAL (SELECT CASE
                WHEN (p.id * 17 + g * 5) %% 10 < 7 THEN
                    CASE WHEN p.status = 'rejected' THEN 'reject' ELSE 'approve' END
                WHEN (p.id * 17 + g * 5) %% 10 < 8 THEN 'approve_with_edit'
                WHEN (p.id * 17 + g * 5) %% 10 < 9 THEN 'request_changes'
                ELSE 'reject' END AS decision) d
            WHERE p.dataset_id = %(dataset)s
            """,
            params,
        )
        cursor.execute("VACUUM (FREEZE, ANALYZE)")
        cursor.execute("CHECKPOINT")
    return {"generate_seconds": round(time.perf_counter() - started, 1)}


def _measure() -> dict:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from annotation.models import Dataset
    from review import insights
    from review.models import InsightsSnapshot

    dataset = Dataset.objects.get(slug=SLUG)
    # The computation itself, as the worker runs it: fastest of two.
    snapshot, _ = InsightsSnapshot.objects.get_or_create(dataset=dataset)
    computed = []
    for _ in range(2):
        started = time.perf_counter()
        insights.insights_refresh(snapshot_id=snapshot.pk)
        computed.append(time.perf_counter() - started)
    parts = {}
    for name in (
        "_composition",
        "_reviews_by_category",
        "_lengths",
        "_per_day",
        "_decision_time",
        "_reviewers",
    ):
        started = time.perf_counter()
        getattr(insights, name)(dataset)
        parts[name.lstrip("_")] = round((time.perf_counter() - started) * 1000)
    # What a browser waits for: the JSON of the stored figures.
    client = Client()
    client.force_login(User.objects.get(username="bench-admin"))
    url = reverse("review:insights_json", args=[SLUG])
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"insights JSON answered {response.status_code}")
    figures = response.json()
    return {
        "pairs": sum(sum(c["statuses"].values()) for c in figures["categories"]),
        "reviews": sum(c["reviews"] for c in figures["categories"]),
        "json_ms_first": round(times[0]),
        "json_ms": round(min(times)),
        "json_queries": len(queries),
        "compute_seconds": round(min(computed), 1),
        "compute_parts_ms": parts,
        "alpha": figures["agreement"]["alpha"],
    }


def main() -> None:
    server = server_url("insights")
    db_url = f"{server}/{BENCH_DB}"
    # BENCH_KEEP=1 keeps the generated database; BENCH_REUSE=1 measures the kept one again.
    reuse = bool(os.environ.get("BENCH_REUSE"))
    if not reuse:
        with psycopg.connect(psycopg_url(f"{server}/postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    env = child_env(db_url)
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        generated = {} if reuse else child_run(MODULE, ["generate", str(PAIRS)], env)
        measured = child_run(MODULE, ["measure"], env)
        print(
            json.dumps({"bench": "insights", **measured, **generated, "target_ms": 500}),
            flush=True,
        )
    finally:
        if not os.environ.get("BENCH_KEEP"):
            with psycopg.connect(psycopg_url(f"{server}/postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def _run_child(argv: list[str]) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    result = _generate(int(argv[1])) if argv[0] == "generate" else _measure()
    print(json.dumps(result))


if __name__ == "__main__":
    _run_child(sys.argv[1:])
