"""Near-duplicates: the existing pairs whose instruction is most like a given one.

Similarity is pg_trgm's: the Jaccard index of the two instructions' trigram sets, taken
on their normalised form (annotation.normalisation), so disguises count for nothing.

Finding the candidates is the expensive part. pg_trgm's own GIN index (gin_trgm_ops,
the ``%`` operator) was measured first: 157 ms for one query at 200,000 pairs, growing
with the corpus, because every query walks the posting lists of its common trigrams
("the", " wh") that half the corpus shares. So candidates come from MinHash LSH instead
(``lsh_bands``: 160 min-hashes of the trigram set in 32 bands of 5; a pair shares a band
with the query with probability 1 - (1 - J^5)^32: 0.997 at J = 0.7, 0.93 at 0.6, hence
the threshold's floor of 0.6): the bands are stored with the pair and found through a GIN
index, a few short posting lists whatever the corpus size, and pg_trgm's ``similarity``
then scores the candidates exactly. tests/bench/near_duplicates.py measures it on 1M
pairs (figures in the README). MinHash is a dozen lines of numpy here: datasketch
computes the same but needs scipy. Candidates measured on 20,000 template-like
instructions: median 12, p95 285 per query (bands of 4: 60 and 676).

Elsewhere (SQLite) ``trigrams`` computes the same sets in Python over the newest
``SCAN_LIMIT`` live pairs, exactly, which gives the same answers on small data.
"""

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.urls import reverse

from annotation.models import LIVE_STATUSES, Pair
from annotation.normalisation import normalise
from annotation.roles import is_admin, is_reviewer

DEFAULT_LIMIT = 5
# SQLite only: how many of the newest live pairs the Python path compares against.
SCAN_LIMIT = 20_000
_WORD = re.compile(r"[^\W_]+")

