"""Near-duplicate check against 1,000,000 live pairs on PostgreSQL (issue 15: p95 < 50 ms).

Creates its own database (`hw_bench_near` on the server of DATABASE_URL; real data is
never touched), fills it with BENCH_NEAR_PAIRS (default 1M) submitted pairs whose
instructions are 6-14 words drawn Zipf-like from the vocabulary of the 305 real
databricks-dolly-15k records in tests/data (so common trigrams are as common as in real
text), builds the pg_trgm GIN index, then times `annotation.similar.similar_pairs`, the
call the write page, the review page and the submit checks make, QUERIES times: half are
an existing instruction with one word changed (a hit is expected), half are new. Prints
one JSON object: p50/p95/max in ms, for hits and misses, and whether the plan uses the
GIN index. Without PostgreSQL it prints a line saying so.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x python -m tests.bench near_duplicates
"""

import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = "hw_bench_near"
PAIRS = int(os.environ.get("BENCH_NEAR_PAIRS", "1000000"))
QUERIES = int(os.environ.get("BENCH_NEAR_QUERIES", "400"))
SAMPLE = ROOT / "tests" / "data" / "dolly-sample.jsonl"


def _vocabulary() -> list[str]:
    """Lower-case words of the Dolly sample, most frequent first."""
    counts: Counter = Counter()
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text = " ".join((record["instruction"], record["context"], record["response"]))
        counts.update(re.findall(r"[a-z]+", text.lower()))
    return [word for word, _ in counts.most_common()]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)


def _fill(words: list[str]) -> float:
    """PAIRS submitted pairs with generated instructions; returns seconds taken."""
    from django.contrib.auth.models import User
    from django.db import connection

    from annotation.seeding import dataset_seed_dolly

    dataset = dataset_seed_dolly()
    author = User.objects.create(username="bench-author")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute("DROP INDEX IF EXISTS pair_instruction_trgm")
        # Only lower-case ASCII words: their normalised form (annotation.normalisation)
        # is the text with "m" as "rn" (TS #39 skeleton), checked on a sample below.
        cursor.execute(
            """
            INSERT INTO annotation_pair (public_id, dataset_id, category_id, author_id, status,
                review_round, submitted_at, created_at, updated_at, instruction_key,
                instruction_normalised)
            SELECT gen_random_uuid(), %(dataset)s,
                (ARRAY(SELECT id FROM annotation_category WHERE dataset_id = %(dataset)s
                       ORDER BY slug))[1 + i %% 8],
                %(author)s, 'submitted', 0, now(), now(), now(), md5(i::text || 'k'),
                replace(t.text, 'm', 'rn')
            FROM generate_series(1, %(size)s) AS i
            CROSS JOIN LATERAL (
                SELECT string_agg(
                    (%(words)s::text[])[1 + floor(power(random(), 3) * %(n)s)::int], ' '
                ) || '?' AS text
                FROM generate_series(1, 6 + (i * 7919) %% 9) AS g WHERE i > 0
            ) t
            """,
            {
                "dataset": dataset.pk,
                "author": author.pk,
                "size": PAIRS,
                "words": words,
                "n": len(words),
            },
        )
        cursor.execute(
            "CREATE INDEX pair_instruction_trgm ON annotation_pair "
            "USING gin (instruction_normalised gin_trgm_ops)"
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
    from annotation.similar import similar_pairs

    call_command("migrate", verbosity=0)
    words = _vocabulary()
    fill_seconds = _fill(words)
    rng = random.Random(15)
    sample = list(
        Pair.objects.order_by("?").values_list("instruction_normalised", flat=True)[:QUERIES]
    )
    # The stored form must be what normalise() makes of the generated text.
    for word in words:
        assert normalise(f"{word}?") == f"{word.replace('m', 'rn')}?", word
    hits: list[float] = []
    misses: list[float] = []
    found = 0
    for n, text in enumerate(sample):
        if n % 2 == 0:
            # A normalised text is its own normalised form: type it with one word changed.
            tokens = text.rstrip("?").split()
            tokens[rng.randrange(len(tokens))] = rng.choice(words[:2000])
            query, bucket = " ".join(tokens).capitalize() + "?", hits
        else:
            length = 6 + rng.randrange(9)
            picked = [words[int((rng.random() ** 3) * len(words))] for _ in range(length)]
            query, bucket = " ".join(picked).capitalize() + "?", misses
        started = time.perf_counter()
        result = similar_pairs(instruction=query, threshold=0.7)
        bucket.append((time.perf_counter() - started) * 1000)
        found += bool(result) and bucket is hits
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', '0.7', false)")
        cursor.execute(
            "EXPLAIN SELECT id FROM annotation_pair WHERE instruction_normalised %% %s",
            [normalise(sample[0])],
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
                "uses_gin_index": "pair_instruction_trgm" in plan,
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
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    env = {
        **os.environ,
        "DATABASE_URL": url.rsplit("/", 1)[0] + f"/{BENCH_DB}",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key"),
        "HANDWRITTEN_TESTING": "1",
    }
    try:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "tests.bench.near_duplicates", "--child"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"near_duplicates bench failed:\n{done.stderr[-4000:]}")
        print(done.stdout.strip().splitlines()[-1], flush=True)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child()
    else:
        main()
