"""Bench: the review page of a pair revised at the field limits, every word changed.

Instruction 4,000, context 30,000 and response 30,000 characters, revised so that every
word differs and the spaces stay where they were (difflib's worst case: it took ~18 s at
1,500 characters and never finished at 30,000). Seeds a fresh database of its own (SQLite
without DATABASE_URL), then renders the reviewer's page through Django's test client.

Prints the page's median and worst time over ROUNDS renders (the target is < 300 ms), and
the word diff of one 30,000-character field alone.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hw python -m tests.bench diff
"""

import json
import os
import random
import re
import statistics
import time

ROUNDS = int(os.environ.get("BENCH_DIFF_ROUNDS", "7"))
LIMITS = {"instruction": 4000, "context": 30000, "response": 30000}


def _prose(length: int, seed: int) -> str:
    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=2 + n % 8)) for n in range(300)
    ]
    text = " ".join(rng.choices(vocabulary, k=length // 3))
    assert len(text) >= length
    return text[:length]


def _rewrite(text: str) -> str:
    """Every word changed, every space kept."""
    return re.sub(r"\w+", lambda word: word.group()[::-1].upper(), text)


def _seed():
    from django.db import transaction

    from annotation.models import Pair, Revision
    from annotation.roles import CONTRIBUTOR, REVIEWER
    from annotation.seeding import dataset_seed_dolly
    from annotation.submission import revision_create
    from annotation.workflow import lock
    from review.queue import pair_take_next
    from tests.factories import make_pair, make_user

    dataset = dataset_seed_dolly()
    category = dataset.categories.get(slug="closed_qa")
    author = make_user("bench-author", CONTRIBUTOR)
    reviewer = make_user("bench-reviewer", REVIEWER)
    old = {name: _prose(limit, n) for n, (name, limit) in enumerate(LIMITS.items())}
    pair = make_pair(author=author, category=category, **old)
    with transaction.atomic():
        revision_create(
            pair=lock(pair),
            by=author,
            kind=Revision.Kind.AUTHOR_REVISION,
            **{name: _rewrite(text) for name, text in old.items()},
        )
    pair = Pair.objects.get(pk=pair.pk)
    assert pair.revisions.count() == 2
    assert pair_take_next(reviewer=reviewer).pair == pair
    return pair, reviewer, old


def main() -> None:
    from tests.bench.review_next import _setup_django

    _setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from review.diff import word_diff

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = "bench_diff"
    original = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        pair, reviewer, old = _seed()
        client = Client()
        client.force_login(reviewer)
        url = reverse("review:pair", args=[pair.public_id])
        timings = []
        for _ in range(ROUNDS):
            began = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code
            assert b"<ins>" in response.content
        began = time.perf_counter()
        word_diff(old["response"], _rewrite(old["response"]))
        field_ms = (time.perf_counter() - began) * 1000
        print(
            json.dumps(
                {
                    "bench": "diff",
                    "vendor": connection.vendor,
                    "characters": LIMITS,
                    "page_median_ms": round(statistics.median(timings), 1),
                    "page_max_ms": round(max(timings), 1),
                    "one_30k_field_diff_ms": round(field_ms, 1),
                    "target_ms": 300,
                }
            ),
            flush=True,
        )
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
