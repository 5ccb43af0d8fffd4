"""What the benchmarks share: each measures in a child process of its own, on a database
of its own, so the parent's imports and caches never colour a figure."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def child_env(db_url: str, **extra: str) -> dict[str, str]:
    """The environment of a bench child: the bench database, tasks in-process, not DEBUG."""
    env = dict(os.environ, DATABASE_URL=db_url, **extra)
    env.pop("REDIS_URL", None)
    env.pop("DEBUG", None)
    env.setdefault("SECRET_KEY", "bench-only-secret-key")
    env.setdefault("HANDWRITTEN_TESTING", "1")
    return env


def child_run(module: str, args: list[str], env: dict[str, str]) -> dict:
    """Run ``python -m module *args``; its last line of output is one JSON object."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench child {module} {args} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def server_url(bench: str) -> str:
    """DATABASE_URL without its database name: the server a bench makes its database on."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"tests.bench.{bench} needs DATABASE_URL=postgres://... (PostgreSQL).")
    return url.rsplit("/", 1)[0]


def psycopg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)
