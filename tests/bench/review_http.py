"""Bench: the review loop over HTTP, 32 reviewers through gunicorn (4 sync workers).

Runs a production-mode gunicorn (DEBUG off, collected static files) on a fresh
PostgreSQL database of its own that it seeds, then drops. Each reviewer is a thread with
its own keep-alive connection and session that, for ROUND_SECONDS, presses "Review next"
(``POST /review/next/``, the figure that matters: take-next), opens the pair page, reads
for THINK_MS (±50%), and decides (mostly approve, some reject or request changes).

A warm-up round of WARM_SECONDS comes first and is not counted: a gunicorn worker's first
requests load templates and open its database connection, and on this machine a first
round of 32 took ~30 ms more at p95 than the same round after another.

Prints one JSON line per reviewer count: take-next p50/p95/max in ms (each reviewer's
first press, made by all of them at the same instant, is reported apart as the start
burst, since it queues every reviewer's request at once; the p95 with it in is printed
too), the pair page's and the decision's p95, the requests made, 5xx responses, and
double leases (a pair handed to a reviewer while another held it, or a decision refused
for a lost lease): the last two must be 0.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hw python -m tests.bench review_http
"""

import http.client
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PENDING = int(os.environ.get("BENCH_HTTP_PENDING", "20000"))
REVIEWER_COUNTS = tuple(
    int(n) for n in os.environ.get("BENCH_HTTP_REVIEWERS", "16,32").split(",") if n
)
ROUND_SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "30"))
THINK_MS = float(os.environ.get("BENCH_HTTP_THINK_MS", "1000"))
WARM_SECONDS = float(os.environ.get("BENCH_HTTP_WARM_SECONDS", "5"))
WORKERS = 4
ROOT = Path(__file__).resolve().parents[2]
CSRF = "b" * 32
PAIR_URL = re.compile(r"/review/pairs/([0-9a-f-]{36})/$")


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[int(share * (len(ordered) - 1))], 1)


def _sessions(reviewers) -> list[str]:
    from django.test import Client

    cookies = []
    for reviewer in reviewers:
        client = Client()
        client.force_login(reviewer)
        cookies.append(client.cookies["sessionid"].value)
    return cookies


def _server(database_url: str, static_root: str, port: int, home: str) -> subprocess.Popen:
    from django.conf import settings

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": home,
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": static_root,
        # As in production (compose): Redis holds the cache, and so the sessions.
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    argv = [
        *(sys.executable, "-m", "gunicorn", "config.wsgi"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--timeout", "60"),
    ]
    server = subprocess.Popen(argv, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


class Browser:
    """One reviewer's keep-alive connection with its session and CSRF cookies."""

    def __init__(self, port: int, session: str) -> None:
        self.port = port
        self.cookie = f"sessionid={session}; csrftoken={CSRF}"
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: str = "") -> tuple[int, str, float]:
        headers = {"Cookie": self.cookie, "Host": "127.0.0.1"}
        if method == "POST":
            headers |= {
                "X-CSRFToken": CSRF,
                "Content-Type": "application/x-www-form-urlencoded",
            }
        began = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            raise
        took = (time.perf_counter() - began) * 1000
        return response.status, response.getheader("Location") or "", took


def _decision(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.05:
        return "decision=request_changes&comment=Add+a+source.&revision=1"
    if roll < 0.15:
        return "decision=reject&reason=duplicate&revision=1"
    return "decision=approve&revision=1"


def _round(port: int, sessions: list[str], seconds: float = ROUND_SECONDS) -> dict:
    timings: dict[str, list[float]] = {"burst": [], "next": [], "page": [], "decide": []}
    counts = {"requests": 0, "server_errors": 0, "double_leases": 0, "errors": 0}
    holders: dict[str, int] = {}
    guard = threading.Lock()
    start = threading.Barrier(len(sessions))
    deadline = [0.0]

    def work(n: int, session: str) -> None:
        rng = random.Random(n)
        browser = Browser(port, session)
        start.wait()
        first = True
        try:
            while time.perf_counter() < deadline[0]:
                status, location, took = browser.request("POST", "/review/next/")
                found = PAIR_URL.search(location)
                with guard:
                    # Every reviewer's first press comes at the same instant (the barrier):
                    # that burst queues 32 requests at once, and is reported on its own.
                    timings["burst" if first else "next"].append(took)
                    first = False
                    counts["requests"] += 1
                    counts["server_errors"] += status >= 500
                    if found:
                        if holders.get(found[1], n) != n:
                            counts["double_leases"] += 1
                        holders[found[1]] = n
                if not found:
                    time.sleep(0.5)
                    continue
                pair = found[0].removeprefix("/")
                status, _, took = browser.request("GET", f"/{pair}")
                with guard:
                    timings["page"].append(took)
                    counts["server_errors"] += status >= 500
                time.sleep(THINK_MS / 1000 * rng.uniform(0.5, 1.5))
                with guard:
                    holders.pop(found[1], None)
                status, _, took = browser.request("POST", f"/{pair}decide/", body=_decision(rng))
                with guard:
                    timings["decide"].append(took)
                    counts["requests"] += 2
                    counts["server_errors"] += status >= 500
                    counts["double_leases"] += status in (404, 409)
        except Exception:
            with guard:
                counts["errors"] += 1
            raise

    threads = [
        threading.Thread(target=work, args=(n, session)) for n, session in enumerate(sessions)
    ]
    deadline[0] = time.perf_counter() + seconds
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "bench": "review_http",
        "reviewers": len(sessions),
        "gunicorn_workers": WORKERS,
        "think_ms": THINK_MS,
        "take_next_p50_ms": _percentile(timings["next"], 0.5),
        "take_next_p95_ms": _percentile(timings["next"], 0.95),
        "take_next_max_ms": _percentile(timings["next"], 1.0),
        "start_burst_p50_ms": _percentile(timings["burst"], 0.5),
        "start_burst_max_ms": _percentile(timings["burst"], 1.0),
        "take_next_p95_with_burst_ms": _percentile(timings["next"] + timings["burst"], 0.95),
        "page_p95_ms": _percentile(timings["page"], 0.95),
        "decide_p95_ms": _percentile(timings["decide"], 0.95),
        "take_nexts": len(timings["next"]) + len(timings["burst"]),
        **counts,
    }


def main() -> None:
    from tests.bench.review_next import _seed, _setup_django

    _setup_django()
    from django.conf import settings
    from django.db import connection, connections

    from tests.integration.processes import free_port

    if connection.vendor != "postgresql":
        print(json.dumps({"bench": "review_http", "skipped": "needs PostgreSQL"}))
        return
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = "bench_review_http"
    original = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    db = settings.DATABASES["default"]
    url = (
        f"postgres://{db['USER']}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}"
        f"@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )
    server = None
    try:
        reviewers = _seed(PENDING)
        sessions = _sessions(reviewers)
        connections.close_all()
        with tempfile.TemporaryDirectory(prefix="hw-bench-") as home:
            port = free_port()
            server = _server(url, str(Path(home) / "static"), port, home)
            _round(port, sessions[:8], WARM_SECONDS)
            for count in REVIEWER_COUNTS:
                print(json.dumps(_round(port, sessions[:count])), flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        connections.close_all()
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
