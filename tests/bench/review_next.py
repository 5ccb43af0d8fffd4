"""Bench: "Review next" with 100,000 pairs waiting and 1, 8 and 32 reviewers at once.

Runs on the database server in DATABASE_URL (SQLite without it), in a fresh database of
its own that it creates and drops: real data is never touched. Each reviewer is a thread
with its own connection that, for about ROUND_SECONDS, claims the next pair, reads for a
moment, decides (mostly approve, some reject or request changes) and claims again.
Prints one JSON line per reviewer count: latency of pair_take_next while reviewers work at
their own pace (p50/p95 in ms) and when all of them press "next" at the same moment
(burst_*; in one Python process that mostly measures the GIL), claims made, and double
claims (a pair handed to a reviewer while another held it, or a decision refused because
the claim had been taken away), which must always be 0. A last line says whether
PostgreSQL's plans walk the queue indexes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/handwritten python -m tests.bench review_next
"""

import json
import os
import random
import threading
import time
from datetime import timedelta

PENDING = int(os.environ.get("BENCH_PENDING", "100000"))
REVIEWER_COUNTS = (1, 8, 32)
# Reviewers read before deciding. The whole team together claims RATE pairs a second
# (ten times what a real team of 32 manages), each reviewer pausing reviewers/RATE seconds
# between claim and decision: much more than that and 32 Python threads on a two-core
# machine measure the GIL's queue rather than the database.
RATE = float(os.environ.get("BENCH_RATE", "10"))
ROUND_SECONDS = float(os.environ.get("BENCH_ROUND_SECONDS", "30"))
BATCH = 5000


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("HANDWRITTEN_TESTING", "1")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    import django

    django.setup()


def _seed(pending: int):
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    from annotation.models import Pair, Revision, content_hash, instruction_key
    from annotation.roles import CONTRIBUTOR, REVIEWER
    from annotation.seeding import dataset_seed_dolly

    dataset = dataset_seed_dolly()
    category = dataset.categories.get(slug="open_qa")
    contributors, _ = Group.objects.get_or_create(name=CONTRIBUTOR)
    reviewers_group, _ = Group.objects.get_or_create(name=REVIEWER)
    authors = User.objects.bulk_create([User(username=f"author{i}") for i in range(50)])
    contributors.user_set.add(*authors)
    reviewers = User.objects.bulk_create(
        [User(username=f"reviewer{i}") for i in range(max(REVIEWER_COUNTS))]
    )
    reviewers_group.user_set.add(*reviewers)
    # Authors that also review make "never your own pair" matter.
    contributors.user_set.add(*reviewers)

    start = timezone.now() - timedelta(days=30)
    for first in range(0, pending, BATCH):
        numbers = range(first, min(first + BATCH, pending))
        pairs = Pair.objects.bulk_create(
            [
                Pair(
                    dataset=dataset,
                    category=category,
                    author=(reviewers + authors)[n % (len(reviewers) + len(authors))],
                    status=Pair.Status.SUBMITTED,
                    submitted_at=start + timedelta(seconds=n),
                )
                for n in numbers
            ]
        )
        revisions = []
        for n, pair in zip(numbers, pairs, strict=True):
            instruction = f"Bench question number {n}: why is the sky blue at noon?"
            response = f"Because of Rayleigh scattering (answer {n})."
            revisions.append(
                Revision(
                    pair=pair,
                    number=1,
                    kind=Revision.Kind.ORIGINAL,
                    author=pair.author,
                    category=category,
                    instruction=instruction,
                    response=response,
                    content_hash=content_hash(
                        instruction=instruction,
                        context="",
                        response=response,
                        category_slug=category.slug,
                    ),
                    instruction_key=instruction_key(instruction),
                    typed_chars=len(instruction) + len(response),
                )
            )
        Revision.objects.bulk_create(revisions)
    Pair.objects.update(
        current_revision=Subquery(Revision.objects.filter(pair=OuterRef("pk")).values("pk")[:1])
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A database in steady state: the update above left a dead row per pair,
            # which autovacuum would otherwise clean up in the middle of a round.
            cursor.execute("VACUUM (ANALYZE)")
    return reviewers


def _plan() -> dict:
    """Which index the oldest-first lookup walks (PostgreSQL's EXPLAIN)."""
    from django.contrib.auth.models import User
    from django.db import connection

    from annotation.models import Dataset
    from review.queue import reviewable

    if connection.vendor != "postgresql":
        return {}
    reviewer = User.objects.get(username="reviewer0")
    dataset = Dataset.objects.get(slug="dolly")
    oldest = reviewable(reviewer).filter(dataset=dataset).order_by("submitted_at")[:1]
    started = reviewable(reviewer).filter(review_in_progress__isnull=False)
    started = started.order_by("review_in_progress__submitted_at")[:1]
    return {
        "oldest_plan_uses_queue_index": "pair_review_queue" in oldest.explain(),
        "started_plan_uses_age_index": "review_in_progress_age" in started.explain(),
    }


def _decision(rng: random.Random) -> dict:
    roll = rng.random()
    if roll < 0.05:
        return {"decision": "request_changes", "comment": "Add a source."}
    if roll < 0.15:
        return {"decision": "reject", "reason": "duplicate"}
    return {"decision": "approve"}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[int(share * (len(ordered) - 1))], 2)


