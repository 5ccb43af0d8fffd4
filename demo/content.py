"""Demo content: real Dolly records written, reviewed and released through every app's services.

It goes through the same functions as the web pages (assignment, draft, submit, claim,
review, edit, release), so the demo shows what the app really does and stays honest when
those rules change. It lives here, above annotation, review and exports, because
annotation may import neither of the other two.
"""

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from annotation.assignment import assignment_create
from annotation.drafts import DraftText, draft_save, pair_start
from annotation.licence import licence_accept
from annotation.models import Category, Dataset, Draft, OpenPrompt, Pair
from annotation.prompts import prompt_ask
from annotation.submission import pair_submit
from exports.building import release_build
from exports.models import DEFAULT_TEST_FRACTION, Release
from exports.services import release_create
from review.decisions import EditText, Scores, review_decide
from review.models import Review
from review.queue import pair_take_next

SAMPLE = Path(settings.BASE_DIR) / "tests" / "data" / "dolly-sample.jsonl"
D = Review.Decision

# Per category: approved pairs (two approvals each, from bob and rita), then pairs left
# waiting in the review queue.
APPROVED_PER_CATEGORY = 3
WAITING_PER_CATEGORY = 2
GOOD = Scores(helpfulness=4, correctness=5, writing=4)


class SeedFailed(Exception):
    pass


@dataclass
class Seeded:
    pairs: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    release: Release | None = None
    skipped: str = ""


@dataclass
class _Records:
    """The sample's records by category, handed out once each."""

    by_category: dict[str, list[dict]]

    def take(self, slug: str) -> Iterator[dict]:
        queue = self.by_category.get(slug, [])
        while queue:
            yield queue.pop(0)


def _records(path: Path) -> _Records:
    if not path.exists():
        raise SeedFailed(f"The demo sample {path} is missing.")
    by_category: dict[str, list[dict]] = defaultdict(list)
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                by_category[record["category"]].append(record)
    return _Records(by_category=by_category)


def _write(*, author: User, category: Category, records: _Records) -> Pair:
    """Write and submit the next record of ``category`` that passes the submit checks."""
    for record in records.take(category.slug):
        try:
            with transaction.atomic():
                assignment = assignment_create(
                    contributor=author, category=category, verb="assignment.give"
                )
                pair = pair_start(assignment=assignment, by=author)
                text = DraftText(
                    instruction=record["instruction"],
                    context=record["context"] if category.context_policy != "none" else "",
                    response=record["response"],
                )
                draft_save(
                    pair=pair,
                    by=author,
                    text=text,
                    base_version=Draft.objects.get(pair=pair).version,
                    active_seconds=120,
                    typed_chars=len(text.instruction) + len(text.context) + len(text.response),
                )
                pair_submit(pair=pair, by=author)
        except ValidationError:
            continue  # a record the checks refuse (too short, say) is not demo material
        pair.refresh_from_db()
        return pair
    raise SeedFailed(f"The demo sample has too few usable records of {category.slug}.")


def _review(*, pair: Pair, reviewer: User, decision: str, **details) -> None:
    """``reviewer`` takes the next pair of the queue, which must be ``pair``, and decides."""
    lease = pair_take_next(reviewer=reviewer)
    if lease is None or lease.pair_id != pair.pk:
        raise SeedFailed(f"The review queue did not hand {reviewer} the demo pair {pair.pk}.")
    pair.refresh_from_db()
    review_decide(
        pair=pair,
        reviewer=reviewer,
        revision_number=pair.current_revision.number,
        decision=decision,
        **details,
    )
    pair.refresh_from_db()


def _revise(*, pair: Pair, author: User, response: str) -> None:
    draft = Draft.objects.get(pair=pair)
    text = DraftText(
        instruction=draft.instruction,
        context=draft.context,
        source_url=draft.source_url,
        response=response,
    )
    draft_save(pair=pair, by=author, text=text, base_version=draft.version, typed_chars=80)
    pair_submit(pair=pair, by=author)


