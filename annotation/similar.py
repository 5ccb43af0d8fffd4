"""Near-duplicates: the existing pairs whose instruction is most like a given one.

Similarity is pg_trgm's: the Jaccard index of the two instructions' trigram sets, taken
on their normalised form (annotation.normalisation), so disguises count for nothing.

Finding the candidates is the expensive part. pg_trgm's own GIN index (gin_trgm_ops,
the ``%`` operator) was measured first: 157 ms for one query at 200,000 pairs, growing
with the corpus, because every query walks the posting lists of its common trigrams
("the", " wh") that half the corpus shares. So candidates come from MinHash LSH instead
(``lsh_bands``): the bands are stored with the pair and found through a GIN index, a few
short posting lists whatever the corpus size, and pg_trgm's ``similarity`` then scores
the candidates exactly. tests/bench/near_duplicates.py measures it on 1M pairs (figures in
the README). MinHash is a dozen lines of numpy here: datasketch computes the same but
needs scipy.

336 min-hashes of the trigram set in 48 bands of 7: a pair shares a band with the query
with probability 1 - (1 - J^7)^48: 0.98 at J = 0.7, 0.91 at 0.65 (hence the threshold's
floor), 0.31 at 0.5, 0.01 at 0.3. Real instructions share frames ("what is ...?"), and
every pair of a frame is a candidate for the others at the low J its frame gives them: on
100,000 of the bench's 1M pairs, bands of 5 (32 of them, the first version) gave a p95
of 1,208 candidates per query and a p95 of 81 ms at 1M, each candidate a heap row read
and a similarity computed; bands of 7 give 395 (48 bands; 64 bands gave 399). Of the
1,981 couples at J >= 0.7 among 150 queries on those 100,000, bands of 7 found 1,980 and
bands of 5 all; of the 3,647 at 0.6-0.7, 3,140 and 3,567.

Elsewhere (SQLite) ``trigrams`` computes the same sets in Python over the newest
``SCAN_LIMIT`` live pairs, exactly, which gives the same answers on small data.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.urls import reverse

from annotation.models import LIVE_STATUSES, Dataset, Pair
from annotation.normalisation import instruction_key, normalise
from annotation.roles import is_admin, is_reviewer

DEFAULT_LIMIT = 5
# SQLite only: how many of the newest live pairs the Python path compares against.
SCAN_LIMIT = 20_000
_WORD = re.compile(r"[^\W_]+")

NUM_PERM = 336
BAND_ROWS = 7
# One multiply-shift hash per min-hash, (a * x + b) mod 2^64 >> 32 over a 64-bit digest
# of the trigram, fixed so stored bands stay comparable across processes and releases.
_random = np.random.RandomState(15)
_A = _random.randint(0, 1 << 63, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _random.randint(0, 1 << 63, NUM_PERM, dtype=np.uint64)
# A trigram's code points (a, b, c) are hashed as mix(a * P0 + b * P1 + c * P2).
_P = _random.randint(0, 1 << 63, 3, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
# A band of min-hashes (h1..h7) of band number n is keyed mix(h1 * Q1 + ... + n * Q8).
_Q = _random.randint(0, 1 << 63, BAND_ROWS + 1, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_BANDS = np.arange(NUM_PERM // BAND_ROWS, dtype=np.uint64)


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


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, element-wise: every input bit moves every output bit."""
    with np.errstate(over="ignore"):  # wrapping around 2^64 is the hash
        values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return values ^ (values >> np.uint64(31))