def _round(reviewers) -> dict:
    """Every reviewer presses "next" at the same moment once (the burst), then works at
    its own pace (steady): p50/p95 are the steady claims, burst_* the simultaneous ones."""
    from django.db import connection, connections

    from annotation.models import Pair
    from review.decisions import review_decide
    from review.leases import LeaseLost
    from review.queue import pair_take_next

    think = len(reviewers) / RATE
    claims_each = max(2, int(ROUND_SECONDS * RATE / len(reviewers)))
    pending = Pair.objects.filter(status=Pair.Status.SUBMITTED).count()
    holders: dict[int, int] = {}
    guard = threading.Lock()
    steady: list[float] = []
    burst: list[float] = []
    counts = {"claims": 0, "double_claims": 0, "errors": 0}
    start = threading.Barrier(len(reviewers))

    def work(reviewer, seed: int) -> None:
        rng = random.Random(seed)
        try:
            # A web worker keeps its connection open; connecting is not part of a claim.
            connection.ensure_connection()
            start.wait()
            for n in range(claims_each):
                began = time.perf_counter()
                claim = pair_take_next(reviewer=reviewer)
                took = (time.perf_counter() - began) * 1000
                with guard:
                    (steady if n else burst).append(took)
                if claim is None:
                    break
                pair = claim.pair
                with guard:
                    counts["claims"] += 1
                    if holders.get(pair.pk, reviewer.pk) != reviewer.pk:
                        counts["double_claims"] += 1
                    holders[pair.pk] = reviewer.pk
                time.sleep(think * rng.uniform(0.5, 1.5))
                # Let go in the tally before the decision releases the claim, so that the
                # next holder is never counted as a double claim.
                with guard:
                    holders.pop(pair.pk, None)
                try:
                    review_decide(
                        pair=pair,
                        reviewer=reviewer,
                        revision_number=pair.current_revision.number,
                        **_decision(rng),
                    )
                except LeaseLost:
                    with guard:
                        counts["double_claims"] += 1
        except Exception:
            with guard:
                counts["errors"] += 1
            raise
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=work, args=(reviewer, n)) for n, reviewer in enumerate(reviewers)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "bench": "review_next",
        "reviewers": len(reviewers),
        "pending": pending,
        "p50_ms": _percentile(steady, 0.5),
        "p95_ms": _percentile(steady, 0.95),
        "burst_p50_ms": _percentile(burst, 0.5),
        "burst_max_ms": _percentile(burst, 1.0),
        **counts,
        "think_ms": round(think * 1000),
        "seconds": round(time.perf_counter() - began, 1),
    }


def main() -> None:
    _setup_django()
    from django.conf import settings
    from django.db import connection

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = "bench_review_next"
    original = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        began = time.perf_counter()
        reviewers = _seed(PENDING)
        seeded = round(time.perf_counter() - began, 1)
        print(json.dumps({"bench": "review_next_seed", "pending": PENDING, "seconds": seeded}))
        for count in REVIEWER_COUNTS:
            print(json.dumps(_round(reviewers[:count])), flush=True)
        # After the rounds, so that there are started pairs for the planner to weigh.
        print(json.dumps({"bench": "review_next_plan", "vendor": connection.vendor, **_plan()}))
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