NUM_PERM = 160
BAND_ROWS = 5
# One multiply-shift hash per min-hash, (a * x + b) mod 2^64 >> 32 over a 64-bit digest
# of the trigram, fixed so stored bands stay comparable across processes and releases.
_random = np.random.RandomState(15)
_A = _random.randint(0, 1 << 63, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _random.randint(0, 1 << 63, NUM_PERM, dtype=np.uint64)


@dataclass(frozen=True)
class Similar:
    pair: Pair
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's trigram set: per alphanumeric word, lowercased, padded "  word "."""
    grams: set[str] = set()
    for word in _WORD.findall(text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity(a, b)``."""
    return _jaccard(trigrams(a), trigrams(b))


def lsh_bands(normalised: str) -> str:
    """LSH band keys of a normalised instruction, space-separated (``Pair.instruction_bands``)."""
    grams = trigrams(normalised)
    if not grams:
        return ""
    digests = b"".join(hashlib.blake2b(g.encode(), digest_size=8).digest() for g in grams)
    tokens = np.frombuffer(digests, dtype="<u8")
    with np.errstate(over="ignore"):  # wrapping around 2^64 is the hash
        values = ((np.outer(tokens, _A) + _B) >> np.uint64(32)).min(axis=0)
    rows = values.astype("<u4").reshape(-1, BAND_ROWS)
    return " ".join(
        hashlib.blake2b(bytes([band]) + row.tobytes(), digest_size=4).hexdigest()
        for band, row in enumerate(rows)
    )


def similar_pairs(
    *,
    instruction: str,
    threshold: float,
    exclude: Pair | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[Similar]:
    """The live pairs of every dataset whose instruction is at least ``threshold`` similar
    to ``instruction``, most similar first. ``exclude`` (the pair being written or
    reviewed) is never its own near-duplicate."""
    # A NUL cannot reach PostgreSQL; the editor may show text that has one (to refuse it).
    text = normalise(instruction.replace("\x00", ""))
    if not trigrams(text):
        return []
    exclude_id = exclude.pk if exclude is not None else None
    if connection.vendor == "postgresql":
        scored = _scored_postgres(text, threshold, exclude_id, limit)
    else:
        scored = _scored_python(text, threshold, exclude_id, limit)
    pairs = Pair.objects.select_related("dataset", "category", "current_revision").in_bulk(
        [pk for pk, _ in scored]
    )
    return [Similar(pair=pairs[pk], score=score) for pk, score in scored if pk in pairs]


def _scored_postgres(
    text: str, threshold: float, exclude_id: int | None, limit: int
) -> list[tuple[int, float]]:
    table = connection.ops.quote_name(Pair._meta.db_table)
    bands = lsh_bands(text).split()
    # The table name is ours, quoted; every value is a parameter. string_to_array(..., ' ')
    # is written out as the index pair_instruction_lsh has it, so the planner uses it.
    sql = (
        f"SELECT id, score FROM (SELECT id, similarity(instruction_normalised, %s) AS score "  # noqa: S608
        f"FROM {table} WHERE string_to_array(instruction_bands, ' ') && %s::text[] "
        "AND status = ANY(%s) AND id <> %s) AS candidates WHERE score >= %s "
        "ORDER BY score DESC, id DESC LIMIT %s"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        _prefer_band_index(cursor)
        cursor.execute(sql, [text, bands, list(LIVE_STATUSES), exclude_id or 0, threshold, limit])
        return [(pk, float(score)) for pk, score in cursor.fetchall()]


def _prefer_band_index(cursor) -> None:
    """Every band key is rare, which PostgreSQL's statistics cannot see: it estimates that
    3% of the table shares one of 32 keys and reads it all. Tell it, for this transaction."""
    cursor.execute("SET LOCAL enable_seqscan = off")


def _scored_python(
    text: str, threshold: float, exclude_id: int | None, limit: int
) -> list[tuple[int, float]]:
    candidates = (
        Pair.objects.filter(status__in=LIVE_STATUSES)
        .exclude(pk=exclude_id)
        .order_by("-id")
        .values_list("id", "instruction_normalised")[:SCAN_LIMIT]
    )
    scored = [(pk, trigram_similarity(text, other)) for pk, other in candidates]
    scored = [(pk, score) for pk, score in scored if score >= threshold]
    scored.sort(key=lambda item: (-item[1], -item[0]))
    return scored[:limit]


def similar_within(
    texts: Iterable[tuple[int, str]], *, threshold: float
) -> Iterator[tuple[int, int, float]]:
    """Near-duplicate couples among ``(line, instruction)``: ``(earlier, later, score)``.

    Lines that share an LSH band are compared exactly; the rest cannot be near-duplicates
    (but with the probability in this module's docstring). SetSimilaritySearch's exact
    all-pairs join was measured first: 26 s for 10,000 instructions, 200 s for 30,000.
    """
    # Memory, measured on 20,000 template-like lines (every line shares bands with
    # others): trigram sets of str, hex band keys and a set of every couple compared took
    # 375 MB and 9.2 s (1.7 GB in a 100k-line import); each line's trigrams as a sorted
    # array of their hashes, int keys and the couples of one line at a time: 123 MB, 7.5 s,
    # the same couples found.
    buckets: dict[int, list[int]] = {}
    grams_of: dict[int, np.ndarray] = {}
    for line, text in texts:
        # A couple is met only while its later line is read: the set of lines it was
        # compared with need not outlive that line.
        compared: set[int] = set()
        normalised = normalise(text)
        grams = grams_of[line] = np.unique(np.fromiter(map(hash, trigrams(normalised)), np.int64))
        for band in lsh_bands(normalised).split():
            bucket = buckets.setdefault(int(band, 16), [])
            for earlier in bucket:
                if earlier in compared:
                    continue
                compared.add(earlier)
                score = _jaccard_sorted(grams_of[earlier], grams)
                if score >= threshold:
                    yield earlier, line, score
            bucket.append(line)


def _jaccard_sorted(left: np.ndarray, right: np.ndarray) -> float:
    """``_jaccard`` of two sets given as sorted arrays of their members' hashes."""
    shared = len(np.intersect1d(left, right, assume_unique=True))
    return shared / (len(left) + len(right) - shared) if shared else 0.0


def _jaccard(left: frozenset[str], right: frozenset[str]) -> float:
    shared = len(left & right)
    return shared / (len(left) + len(right) - shared) if shared else 0.0


class CorpusSearch:
    """The most similar live pair for many instructions at once (the import's check).

    On PostgreSQL one query per batch (a LATERAL probe of the band index per instruction);
    elsewhere the same bands in a dict over the newest ``SCAN_LIMIT`` live pairs, built
    once. Pairs written after it was made (by the import itself) are not searched.
    """

    def __init__(self, *, threshold: float) -> None:
        self.threshold = threshold
        self._buckets: dict[str, list[int]] = {}
        self._grams: dict[int, frozenset[str]] = {}
        self._built = False
        self._before = Pair.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def best(self, texts: list[tuple[int, str]]) -> dict[int, tuple[Pair, float]]:
        """{line: (pair, score)} for the lines of ``(line, instruction)`` with a match."""
        normalised = [(line, normalise(text)) for line, text in texts]
        if connection.vendor == "postgresql":
            scored = self._postgres(normalised)
        else:
            scored = self._python(normalised)
        pairs = Pair.objects.select_related("dataset", "category").in_bulk(
            [pk for pk, _ in scored.values()]
        )
        return {line: (pairs[pk], score) for line, (pk, score) in scored.items()}

    def _postgres(self, texts: list[tuple[int, str]]) -> dict[int, tuple[int, float]]:
        table = connection.ops.quote_name(Pair._meta.db_table)
        # The table name is ours, quoted; every value is a parameter.
        sql = (
            "SELECT v.line, m.id, m.score FROM unnest(%s::int[], %s::text[], %s::text[]) "  # noqa: S608
            "AS v(line, t, bands) CROSS JOIN LATERAL (SELECT id, score FROM (SELECT p.id, "
            f"similarity(p.instruction_normalised, v.t) AS score FROM {table} p "
            "WHERE string_to_array(p.instruction_bands, ' ') && string_to_array(v.bands, ' ') "
            "AND p.status = ANY(%s) AND p.id <= %s) AS candidates WHERE score >= %s "
            "ORDER BY score DESC, id DESC LIMIT 1) m"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            _prefer_band_index(cursor)
            cursor.execute(
                sql,
                [
                    [line for line, _ in texts],
                    [text for _, text in texts],
                    [lsh_bands(text) for _, text in texts],
                    list(LIVE_STATUSES),
                    self._before,
                    self.threshold,
                ],
            )
            return {line: (pk, float(score)) for line, pk, score in cursor.fetchall()}

    def _python(self, texts: list[tuple[int, str]]) -> dict[int, tuple[int, float]]:
        if not self._built:
            self._built = True
            candidates = (
                Pair.objects.filter(status__in=LIVE_STATUSES, id__lte=self._before)
                .order_by("-id")
                .values_list("id", "instruction_normalised")[:SCAN_LIMIT]
            )
            for pk, text in candidates:
                self._grams[pk] = trigrams(text)
                for band in lsh_bands(text).split():
                    self._buckets.setdefault(band, []).append(pk)
        found: dict[int, tuple[int, float]] = {}
        for line, text in texts:
            query = trigrams(text)
            pks = {pk for band in lsh_bands(text).split() for pk in self._buckets.get(band, ())}
            scored = [(_jaccard(query, self._grams[pk]), pk) for pk in pks]
            scored = [(score, pk) for score, pk in scored if score >= self.threshold]
            if scored:
                score, pk = max(scored)
                found[line] = (pk, score)
        return found


def pair_link(*, pair: Pair, viewer) -> str | None:
    """Where ``viewer`` may open ``pair``, or None: the author their own pair page,
    an admin the moderation page. Anyone else gets no link."""
    if pair.author_id == viewer.pk:
        return reverse("annotation:pair_detail", args=[pair.public_id])
    if is_admin(viewer):
        return reverse("review:moderate_pair", args=[pair.public_id])
    return None


def may_read(*, pair: Pair, viewer) -> bool:
    """Whether ``viewer`` may read ``pair``'s instruction in a near-duplicate list:
    their own, or as a reviewer or admin (who read submitted pairs anyway)."""
    return pair.author_id == viewer.pk or is_reviewer(viewer) or is_admin(viewer)


def near_duplicates_context(
    *, instruction: str, dataset, viewer, exclude: Pair | None = None, url: str = ""
) -> dict:
    """The template context of ``annotation/_near_duplicates.html``."""
    return {
        "near_duplicates": near_duplicates_for(
            instruction=instruction, dataset=dataset, viewer=viewer, exclude=exclude
        ),
        "threshold_percent": round(dataset.near_duplicate_threshold * 100),
        "near_url": url,
    }


def near_duplicates_for(
    *, instruction: str, dataset, viewer, exclude: Pair | None = None
) -> list[dict]:
    """What a page shows of ``similar_pairs``: score, where, and only what ``viewer`` may see."""
    found = similar_pairs(
        instruction=instruction, threshold=dataset.near_duplicate_threshold, exclude=exclude
    )
    return [
        {
            "percent": hit.percent,
            "score": hit.score,
            "pair": hit.pair,
            "dataset": hit.pair.dataset,
            "category": hit.pair.category,
            "status": hit.pair.get_status_display(),
            "url": pair_link(pair=hit.pair, viewer=viewer),
            "instruction": hit.pair.current_revision.instruction
            if may_read(pair=hit.pair, viewer=viewer)
            else "",
        }
        for hit in found
    ]
