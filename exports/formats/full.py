from collections.abc import Iterable
from pathlib import Path

from exports.formats import LinesFormat
from exports.pseudonyms import Pseudonyms
from exports.rows import FIELDS, Block, iso_time

LINE = (
    '{"id": "%s", "revision_id": %d, "revision": %d, "category": %s, "instruction": %s, '
    '"context": %s, "response": %s, "source_url": %s, "created_at": %s, "approved_at": %s, '
    '"author": "%s", "reviewers": %s, "review_count": %d, "split": "%s", "reviews": %s, '
    '"typed_chars": %d, "pasted_chars": %d, "active_seconds": %d}\n'
)
# A review as JSON: its fields are a pseudonym (hex), a decision (a slug) and scores.
REVIEW = '{"reviewer": "%s", "decision": "%s", "helpfulness": %s, "correctness": %s, "writing": %s}'


def _number(score: int | None) -> str:
    return "null" if score is None else str(score)


def _time(text: str | None) -> str:
    return "null" if text is None else f'"{iso_time(text)}"'


class Full(LinesFormat):
    """Dolly plus everything needed to trace a row back to its pair and its review:
    ids, revision, times, the pseudonymous author and reviewers (each once, sorted), each
    review's decision and scores (in the order given), and how the text was written
    (characters typed and pasted, seconds of active writing)."""

    name = "full.jsonl"
    columns = tuple(FIELDS)

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.pseudonyms = Pseudonyms()

    def lines(self, block: Block) -> Iterable[str]:
        names = self.pseudonyms
        rows = zip(
            block["id"],
            block["revision_id"],
            block["revision"],
            *map(block.json, ("category", "instruction", "context", "response", "source_url")),
            map(_time, block["created_at"]),
            map(_time, block["approved_at"]),
            map(names.__getitem__, block["author"]),
            block.reviews,
            block["split"],
            block["typed_chars"],
            block["pasted_chars"],
            block["active_seconds"],
            strict=True,
        )
        for *row, reviews, split, typed, pasted, active in rows:
            # Formatted here rather than by json.dumps, a third of this format's time.
            reviewers = ", ".join(sorted({f'"{names[review[0]]}"' for review in reviews}))
            given = ", ".join(
                REVIEW % (names[r[0]], r[1], _number(r[2]), _number(r[3]), _number(r[4]))
                for r in reviews
            )
            yield LINE % (
                *row,
                f"[{reviewers}]",
                len(reviews),
                split,
                f"[{given}]",
                typed,
                pasted,
                active,
            )