@transaction.atomic
def _pairs_seed(*, dataset: Dataset, people: dict[str, User], sample: Path) -> None:
    alice, dan, bob, rita = (people[name] for name in ("alice", "dan", "bob", "rita"))
    for writer in (alice, dan):
        licence_accept(user=writer, dataset=dataset)
    records = _records(sample)
    categories = list(dataset.categories.filter(active=True).order_by("pk"))
    by_slug = {category.slug: category for category in categories}

    # Approved: two reviewers agree. Reviewed one pair at a time, so the queue's head is
    # always the pair just submitted.
    for n in range(APPROVED_PER_CATEGORY):
        for category in categories:
            author = alice if n % 2 == 0 else dan
            pair = _write(author=author, category=category, records=records)
            _review(pair=pair, reviewer=bob, decision=D.APPROVE, scores=GOOD)
            _review(pair=pair, reviewer=rita, decision=D.APPROVE, scores=GOOD)

    # Rejected by both reviewers, with a reason the author can read.
    pair = _write(author=dan, category=by_slug["brainstorming"], records=records)
    for reviewer in (bob, rita):
        _review(
            pair=pair,
            reviewer=reviewer,
            decision=D.REJECT,
            reason=Review.Reason.OFF_GUIDELINE,
            comment="Reads like a copied web page; brainstorming asks for ideas of your own.",
        )

    # Changes requested; the author revises below, once rita's edit is proposed (the
    # queue hands out pairs already under review first).
    revised = _write(author=alice, category=by_slug["open_qa"], records=records)
    _review(
        pair=revised,
        reviewer=bob,
        decision=D.REQUEST_CHANGES,
        comment="Good answer; please add one sentence on why, so a reader can check it.",
    )

    # An edit proposal waiting in the edit queue: rita approves dan's pair with an edit.
    pair = _write(author=dan, category=by_slug["general_qa"], records=records)
    revision = pair.current_revision
    _review(
        pair=pair,
        reviewer=rita,
        decision=D.APPROVE_WITH_EDIT,
        comment="Tightened the ending.",
        scores=GOOD,
        edit=EditText(
            instruction=revision.instruction,
            context=revision.context,
            source_url=revision.source_url,
            response=revision.response.rstrip() + "\n\nIn short: start small and keep going.",
        ),
    )

    # The revision asked for, resubmitted: back in the review queue as revision 2.
    _revise(
        pair=revised,
        author=alice,
        response=revised.current_revision.response.rstrip()
        + "\n\nThis is why: it follows from the explanation above, which a reader can check.",
    )

    # Waiting for review in every category.
    for n in range(WAITING_PER_CATEGORY):
        for category in categories:
            _write(author=alice if n % 2 == 0 else dan, category=category, records=records)

    # A question alice asked for someone else to answer (listed in her pairs).
    if not OpenPrompt.objects.filter(dataset=dataset, author=alice).exists():
        prompt_ask(
            by=alice,
            category=by_slug["creative_writing"],
            instruction="Write a short poem about the first day at a new job.",
        )


def demo_content_seed(
    *, dataset: Dataset, people: dict[str, User], admin: User, sample: Path = SAMPLE
) -> Seeded:
    """Fill an empty ``dataset`` with pairs in every state and build release v1; idempotent.

    A dataset that already has pairs is left alone (they may be real); a ready release is
    built only when there is none.
    """
    seeded = Seeded()
    if Pair.objects.filter(dataset=dataset).exists():
        seeded.skipped = "the dataset already has pairs; no demo pairs added"
    else:
        _pairs_seed(dataset=dataset, people=people, sample=sample)
    pairs = Pair.objects.filter(dataset=dataset)
    seeded.pairs = pairs.count()
    for status in pairs.values_list("status", flat=True):
        seeded.by_status[status] = seeded.by_status.get(status, 0) + 1
    ready = Release.objects.filter(dataset=dataset, state=Release.State.READY)
    seeded.release = ready.order_by("-version").first()
    if seeded.release is None and pairs.filter(status=Pair.Status.APPROVED).exists():
        # Built here and now (after the pairs are committed: on PostgreSQL the build reads
        # them on a second connection), whether or not a worker is running.
        release = release_create(
            dataset=dataset,
            by=admin,
            notes="The demo's first release, built by seed_demo.",
            test_fraction=DEFAULT_TEST_FRACTION,
        )
        release_build(release_id=release.pk)
        release.refresh_from_db()
        if release.state != Release.State.READY:
            raise SeedFailed(f"The demo release failed: {release.error or release.state}")
        seeded.release = release
    return seeded
