"""The figures of a dataset's collection: composition, pace, review, lengths, agreement.

Everything is aggregated by the database in a fixed number of queries (eleven with the
per-reviewer part, eight without), whatever the size of the data; Python only folds the
grouped rows. At a million pairs that still takes the database tens of seconds (see
tests/bench/insights.py), so the page serves an InsightsSnapshot that a worker refreshes
when it is stale (:func:`insights_snapshot`, :func:`insights_refresh`).

The SQL is plain enough to run on SQLite and PostgreSQL alike; only the seconds between
two times and the percentiles differ, and SQLite, which has no percentile_cont, gets its
percentiles from the (small) list of values.
"""

import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from annotation.models import Category, Dataset, Pair, Revision
from annotation.pairs import approved_work
from review.agreement import DECISIONS, AlphaSums, reviewer_flags
from review.models import InsightsSnapshot, Review

S = Pair.Status
D = Review.Decision
SCORES = ("helpfulness", "correctness", "writing")
REASONS: tuple[str, ...] = tuple(Review.Reason.values)
FIELDS = ("instruction", "context", "response")
# Histogram bins: a value falls in the last bin whose lower edge it reaches.
CHAR_EDGES = (0, 1, 25, 50, 100, 200, 400, 800, 1600, 3200)
WORD_EDGES = (0, 1, 5, 10, 20, 40, 80, 160, 320, 640)
# A refresh asked for this long ago and not stored was lost with its worker.
REFRESH_LOST = timedelta(minutes=15)
# A gap longer than this between a reviewer's decisions is a break, not time on a pair.
SESSION_GAP_SECONDS = 30 * 60

PAIR = Pair._meta.db_table
REVISION = Revision._meta.db_table
REVIEW = Review._meta.db_table


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _seconds(later: str, earlier: str) -> str:
    if _postgres():
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def _rows(sql: str, params: list | tuple) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation, as PostgreSQL's percentile_cont."""
    if not values:
        return None
    values = sorted(values)
    position = q * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def _bin_labels(edges: tuple[int, ...]) -> list[str]:
    labels = []
    for low, high in zip(edges, [*edges[1:], None], strict=True):
        if high is None:
            labels.append(f"{low}+")
        elif high - low == 1:
            labels.append(str(low))
        else:
            labels.append(f"{low}–{high - 1}")
    return labels


def _bucket(expression: str, edges: tuple[int, ...]) -> str:
    return " + ".join(f"(CASE WHEN {expression} >= {edge} THEN 1 ELSE 0 END)" for edge in edges[1:])


def _words(column: str) -> str:
    # Words as separators (space, tab, line break) + 1: portable SQL, since SQLite has no
    # regular expressions, and cheap. Runs of separators count a word each, so it errs
    # high for text with doubled spaces or blank lines.
    char = "CHR" if _postgres() else "CHAR"
    bare = f"REPLACE(REPLACE(REPLACE({column}, ' ', ''), {char}(10), ''), {char}(9), '')"
    return f"(CASE WHEN {column} = '' THEN 0 ELSE LENGTH({column}) - LENGTH({bare}) + 1 END)"


def _fence() -> str:
    """Ends a subquery so the planner does not inline it and compute each of its
    expressions again in every CASE that uses it."""
    return "OFFSET 0" if _postgres() else "LIMIT -1 OFFSET 0"


def _composition(
    dataset: Dataset,
) -> tuple[list[Category], dict[int, dict[str, int]], dict[int, int]]:
    """The categories, each one's pairs by status, and each one's approved work (which
    counts a pair whose improvement is in review, as the other pages do)."""
    categories = list(Category.objects.filter(dataset=dataset).order_by("slug"))
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    approved: dict[int, int] = defaultdict(int)
    rows = (
        Pair.objects.filter(dataset=dataset)
        .values("category_id", "status")
        .annotate(n=Count("pk"), approved=Count("pk", filter=approved_work()))
    )
    for row in rows.order_by():
        counts[row["category_id"]][row["status"]] = row["n"]
        approved[row["category_id"]] += row["approved"]
    return categories, counts, approved


