from collections.abc import Callable, Hashable, Iterable
from pathlib import Path

from exports.formats import LinesFormat
from exports.pseudonyms import Pseudonyms
from exports.rows import FIELDS, Block

LINE = (
    b'{"id": "%s", "revision_id": %d, "revision": %d, "category": %s, "instruction": %s, '
    b'"context": %s, "response": %s, "source_url": %s, "created_at": %s, "approved_at": %s, '
    b'"author": %s, "reviewers": [%s], "review_count": %d, "split": %s, "reviews": [%s], '
    b'"typed_chars": %d, "pasted_chars": %d, "active_seconds": %d}\n'
)
# Reviews formatted once and kept, up to this many (a few MB), then forgotten and kept
# again: people give few distinct reviews (reviewer, decision, scores), and formatting
# each again took 0.75 s of full.jsonl's 100k rows against 0.55 s.
REVIEWS_KEPT = 16_384
# A review as JSON: its fields are a pseudonym (hex), a decision (a slug) and scores.
REVIEW = '{"reviewer": "%s", "decision": "%s", "helpfulness": %s, "correctness": %s, "writing": %s}'


def _number(score: int | None) -> str:
    return "null" if score is None else str(score)


def _time(text: str | None) -> bytes:
    return b"null" if text is None else f'"{text[:10]}T{text[11:19]}Z"'.encode()


class _Kept(dict):
    """Values made by ``make`` on first use and kept, at most ``limit`` of them (then all
    forgotten and kept again): a known key costs one dict lookup."""

    def __init__(self, make: Callable[[Hashable], bytes], limit: int | None = None) -> None:
        super().__init__()
        self.make, self.limit = make, limit

    def __missing__(self, key: Hashable) -> bytes:
        if self.limit is not None and len(self) >= self.limit:
            self.clear()
        value = self[key] = self.make(key)
        return value


class Full(LinesFormat):
    """Dolly plus everything needed to trace a row back to its pair and its review:
    ids, revision, times, the pseudonymous author and reviewers (each once, sorted), each
    review's decision and scores (in the order given), and how the text was written
    (characters typed and pasted, seconds of active writing)."""

    name = "full.jsonl"
    about = (
        "the same plus pair id, revision, timestamps, pseudonymous author and reviewers, "
        "review count, each review's decision and scores, split, source URL, and how the text "
        "was written (characters typed and pasted, active seconds)."
    )
    columns = tuple(FIELDS)

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.pseudonyms = Pseudonyms()
        # A person's pseudonym and a review, each as JSON, formatted once.
        self.names = _Kept(lambda user_id: f'"{self.pseudonyms[user_id]}"'.encode())
        self.reviews = _Kept(self._review, limit=REVIEWS_KEPT)

    def _review(self, review: tuple) -> bytes:
        reviewer, decision, *scores = review
        return (REVIEW % (self.pseudonyms[reviewer], decision, *map(_number, scores))).encode()

    def lines(self, block: Block) -> Iterable[bytes]:
        names, reviews = self.names, self.reviews
        rows = zip(
            (public_id.encode() for public_id in block["id"]),
            block["revision_id"],
            block["revision"],
            *map(block.json, ("category", "instruction", "context", "response", "source_url")),
            map(_time, block["created_at"]),
            map(_time, block["approved_at"]),
            map(names.__getitem__, block["author"]),
            block.reviews,
            block.json("split"),
            block["typed_chars"],
            block["pasted_chars"],
            block["active_seconds"],
            strict=True,
        )
        for *row, given, split, typed, pasted, active in rows:
            yield LINE % (
                *row,
                b", ".join(sorted({names[review[0]] for review in given})),
                len(given),
                split,
                b", ".join([reviews[review] for review in given]),
                typed,
                pasted,
                active,
            )
