"""Release build speed and memory against PostgreSQL's own COPY of the same rows.

`python -m tests.bench export` (DATABASE_URL must name a PostgreSQL server). In a throwaway
database it generates datasets of 10k and 100k approved pairs (and 1M with
BENCH_EXPORT_1M=1, or just the sizes in BENCH_EXPORT_SIZES=10000,1000000), each with two
reviews per pair, and for each size prints one JSON line:

- floor_seconds: `COPY (SELECT row_to_json(...)) TO STDOUT` of the dolly columns, same rows,
  same order;
- dolly_seconds: the dolly writer's own time, streaming the rows into dolly.jsonl alone
  (fresh process), the release's entries recorded just before; and
  dolly_with_selection_seconds, that recording included (0.3 s of 100k);
- release_seconds: a whole release (every format, entries, changelog, card, manifest,
  publishing): the wall time of `manage.py build_release`, its start-up included;
- each the fastest of RUNS rounds below 1M rows, of one at 1M (the floor of at least two);
  a round measures the floor, then dolly, then the release, so the three share the
  machine's state; a release after the first also writes its changelog against the one
  before, so it does no less work;
- rows_per_second of the release, peak RSS (MB) of each building process, and the ratios
  to the floor (targets: dolly <= 1.5x, the command <= 4x, RSS < 256 MB and flat).
"""

import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from tests.bench._processes import child_env, child_run, psycopg_url, server_url

ROOT = Path(__file__).resolve().parents[2]
MODULE = "tests.bench.export"
BENCH_DB = "hw_exports_bench"
SIZES = [10_000, 100_000]
# Every figure below 1M rows is the best of this many runs, the floor's as well: a build of
# 10k rows takes a fifth of a second, where one busy moment of the machine shows.
RUNS = int(os.environ.get("BENCH_EXPORT_RUNS", "5"))
USERS = 50