def _per_day(dataset: Dataset) -> dict[str, list]:
    series = {
        "approved": Pair.objects.filter(approved_work(), dataset=dataset, approved_at__isnull=False)
        .annotate(day=TruncDate("approved_at"))
        .values("day"),
        "submitted": Revision.objects.filter(
            pair__dataset=dataset,
            kind__in=[Revision.Kind.ORIGINAL, Revision.Kind.AUTHOR_REVISION],
        )
        .annotate(day=TruncDate("created_at"))
        .values("day"),
        "reviewed": Review.objects.filter(pair__dataset=dataset)
        .annotate(day=TruncDate("created_at"))
        .values("day"),
    }
    found: dict[str, dict[date, int]] = {}
    for name, queryset in series.items():
        rows = queryset.annotate(n=Count("pk")).order_by()
        found[name] = {row["day"]: row["n"] for row in rows}
    days = sorted({day for counts in found.values() for day in counts})
    if not days:
        return {"days": [], "approved": [], "cumulative": [], "submitted": [], "reviewed": []}
    span = [days[0] + timedelta(days=i) for i in range((days[-1] - days[0]).days + 1)]
    result: dict[str, list] = {"days": [day.isoformat() for day in span]}
    for name, counts in found.items():
        result[name] = [counts.get(day, 0) for day in span]
    total, cumulative = 0, []
    for n in result["approved"]:
        total += n
        cumulative.append(total)
    result["cumulative"] = cumulative
    return result


def _reviews_by_category(dataset: Dataset) -> dict[int, dict[str, Any]]:
    """One pass over the dataset's reviews: alpha's sums, scores and reasons per category."""
    decision_counts = ", ".join(
        f"SUM(CASE WHEN r.decision = %s THEN 1 ELSE 0 END) AS d{i}" for i in range(len(DECISIONS))
    )
    reason_counts = ", ".join(
        f"SUM(CASE WHEN r.decision = %s AND r.reason = %s THEN 1 ELSE 0 END) AS rs{i}"
        for i in range(len(REASONS))
    )
    score_sums = ", ".join(f"SUM(r.{s}) AS {s}_sum, COUNT(r.{s}) AS {s}_n" for s in SCORES)
    k = len(DECISIONS)
    squares = " - ".join(f"d{i} * d{i}" for i in range(k))
    sql = f"""
        WITH units AS (
            SELECT p.category_id AS category_id, r.pair_id AS pair_id, COUNT(*) AS m,
                {decision_counts}, {reason_counts}, {score_sums}
            FROM {REVIEW} r JOIN {PAIR} p ON p.id = r.pair_id
            WHERE p.dataset_id = %s
            GROUP BY p.category_id, r.pair_id, r.revision_id, r.round
        )
        SELECT category_id, SUM(m),
            COUNT(DISTINCT CASE WHEN m >= 2 THEN pair_id END),
            SUM(CASE WHEN m >= 2 THEN 1 ELSE 0 END),
            SUM(CASE WHEN m >= 2 THEN m ELSE 0 END),
            SUM(CASE WHEN m >= 2 THEN (m * m - {squares}) * 1.0 / (m - 1) ELSE 0 END),
            {", ".join(f"SUM(CASE WHEN m >= 2 THEN d{i} ELSE 0 END)" for i in range(k))},
            {", ".join(f"SUM(d{i})" for i in range(len(DECISIONS)))},
            {", ".join(f"SUM(rs{i})" for i in range(len(REASONS)))},
            {", ".join(f"SUM({s}_sum), SUM({s}_n)" for s in SCORES)}
        FROM units GROUP BY category_id
    """
    params: list = [*DECISIONS]
    for reason in REASONS:
        params += [D.REJECT, reason]
    params.append(dataset.pk)
    result = {}
    k = len(DECISIONS)
    for row in _rows(sql, params):
        values = list(row)
        category_id, reviews, pairs, units, n, disagreement = values[:6]
        rest = values[6:]
        alpha_values, decisions, rest = rest[:k], rest[k : 2 * k], rest[2 * k :]
        reasons, rest = rest[: len(REASONS)], rest[len(REASONS) :]
        sums = AlphaSums(
            pairs=int(pairs or 0),
            units=int(units or 0),
            values=int(n or 0),
            disagreement=float(disagreement or 0),
            by_value={d: int(c or 0) for d, c in zip(DECISIONS, alpha_values, strict=True) if c},
        )
        scores = {}
        for i, score in enumerate(SCORES):
            total, count = rest[2 * i], int(rest[2 * i + 1] or 0)
            scores[score] = round(float(total) / count, 2) if count else None
        result[category_id] = {
            "reviews": int(reviews or 0),
            "alpha_sums": sums,
            "decisions": {d: int(c or 0) for d, c in zip(DECISIONS, decisions, strict=True)},
            "reasons": {r: int(c or 0) for r, c in zip(REASONS, reasons, strict=True)},
            "scores": scores,
        }
    return result