def _gram_hashes(normalised: str) -> np.ndarray:
    """A 64-bit hash of each distinct trigram of ``trigrams(normalised)``, computed over the
    text's code points at once: a hashlib call per trigram was most of an import's time."""
    words = _WORD.findall(normalised.lower())
    if not words:
        return np.empty(0, np.uint64)
    padded = "".join(f"  {word} " for word in words)
    codes = np.frombuffer(padded.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    with np.errstate(over="ignore"):
        grams = _mix(codes[:-2] * _P[0] + codes[1:-1] * _P[1] + codes[2:] * _P[2])
    # A window that starts in a word's last two places spans two padded words.
    ends = np.cumsum([len(word) + 3 for word in words])
    inside = np.ones(len(grams), dtype=bool)
    inside[(ends - 2)[:-1]] = inside[(ends - 1)[:-1]] = False
    return np.unique(grams[inside])


def band_digests(normalised: str) -> bytes:
    """The LSH band keys of a normalised instruction: 4 bytes a band, in band order
    (empty for a text with no trigrams)."""
    tokens = _gram_hashes(normalised)
    if not len(tokens):
        return b""
    with np.errstate(over="ignore"):
        values = ((np.outer(tokens, _A) + _B) >> np.uint64(32)).min(axis=0)
        rows = values.reshape(-1, BAND_ROWS) * _Q[:BAND_ROWS]
        keys = _mix(rows.sum(axis=1, dtype=np.uint64) + _Q[BAND_ROWS] * _BANDS)
    return (keys >> np.uint64(32)).astype(">u4").tobytes()


def bands_text(digests: bytes) -> str:
    """``band_digests`` as ``Pair.instruction_bands`` keeps them: hex, space-separated."""
    return " ".join(digests[i : i + 4].hex() for i in range(0, len(digests), 4))


def lsh_bands(normalised: str) -> str:
    """LSH band keys of a normalised instruction, space-separated (``Pair.instruction_bands``)."""
    return bands_text(band_digests(normalised))


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


def _prefer_band_index(cursor: CursorWrapper) -> None:
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
    lines: Iterable[tuple[int, str, bytes]], *, threshold: float
) -> Iterator[tuple[int, int, float]]:
    """Near-duplicate couples among ``(line, normalised instruction, band_digests)``:
    ``(earlier, later, score)``, by later line, then by band.

    Lines that share an LSH band are compared exactly; the rest cannot be near-duplicates
    (but with the probability in this module's docstring). SetSimilaritySearch's exact
    all-pairs join was measured first: 26 s for 10,000 instructions, 200 s for 30,000.
    """
    # Memory, measured on 100,000 lines: a dict of every band key to its lines took 784 MB
    # (with the rest of the import); the keys as one array, sorted band by band, take a
    # tenth. Each line's trigrams are a sorted array of their hashes, made when first
    # compared (sets of str took 375 MB for 20,000 template-like lines).
    numbers, texts, digests = [], [], []
    for line, normalised, keys in lines:
        if keys:  # no trigrams: like nothing
            numbers.append(line)
            texts.append(normalised)
            digests.append(keys)
    if not numbers:
        return
    keys = np.frombuffer(b"".join(digests), dtype=">u4").reshape(len(numbers), -1)
    del digests
    # Per band: the rows in order of key (stable, so a bucket lists its rows in file order),
    # and for each row where its bucket starts and where the row itself is in that order.
    orders, starts, places = [], [], []
    everyone = np.arange(len(numbers), dtype=np.int32)
    for band in range(keys.shape[1]):
        order = np.argsort(keys[:, band], kind="stable").astype(np.int32)
        ranked = keys[order, band]
        start, place = np.empty_like(order), np.empty_like(order)
        start[order] = np.searchsorted(ranked, ranked, side="left")
        place[order] = everyone
        orders.append(order)
        starts.append(start)
        places.append(place)
    earlier_in_band = np.stack([p - s for p, s in zip(places, starts, strict=True)], axis=1) > 0
    grams: dict[int, np.ndarray] = {}

    def grams_of(row: int) -> np.ndarray:
        if row not in grams:
            found = trigrams(texts[row])
            grams[row] = np.unique(np.fromiter(map(hash, found), np.int64, len(found)))
        return grams[row]

    for row in np.flatnonzero(earlier_in_band.any(axis=1)).tolist():
        compared: set[int] = set()
        for band in np.flatnonzero(earlier_in_band[row]).tolist():
            for earlier in orders[band][starts[band][row] : places[band][row]].tolist():
                if earlier in compared:
                    continue
                compared.add(earlier)
                score = _jaccard_sorted(grams_of(earlier), grams_of(row))
                if score >= threshold:
                    yield numbers[earlier], numbers[row], score


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

    def best(self, texts: list[tuple[int, str, str]]) -> dict[int, tuple[Pair, float]]:
        """{line: (pair, score)} for the lines of ``(line, normalised instruction, its
        lsh_bands)`` with a match."""
        texts = [item for item in texts if item[2]]
        search = self._postgres if connection.vendor == "postgresql" else self._python
        scored = search(texts)
        pairs = Pair.objects.select_related("dataset", "category").in_bulk(
            [pk for pk, _ in scored.values()]
        )
        return {line: (pairs[pk], score) for line, (pk, score) in scored.items()}

    def _postgres(self, texts: list[tuple[int, str, str]]) -> dict[int, tuple[int, float]]:
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
                    [line for line, _, _ in texts],
                    [text for _, text, _ in texts],
                    [bands for _, _, bands in texts],
                    list(LIVE_STATUSES),
                    self._before,
                    self.threshold,
                ],
            )
            return {line: (pk, float(score)) for line, pk, score in cursor.fetchall()}

    def _python(self, texts: list[tuple[int, str, str]]) -> dict[int, tuple[int, float]]:
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
        for line, text, bands in texts:
            query = trigrams(text)
            pks = {pk for band in bands.split() for pk in self._buckets.get(band, ())}
            scored = [(_jaccard(query, self._grams[pk]), pk) for pk in pks]
            scored = [(score, pk) for score, pk in scored if score >= self.threshold]
            if scored:
                score, pk = max(scored)
                found[line] = (pk, score)
        return found