def _generate(size: int) -> dict:
    """Inside the bench database: a dataset of ``size`` approved pairs, 2 reviews each."""
    from django.contrib.auth.models import User
    from django.db import connection

    from annotation.models import Dataset
    from annotation.seeding import dataset_seed_dolly

    dolly = dataset_seed_dolly()
    slug = f"bench-{size}"
    dataset = Dataset.objects.create(name=f"Bench {size}", slug=slug)
    for category in dolly.categories.all():
        category.pk = None
        category.dataset = dataset
        category.save()
    users = [User.objects.get_or_create(username=f"bench{i}")[0].pk for i in range(USERS)]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        params = {"dataset": dataset.pk, "size": size, "users": users}
        cursor.execute(
            """
            INSERT INTO annotation_pair (public_id, dataset_id, category_id, author_id, status,
                review_round, submitted_at, approved_at, created_at, updated_at,
                instruction_normalised, instruction_bands)
            SELECT gen_random_uuid(), %(dataset)s,
                (ARRAY(SELECT id FROM annotation_category WHERE dataset_id = %(dataset)s
                       ORDER BY slug))[1 + i %% 8],
                (%(users)s::int[])[1 + i %% array_length(%(users)s::int[], 1)],
                'approved', 0, now(), now(), now(), now(), '', ''
            FROM generate_series(1, %(size)s) AS i
            """,
            params,
        )
        # About the lengths of databricks-dolly-15k: a third of the rows have a context.
        cursor.execute(
            """
            INSERT INTO annotation_revision (pair_id, number, kind, author_id, category_id,
                instruction, context, source_url, response, content_hash, instruction_key,
                active_seconds, typed_chars, pasted_chars, warnings, created_at)
            SELECT p.id, 1, 'original', p.author_id, p.category_id,
                'Question ' || p.id || ' ✍: what does ' || md5(p.id::text) || ' mean?',
                CASE WHEN p.id %% 3 = 0
                     THEN repeat(md5(p.id::text || 'c') || ' «quoted» ', 16) ELSE '' END,
                '',
                repeat(md5(p.id::text || 'r') || E' line\\n', 8),
                md5(p.id::text), md5(p.id::text || 'k'), 60, 300, 0, '[]', now()
            FROM annotation_pair p WHERE p.dataset_id = %(dataset)s
            """,
            params,
        )
        cursor.execute(
            """
            UPDATE annotation_pair p SET approved_revision_id = r.id, current_revision_id = r.id
            FROM annotation_revision r WHERE r.pair_id = p.id AND p.dataset_id = %(dataset)s
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO review_review (pair_id, revision_id, reviewer_id, round, decision,
                reason, comment, created_at)
            SELECT p.id, p.approved_revision_id,
                (%(users)s::int[])[1 + (p.id + g) %% array_length(%(users)s::int[], 1)],
                0, 'approve', '', '', p.approved_at - interval '1 minute'
            FROM annotation_pair p, generate_series(1, 2) AS g
            WHERE p.dataset_id = %(dataset)s
            """,
            params,
        )
        # Settle what the generation left for the server to do in the background (autovacuum
        # of a million new rows, setting their hint bits, a checkpoint of the WAL), so that
        # it runs neither during the floor's COPY nor during a build, but before both.
        cursor.execute("VACUUM (FREEZE, ANALYZE)")
        cursor.execute("CHECKPOINT")
    return {"slug": slug, "generate_seconds": round(time.perf_counter() - started, 2)}


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _dolly_alone(slug: str) -> dict:
    from annotation.models import Dataset
    from exports.building import write_rows
    from exports.formats.dolly import Dolly
    from exports.selection import entries_record
    from exports.services import release_create

    # Never published: it only measures selecting the rows and writing dolly.jsonl.
    release = release_create(dataset=Dataset.objects.get(slug=slug), by=None, test_fraction=0.1)
    directory = Path(tempfile.mkdtemp(prefix="bench-dolly-"))
    try:
        started = time.perf_counter()
        entries_record(release=release)
        recorded = time.perf_counter()
        dolly = Dolly(directory)
        result = write_rows(release=release, into=[dolly])
        dolly.finish(None)
        finished = time.perf_counter()
    finally:
        shutil.rmtree(directory)
    return {
        # The writer's own time: the rows read and dolly.jsonl written.
        "seconds": round(finished - recorded, 2),
        # With the release's selection recorded first, a step every format shares.
        "with_selection_seconds": round(finished - started, 2),
        "rows": result.total,
        "rss_mb": _peak_rss_mb(),
    }


def _release(slug: str) -> dict:
    from annotation.models import Dataset
    from exports.building import release_build
    from exports.services import release_create

    release = release_create(dataset=Dataset.objects.get(slug=slug), by=None, test_fraction=0.1)
    started, cpu = time.perf_counter(), os.times()
    built = release_build(release_id=release.pk)
    seconds, spent = time.perf_counter() - started, os.times()
    if built.state != "ready":
        raise SystemExit(f"release failed: {built.error}")
    return {
        "seconds": round(seconds, 2),
        "rows": built.total_count,
        "bytes": sum(f.bytes for f in built.files.all()),
        "rss_mb": _peak_rss_mb(),
        # The building process's CPU, all threads; system time is mostly the kernel taking
        # in the written files.
        "cpu_user": round(spent.user - cpu.user, 2),
        "cpu_system": round(spent.system - cpu.system, 2),
    }