def _decision_time(dataset: Dataset) -> dict[str, Any]:
    """From entering the queue to the verdict: approved pairs by approved_at, rejected ones
    by their last counted review."""
    # An imported pair is submitted and approved at the same instant; it was never reviewed.
    approved = f"""
        SELECT {_seconds("p.approved_at", "p.submitted_at")} AS s FROM {PAIR} p
        WHERE p.dataset_id = %s AND p.status = %s AND p.approved_at > p.submitted_at
    """
    rejected = f"""
        SELECT {_seconds("MAX(r.created_at)", "p.submitted_at")} AS s FROM {PAIR} p
        JOIN {REVIEW} r ON r.revision_id = p.current_revision_id AND r.round = p.review_round
        WHERE p.dataset_id = %s AND p.status = %s AND p.submitted_at IS NOT NULL
        GROUP BY p.id, p.submitted_at
    """
    params = [dataset.pk, S.APPROVED, dataset.pk, S.REJECTED]
    if _postgres():
        sql = f"""
            SELECT COUNT(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY s),
                percentile_cont(0.9) WITHIN GROUP (ORDER BY s)
            FROM ({approved} UNION ALL {rejected}) t
        """
        count, median, p90 = _rows(sql, params)[0]
    else:
        values = [float(row[0]) for row in _rows(f"{approved} UNION ALL {rejected}", params)]
        count, median, p90 = len(values), _percentile(values, 0.5), _percentile(values, 0.9)
    return {
        "decided": int(count),
        "median_seconds": None if median is None else round(float(median), 1),
        "p90_seconds": None if p90 is None else round(float(p90), 1),
    }


def _lengths(dataset: Dataset) -> dict[int, dict[str, Any]]:
    """Histograms of the approved text (what ships), per category and field."""
    measures = []
    for name in FIELDS:
        measures.append(f"LENGTH(v.{name}) AS {name}_chars")
        measures.append(f"{_words('v.' + name)} AS {name}_words")
    buckets = []
    for name in FIELDS:
        buckets.append(_bucket(f"{name}_chars", CHAR_EDGES))
        buckets.append(_bucket(f"{name}_words", WORD_EDGES))
    sums = ", ".join(f"SUM({name}_chars), SUM({name}_words)" for name in FIELDS)
    sql = f"""
        SELECT category_id, {", ".join(f"{b} AS b{i}" for i, b in enumerate(buckets))},
            COUNT(*), {sums}
        FROM (
            SELECT p.category_id AS category_id, {", ".join(measures)}
            FROM {PAIR} p JOIN {REVISION} v ON v.id = p.approved_revision_id
            WHERE p.dataset_id = %s AND p.status = %s
            {_fence()}
        ) t
        GROUP BY category_id, {", ".join(f"b{i}" for i in range(len(buckets)))}
    """
    result: dict[int, dict[str, Any]] = {}
    for row in _rows(sql, [dataset.pk, S.APPROVED]):
        category_id, bins, count, totals = row[0], row[1:7], int(row[7]), row[8:]
        entry = result.setdefault(
            category_id,
            {
                "pairs": 0,
                **{
                    name: {
                        "chars": [0] * len(CHAR_EDGES),
                        "words": [0] * len(WORD_EDGES),
                        "total_chars": 0,
                        "total_words": 0,
                    }
                    for name in FIELDS
                },
            },
        )
        entry["pairs"] += count
        for i, name in enumerate(FIELDS):
            entry[name]["chars"][int(bins[2 * i])] += count
            entry[name]["words"][int(bins[2 * i + 1])] += count
            entry[name]["total_chars"] += int(totals[2 * i] or 0)
            entry[name]["total_words"] += int(totals[2 * i + 1] or 0)
    for entry in result.values():
        for name in FIELDS:
            field = entry[name]
            field["mean_chars"] = round(field.pop("total_chars") / entry["pairs"], 1)
            field["mean_words"] = round(field.pop("total_words") / entry["pairs"], 1)
    return result


