import json
from collections.abc import Iterable
from pathlib import Path

from exports.formats import LinesFormat
from exports.pseudonyms import Pseudonyms
from exports.rows import Block, iso_time

LINE = (
    '{"id": "%s", "revision_id": %d, "revision": %d, "category": %s, "instruction": %s, '
    '"context": %s, "response": %s, "source_url": %s, "created_at": %s, "approved_at": %s, '
    '"author": "%s", "reviewers": %s, "review_count": %d, "split": "%s"}\n'
)


def _time(text: str | None) -> str:
    return "null" if text is None else f'"{iso_time(text)}"'


class Full(LinesFormat):
    """Dolly plus everything needed to trace a row back to its pair and its review:
    ids, revision, times, the pseudonymous author and reviewers (each once, sorted)."""

    name = "full.jsonl"

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
            strict=True,
        )
        for *row, reviews, split in rows:
            reviewers = json.dumps(sorted({names[review[0]] for review in reviews}))
            yield LINE % (*row, reviewers, len(reviews), split)