def _command(slug: str, env: dict[str, str]) -> dict:
    """The whole ``build_release`` command, as an admin runs it: wall time and peak RSS."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "manage.py", "build_release", "--dataset", slug],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"build_release failed:\n{child.stderr.read().decode()[-4000:]}")
    child.stderr.close()
    return {
        "seconds": round(seconds, 2),
        "rss_mb": round(usage.ru_maxrss / 1024, 1),
        "cpu_user": round(usage.ru_utime, 2),
        "cpu_system": round(usage.ru_stime, 2),
    }


def _floor(db_url: str, slug: str) -> float:
    query = """
        COPY (SELECT row_to_json(t) FROM (
            SELECT r.instruction, r.context, r.response, c.slug AS category
            FROM annotation_pair p
            JOIN annotation_revision r ON r.id = p.approved_revision_id
            JOIN annotation_category c ON c.id = r.category_id
            JOIN annotation_dataset d ON d.id = p.dataset_id
            WHERE d.slug = %s AND p.status <> 'retracted'
            ORDER BY p.id) t) TO STDOUT
    """
    with psycopg.connect(psycopg_url(db_url)) as conn, conn.cursor() as cursor:
        started = time.perf_counter()
        with cursor.copy(query, (slug,)) as copy:
            for _ in copy:
                pass
        return time.perf_counter() - started


def _fastest(runs: list[dict]) -> dict:
    """The fastest run, with the highest peak memory of them all."""
    fastest = min(runs, key=lambda run: run["seconds"])
    return {**fastest, "rss_mb": max(run["rss_mb"] for run in runs)}


def main() -> None:
    server = server_url("export")
    db_url = f"{server}/{BENCH_DB}"
    sizes = SIZES + ([1_000_000] if os.environ.get("BENCH_EXPORT_1M") else [])
    if os.environ.get("BENCH_EXPORT_SIZES"):
        sizes = [int(size) for size in os.environ["BENCH_EXPORT_SIZES"].split(",")]
    with psycopg.connect(psycopg_url(f"{server}/postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    media = tempfile.mkdtemp(prefix="bench-media-")
    env = child_env(db_url, MEDIA_ROOT=media)
    try:
        # As the image does: a command run under PYTHONDONTWRITEBYTECODE would otherwise
        # compile the project at every start.
        packages = ["annotation", "config", "demo", "exports", "people", "review"]
        subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], cwd=ROOT, check=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        for size in sizes:
            generated = child_run(MODULE, ["generate", str(size)], env)
            slug = generated["slug"]
            floors, dollies, releases, commands = [], [], [], []
            for _ in range(RUNS if size < 1_000_000 else 1):
                # Round by round, so that the three figures share the machine's moods: its
                # speed drifts by half over minutes, which would skew a ratio of figures
                # taken minutes apart.
                floors.append(_floor(db_url, slug))
                dollies.append(child_run(MODULE, ["dolly", slug], env))
                releases.append(child_run(MODULE, ["release", slug], env))
                commands.append(_command(slug, env))
            if len(floors) < 2:
                floors.append(_floor(db_url, slug))
            floor, dolly, release = min(floors), _fastest(dollies), _fastest(releases)
            command = _fastest(commands)
            print(
                json.dumps(
                    {
                        "bench": "export",
                        "pairs": size,
                        "floor_seconds": round(floor, 2),
                        "dolly_seconds": dolly["seconds"],
                        "release_seconds": release["seconds"],
                        "rows_per_second": round(release["rows"] / release["seconds"]),
                        "dolly_x_floor": round(dolly["seconds"] / floor, 2),
                        "dolly_with_selection_seconds": dolly["with_selection_seconds"],
                        "dolly_with_selection_x_floor": round(
                            dolly["with_selection_seconds"] / floor, 2
                        ),
                        "release_x_floor": round(release["seconds"] / floor, 2),
                        "command_seconds": command["seconds"],
                        "command_x_floor": round(command["seconds"] / floor, 2),
                        "command_peak_rss_mb": command["rss_mb"],
                        "dolly_peak_rss_mb": dolly["rss_mb"],
                        "release_peak_rss_mb": release["rss_mb"],
                        "release_mb": round(release["bytes"] / 2**20, 1),
                        "release_cpu_user": release["cpu_user"],
                        "release_cpu_system": release["cpu_system"],
                        "generate_seconds": generated["generate_seconds"],
                    }
                ),
                flush=True,
            )
            shutil.rmtree(media, ignore_errors=True)
    finally:
        shutil.rmtree(media, ignore_errors=True)
        with psycopg.connect(psycopg_url(f"{server}/postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def _run_child(argv: list[str]) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    command, arg = argv
    if command != "generate":
        # As every build runs now: a worker's pool process and build_release both freeze
        # what start-up made (config/celery.py).
        gc.freeze()
    if command == "generate":
        result = _generate(int(arg))
    elif command == "dolly":
        result = _dolly_alone(arg)
    else:
        result = _release(arg)
    print(json.dumps(result))


if __name__ == "__main__":
    _run_child(sys.argv[1:])