def _reviewers(dataset: Dataset) -> list[dict[str, Any]]:
    """Each reviewer's record on this dataset; for admins only."""
    approving = (D.APPROVE, D.APPROVE_WITH_EDIT)
    final = """
        r.round = p.review_round AND (
            (p.status = %s AND r.revision_id = p.approved_revision_id)
            OR (p.status = %s AND r.revision_id = p.current_revision_id))
    """
    agrees = """
        (p.status = %s AND r.decision IN (%s, %s)) OR (p.status = %s AND r.decision = %s)
    """
    sql = f"""
        SELECT r.reviewer_id, COUNT(*), COUNT(DISTINCT r.pair_id),
            SUM(CASE WHEN r.decision IN (%s, %s) THEN 1 ELSE 0 END),
            SUM(CASE WHEN {final} THEN 1 ELSE 0 END),
            SUM(CASE WHEN ({final}) AND ({agrees}) THEN 1 ELSE 0 END)
        FROM {REVIEW} r JOIN {PAIR} p ON p.id = r.pair_id
        WHERE p.dataset_id = %s
        GROUP BY r.reviewer_id
    """
    final_params = [S.APPROVED, S.REJECTED]
    agree_params = [S.APPROVED, *approving, S.REJECTED, D.REJECT]
    params = [*approving, *final_params, *final_params, *agree_params, dataset.pk]
    records = {}
    for reviewer_id, reviews, pairs, approvals, decided, agreed in _rows(sql, params):
        records[reviewer_id] = {
            "reviews": int(reviews),
            "pairs": int(pairs),
            "approval_rate": round(int(approvals) / int(reviews), 3),
            "decided": int(decided or 0),
            "agreement": round(int(agreed) / int(decided), 3) if decided else None,
            "median_seconds": None,
        }
    # Time on a pair: since the reviewer's previous decision, within one sitting.
    gap = _seconds("created_at", "previous")
    gaps = f"""
        SELECT reviewer_id, {gap} AS gap FROM (
            SELECT r.reviewer_id, r.created_at,
                LAG(r.created_at) OVER (PARTITION BY r.reviewer_id ORDER BY r.created_at)
                    AS previous
            FROM {REVIEW} r JOIN {PAIR} p ON p.id = r.pair_id
            WHERE p.dataset_id = %s
        ) t WHERE previous IS NOT NULL AND {gap} <= %s
    """
    params = [dataset.pk, SESSION_GAP_SECONDS]
    if _postgres():
        sql = f"""
            SELECT reviewer_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY gap)
            FROM ({gaps}) g GROUP BY reviewer_id
        """
        medians = dict(_rows(sql, params))
    else:
        by_reviewer: dict[int, list[float]] = defaultdict(list)
        for reviewer_id, gap in _rows(gaps, params):
            by_reviewer[reviewer_id].append(float(gap))
        medians = {key: statistics.median(values) for key, values in by_reviewer.items()}
    names = dict(User.objects.filter(pk__in=records).values_list("pk", "username"))
    result = []
    for reviewer_id, record in records.items():
        median = medians.get(reviewer_id)
        record["median_seconds"] = None if median is None else round(float(median), 1)
        record["reviewer"] = names.get(reviewer_id, str(reviewer_id))
        record["flags"] = reviewer_flags(
            reviews=record["reviews"],
            approval_rate=record["approval_rate"],
            agreement=record["agreement"],
            median_seconds=record["median_seconds"],
        )
        result.append(record)
    return sorted(result, key=lambda record: (-record["reviews"], record["reviewer"]))


def collection_goal(categories: Iterable[Category]) -> int | None:
    """The collection's goal in pairs: the categories' count targets, when any are set."""
    targets = [c.target_count for c in categories if c.active and c.target_count]
    return sum(targets) if targets else None