def pair_link(*, pair: Pair, viewer: User | AnonymousUser) -> str | None:
    """Where ``viewer`` may open ``pair``, or None: the author their own pair page,
    an admin the moderation page. Anyone else gets no link."""
    if pair.author_id == viewer.pk:
        return reverse("annotation:pair_detail", args=[pair.public_id])
    if is_admin(viewer):
        return reverse("review:moderate_pair", args=[pair.public_id])
    return None


def may_read(*, pair: Pair, viewer: User | AnonymousUser) -> bool:
    """Whether ``viewer`` may read ``pair``'s instruction in a near-duplicate list:
    their own, or as a reviewer or admin (who read submitted pairs anyway)."""
    return pair.author_id == viewer.pk or is_reviewer(viewer) or is_admin(viewer)


DUPLICATE_MESSAGE = "This instruction already exists in the dataset."


def duplicate_keys(*, dataset_id: int, keys: list[str], exclude: Pair | None = None) -> set[str]:
    """Which of ``keys`` already belong to a live pair of the dataset (the duplicate rule)."""
    pairs = Pair.objects.filter(
        dataset_id=dataset_id, status__in=LIVE_STATUSES, instruction_key__in=keys
    )
    if exclude is not None:
        pairs = pairs.exclude(pk=exclude.pk)
    return set(pairs.values_list("instruction_key", flat=True))


def near_duplicates_context(
    *,
    instruction: str,
    dataset: Dataset,
    viewer: User | AnonymousUser,
    exclude: Pair | None = None,
    url: str = "",
) -> dict:
    """The template context of ``annotation/_near_duplicates.html``: the near-duplicates,
    and for the writer (``url``, the panel's endpoint) the duplicate rule's refusal of an
    exact copy, which submitting would give."""
    key = instruction_key(instruction) if instruction.strip() else ""
    duplicate = url and key and duplicate_keys(dataset_id=dataset.pk, keys=[key], exclude=exclude)
    return {
        "instruction_given": bool(key),
        "refusal": DUPLICATE_MESSAGE if duplicate else "",
        "near_duplicates": near_duplicates_for(
            instruction=instruction, dataset=dataset, viewer=viewer, exclude=exclude
        ),
        "threshold_percent": round(dataset.near_duplicate_threshold * 100),
        "near_url": url,
    }


def near_duplicates_for(
    *,
    instruction: str,
    dataset: Dataset,
    viewer: User | AnonymousUser,
    exclude: Pair | None = None,
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
