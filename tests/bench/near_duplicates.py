"""Near-duplicate check against 1,000,000 live pairs on PostgreSQL (issue 15: p95 < 50 ms).

Creates its own database (`hw_bench_near` on the server of DATABASE_URL; real data is
never touched) and fills it with BENCH_NEAR_PAIRS (default 1M) submitted pairs. Each
instruction keeps the frame of one of the 305 real databricks-dolly-15k instructions in
tests/data (its 150 most common words) around new content words (``_instruction``), and
is written as the app writes it (normalised, LSH bands). Then it builds the GIN index and
times `annotation.similar.similar_pairs` (the call of the write page, the review page and
the submit checks) QUERIES times: half an existing instruction with one word changed (a
hit is expected), half new ones. Prints one JSON object: p50/p95/max in ms, for hits and
misses, and whether the plan uses the GIN index. Without PostgreSQL it says so.
BENCH_KEEP=1 keeps the database afterwards and reuses a filled one (to compare changes
to the query without refilling; a change to the bands needs a refill).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x python -m tests.bench near_duplicates
"""

import json
import os
import random
import re
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

from tests.bench._processes import child_env, child_run

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = "hw_bench_near"
PAIRS = int(os.environ.get("BENCH_NEAR_PAIRS", "1000000"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
QUERIES = int(os.environ.get("BENCH_NEAR_QUERIES", "400"))
SAMPLE = ROOT / "tests" / "data" / "dolly-sample.jsonl"


def _templates() -> tuple[list[list[str]], set[str]]:
    """The Dolly sample's instructions as word lists, and its 150 most common words."""
    counts: Counter = Counter()
    instructions = []
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        words = re.findall(r"[a-z]+", json.loads(line)["instruction"].lower())
        if words:
            instructions.append(words)
            counts.update(words)
    return instructions, {word for word, _ in counts.most_common(150)}


def _instruction(rng: random.Random, templates: tuple[list[list[str]], set[str]]) -> str:
    """A real instruction's function words around new content words: "what is the capital
    of qorvane?". Real corpora look like this (a few hundred frames, endless subjects),
    which is what makes near-duplicate search hard: many instructions share most of a
    frame. The content words are made up, from a space of millions."""
    instructions, common = templates
    frame = rng.choice(instructions)
    words = [
        word
        if word in common
        else "".join(rng.choice("abcdefghijklnoprstuvwyz") for _ in range(3 + rng.randrange(7)))
        for word in frame
    ]
    return " ".join(words).capitalize() + "?"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)


def _fill(templates) -> float:
    """PAIRS submitted pairs with generated instructions, written the way the app writes
    them (normalised form and LSH bands by annotation.similar); returns seconds taken."""
    from django.contrib.auth.models import User
    from django.db import connection

    from annotation.normalisation import normalise
    from annotation.seeding import dataset_seed_dolly
    from annotation.similar import lsh_bands

    dataset = dataset_seed_dolly()
    author = User.objects.create(username="bench-author")
    categories = list(dataset.categories.order_by("slug").values_list("id", flat=True))
    rng = random.Random(1)
    started = time.perf_counter()
    connection.ensure_connection()
    columns = (
        "public_id, dataset_id, category_id, author_id, status, review_round, submitted_at, "
        "created_at, updated_at, instruction_key, instruction_normalised, instruction_bands"
    )
    with connection.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS pair_instruction_lsh")
        with cursor.copy(f"COPY annotation_pair ({columns}) FROM STDIN") as copy:  # noqa: S608
            for i in range(PAIRS):
                text = normalise(_instruction(rng, templates))
                copy.write_row(
                    (
                        uuid.uuid4(),
                        dataset.pk,
                        categories[i % len(categories)],
                        author.pk,
                        "submitted",
                        0,
                        "2026-01-01T00:00:00Z",
                        "2026-01-01T00:00:00Z",
                        "2026-01-01T00:00:00Z",
                        # Unique per row: the duplicate rule is not what is measured here.
                        f"{i:064x}",
                        text,
                        lsh_bands(text),
                    )
                )
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute(
            "CREATE INDEX pair_instruction_lsh ON annotation_pair "
            "USING gin (string_to_array(instruction_bands, ' '))"
        )
        cursor.execute("ANALYZE annotation_pair")
    return time.perf_counter() - started


def _child() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from annotation.models import Pair
    from annotation.normalisation import normalise
    from annotation.similar import lsh_bands, similar_pairs

    call_command("migrate", verbosity=0)
    templates = _templates()
    fill_seconds = 0.0 if Pair.objects.count() >= PAIRS else _fill(templates)
    rng = random.Random(15)
    sample = list(
        Pair.objects.order_by("?").values_list("instruction_normalised", flat=True)[:QUERIES]
    )
    hits: list[float] = []
    misses: list[float] = []
    found = 0
    for n, text in enumerate(sample):
        if n % 2 == 0:
            # A normalised text is its own normalised form: type it with one word changed.
            tokens = text.rstrip("?").split()
            tokens[rng.randrange(len(tokens))] = rng.choice(sorted(templates[1]))
            query, bucket = " ".join(tokens).capitalize() + "?", hits
        else:
            query, bucket = _instruction(rng, templates), misses
        started = time.perf_counter()
        result = similar_pairs(instruction=query, threshold=0.7)
        bucket.append((time.perf_counter() - started) * 1000)
        found += bool(result) and bucket is hits
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT id FROM annotation_pair "
            "WHERE string_to_array(instruction_bands, ' ') && %s::text[]",
            [lsh_bands(normalise(sample[0])).split()],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    every = hits + misses
    print(
        json.dumps(
            {
                "bench": "near_duplicates",
                "database": "postgresql",
                "pairs": PAIRS,
                "queries": len(every),
                "p50_ms": _percentile(every, 0.50),
                "p95_ms": _percentile(every, 0.95),
                "max_ms": round(max(every), 2),
                "hit_p95_ms": _percentile(hits, 0.95),
                "miss_p95_ms": _percentile(misses, 0.95),
                "hits_found": f"{found}/{len(hits)}",
                "uses_gin_index": "pair_instruction_lsh" in plan,
                "fill_s": round(fill_seconds, 1),
            }
        ),
        flush=True,
    )


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print(json.dumps({"bench": "near_duplicates", "skipped": "needs PostgreSQL"}))
        return
    import psycopg

    from tests.bench.import_pairs import _admin_url

    admin = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not (KEEP and exists):
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    env = child_env(url.rsplit("/", 1)[0] + f"/{BENCH_DB}")
    try:
        print(json.dumps(child_run("tests.bench.near_duplicates", ["--child"], env)), flush=True)
    finally:
        if not KEEP:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child()
    else:
        main()