def dataset_insights(
    *,
    dataset: Dataset,
    reviewer_detail: bool,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Every figure of the insights page, JSON-ready. ``reviewer_detail`` adds each
    reviewer's record (admins only); ``progress(done, total)`` hears of each part."""
    generated_at = timezone.now()
    parts: list[Callable[[Dataset], Any]] = [
        _composition,
        _reviews_by_category,
        _lengths,
        _per_day,
        _decision_time,
    ]
    if reviewer_detail:
        parts.append(_reviewers)
    found = []
    for done, part in enumerate(parts, start=1):
        found.append(part(dataset))
        if progress is not None:
            progress(done, len(parts))
    (categories, counts, approved_work_counts), reviews, lengths, per_day, decision_time = found[:5]
    approved_total = sum(approved_work_counts.values())
    overall = AlphaSums()
    reasons: dict[str, int] = dict.fromkeys(REASONS, 0)
    rows = []
    for category in categories:
        statuses = counts.get(category.pk, {})
        review = reviews.get(category.pk)
        approved = approved_work_counts.get(category.pk, 0)
        if review:
            overall.add(review["alpha_sums"])
            for reason, n in review["reasons"].items():
                reasons[reason] += n
        sums = review["alpha_sums"] if review else AlphaSums()
        rows.append(
            {
                "slug": category.slug,
                "name": category.name,
                "active": category.active,
                "target_share": category.target_share,
                "target_count": category.target_count,
                "statuses": {status: statuses.get(status, 0) for status in S.values},
                "approved": approved,
                "share": round(approved / approved_total, 4) if approved_total else 0.0,
                "reviews": review["reviews"] if review else 0,
                "decisions": review["decisions"] if review else dict.fromkeys(DECISIONS, 0),
                "scores": review["scores"] if review else dict.fromkeys(SCORES),
                "alpha": None if sums.alpha is None else round(sums.alpha, 4),
                "alpha_pairs": sums.pairs,
                "lengths": lengths.get(category.pk),
            }
        )
    result: dict[str, Any] = {
        "dataset": {"slug": dataset.slug, "name": dataset.name},
        "generated_at": generated_at.isoformat(),
        "goal": collection_goal(categories),
        "approved": approved_total,
        "statuses": {status: sum(c.get(status, 0) for c in counts.values()) for status in S.values},
        "categories": rows,
        "per_day": per_day,
        "decision_time": decision_time,
        "rejection_reasons": [
            {"reason": reason, "label": Review.Reason(reason).label, "count": reasons[reason]}
            for reason in REASONS
        ],
        "length_bins": {"chars": _bin_labels(CHAR_EDGES), "words": _bin_labels(WORD_EDGES)},
        "agreement": {
            "alpha": None if overall.alpha is None else round(overall.alpha, 4),
            "pairs": overall.pairs,
            "units": overall.units,
            "reviews": overall.values,
        },
    }
    if reviewer_detail:
        result["reviewers"] = found[5]
    return result


def figures_for(figures: dict[str, Any], *, reviewer_detail: bool) -> dict[str, Any]:
    """What a viewer may see of stored figures: reviewers see the collection, not each
    reviewer's record."""
    if reviewer_detail:
        return figures
    return {key: value for key, value in figures.items() if key != "reviewers"}


def insights_snapshot(*, dataset: Dataset) -> InsightsSnapshot:
    """The dataset's stored figures. Missing or stale ones are refreshed by a worker,
    asked for once: a second viewer meanwhile finds the request already made."""
    snapshot, _ = InsightsSnapshot.objects.get_or_create(dataset=dataset)
    now = timezone.now()
    stale = snapshot.computed_at is None or snapshot.computed_at < now - timedelta(
        seconds=settings.HANDWRITTEN_INSIGHTS_STALE_SECONDS
    )
    # A request this old was lost with its worker; ask again.
    waiting = snapshot.requested_at is not None and snapshot.requested_at > now - REFRESH_LOST
    if stale and not waiting:
        asked = InsightsSnapshot.objects.filter(
            pk=snapshot.pk, requested_at=snapshot.requested_at
        ).update(requested_at=now, parts_done=0, parts_total=0)
        if asked:
            from review.tasks import refresh_insights

            transaction.on_commit(lambda: refresh_insights.delay(snapshot.pk))
            snapshot.refresh_from_db()
    return snapshot


def insights_refresh(*, snapshot_id: int) -> InsightsSnapshot | None:
    """Compute the figures of the snapshot's dataset and store them, with progress."""
    snapshot = InsightsSnapshot.objects.select_related("dataset").filter(pk=snapshot_id).first()
    if snapshot is None:
        return None
    rows = InsightsSnapshot.objects.filter(pk=snapshot_id)

    def progress(done: int, total: int) -> None:
        rows.update(parts_done=done, parts_total=total)

    started, clock = timezone.now(), time.perf_counter()
    figures = dataset_insights(dataset=snapshot.dataset, reviewer_detail=True, progress=progress)
    rows.update(
        figures=figures,
        computed_at=started,
        seconds=round(time.perf_counter() - clock, 2),
        requested_at=None,
    )
    snapshot.refresh_from_db()
    return snapshot
