from collections.abc import Callable, Hashable, Mapping
from pathlib import Path

from exports.formats import LinesFormat
from exports.pseudonyms import Pseudonyms
from exports.rows import FIELDS, Block

TEMPLATE = (
    b'{"id": "', "id", b'", "revision_id": ', "revision_id", b', "revision": ', "revision",
    b', "category": ', "category", b', "instruction": ', "instruction",
    b', "context": ', "context", b', "response": ', "response",
    b', "source_url": ', "source_url", b', "created_at": ', "created_at",
    b', "approved_at": ', "approved_at", b', "author": ', "author",
    b', "reviewers": [', "reviewers", b'], "review_count": ', "review_count",
    b', "split": ', "split", b', "reviews": [', "reviews",
    b'], "typed_chars": ', "typed_chars", b', "pasted_chars": ', "pasted_chars",
    b', "active_seconds": ', "active_seconds", b"}\n",
)  # fmt: skip
# The columns written as JSON strings.
JSON = ("category", "instruction", "context", "response", "source_url", "split")
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
    template = TEMPLATE

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.pseudonyms = Pseudonyms()
        # A person's pseudonym and a review, each as JSON, formatted once.
        self.names = _Kept(lambda user_id: f'"{self.pseudonyms[user_id]}"'.encode())
        self.reviews = _Kept(self._review, limit=REVIEWS_KEPT)

    def _review(self, review: tuple) -> bytes:
        reviewer, decision, *scores = review
        return (REVIEW % (self.pseudonyms[reviewer], decision, *map(_number, scores))).encode()

    def fill(self, block: Block) -> Mapping[str, list[bytes]]:
        names, reviews, number = self.names, self.reviews, b"%d".__mod__
        columns = {name: block.json(name) for name in JSON}
        columns.update(
            (name, list(map(number, block[name])))
            for name in ("revision_id", "revision", "typed_chars", "pasted_chars", "active_seconds")
        )
        given = block.reviews
        columns.update(
            id=list(map(str.encode, block["id"])),
            created_at=list(map(_time, block["created_at"])),
            approved_at=list(map(_time, block["approved_at"])),
            author=list(map(names.__getitem__, block["author"])),
            # Each reviewer once, sorted; the reviews in the order given.
            reviewers=[b", ".join(sorted({names[review[0]] for review in row})) for row in given],
            review_count=[number(len(row)) for row in given],
            reviews=[b", ".join([reviews[review] for review in row]) for row in given],
        )
        return columns
