"""import_pairs speed: 100,000 generated Dolly-format lines into a throwaway database.

Uses the PostgreSQL server of DATABASE_URL (`make bench` sets it) but never its database:
it creates `hw_bench_import`, migrates it, imports, and drops it. Without DATABASE_URL it
uses a temporary SQLite file. The time is the whole `manage.py import_pairs` process (both
passes, Python start-up included); cpu_s is that process's own CPU time (the rest is
waiting for the database), max_rss_mb its peak memory. Prints one JSON object.
"""

import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dj_database_url
import psycopg

ROWS = 100_000
BENCH_DB = "hw_bench_import"
ROOT = Path(__file__).resolve().parents[2]
CATEGORIES = [
    ("open_qa", ""),
    ("general_qa", ""),
    ("classification", ""),
    ("brainstorming", ""),
    ("creative_writing", ""),
    ("closed_qa", "A reference passage that the answer is drawn from, long enough to count."),
    ("information_extraction", "The airline serves 32 cities from hubs in three big cities."),
    ("summarization", "A paragraph long enough to be summarised in a single sentence here."),
]


def _words(n: int) -> str:
    """Made-up words per line: the import refuses near-duplicate instructions, and a file of
    "Question 1: ...", "Question 2: ..." is nothing but near-duplicates."""
    digest = hashlib.sha256(str(n).encode()).digest()
    return " ".join("".join(chr(97 + b % 26) for b in digest[i : i + 6]) for i in range(0, 24, 6))


def write_lines(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n in range(ROWS):
            slug, context = CATEGORIES[n % len(CATEGORIES)]
            record = {
                "instruction": f"How does {_words(n)} work ({n})?",
                "context": context,
                "response": f"A hand-written answer number {n}, complete and to the point. " * 3,
                "category": slug,
            }
            out.write(json.dumps(record) + "\n")


def _admin_url(url: str) -> str:
    parsed = dj_database_url.parse(url)
    return psycopg.conninfo.make_conninfo(
        host=parsed["HOST"] or "127.0.0.1",
        port=parsed["PORT"] or 5432,
        user=parsed["USER"],
        password=parsed["PASSWORD"] or None,
        dbname="postgres",
    )


def _manage(env: dict[str, str], *args: str) -> resource.struct_rusage:
    """Run a management command; returns its resource usage (time, peak memory)."""
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=output, stderr=output
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            output.seek(0)
            raise RuntimeError(f"manage.py {args[0]} failed:\n{output.read().decode()}")
    return usage


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "pairs.jsonl"
        write_lines(data)
        env = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret")}
        admin = None
        if url.startswith("postgres"):
            admin = _admin_url(url)
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
                conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
            env["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{BENCH_DB}"
            engine = "postgresql"
        else:
            env.pop("DATABASE_URL", None)
            env["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
            engine = "sqlite"
        try:
            _manage(env, "migrate", "--noinput")
            _manage(env, "seed_demo", "--allow-production")
            started = time.perf_counter()
            usage = _manage(
                env, "import_pairs", str(data), "--dataset", "dolly", "--status", "approved"
            )
            seconds = time.perf_counter() - started
            size = data.stat().st_size
        finally:
            if admin is not None:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    print(
        json.dumps(
            {
                "bench": "import_pairs",
                "database": engine,
                "rows": ROWS,
                "bytes": size,
                "seconds": round(seconds, 2),
                "rows_per_s": round(ROWS / seconds),
                "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
                "max_rss_mb": round(usage.ru_maxrss / 1024),
            }
        ),
        flush=True,
    )
