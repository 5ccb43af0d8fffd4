"""stats.json: what the release is made of: pairs per category and split, and the lengths
of the texts (characters and words) and the review scores, per category.

Lengths are summed and counted into fixed buckets as the rows go, so the memory does not
grow with the release."""

import json
from collections import defaultdict
from pathlib import Path

from exports.files import WrittenFile
from exports.formats import Facts, Format, write_file
from exports.rows import Block

FIELDS = ("instruction", "context", "response")
SCORES = ("helpfulness", "correctness", "writing")
# Upper bounds of the length buckets, in characters: 0, 1-16, 17-32, ... 16385 and over.
BUCKETS = [0, *(2**n for n in range(4, 15))]


def _bucket(length: int) -> int:
    for index, bound in enumerate(BUCKETS):
        if length <= bound:
            return index
    return len(BUCKETS)


class _Lengths:
    def __init__(self) -> None:
        self.count = self.chars = self.words = 0
        self.longest = 0
        self.buckets = [0] * (len(BUCKETS) + 1)

    def add(self, texts: list[str]) -> None:
        for text in texts:
            length = len(text)
            self.chars += length
            self.words += len(text.split())
            self.longest = max(self.longest, length)
            self.buckets[_bucket(length)] += 1
        self.count += len(texts)

    def figures(self) -> dict:
        labels = [
            "0",
            *(f"{low + 1}-{high}" for low, high in zip(BUCKETS, BUCKETS[1:], strict=False)),
        ]
        labels.append(f"{BUCKETS[-1] + 1}+")
        return {
            "mean_chars": round(self.chars / self.count, 1) if self.count else 0,
            "mean_words": round(self.words / self.count, 1) if self.count else 0,
            "max_chars": self.longest,
            "chars_histogram": dict(zip(labels, self.buckets, strict=True)),
        }


class Stats(Format):
    """Sets ``facts.stats`` for the card."""

    name = "stats.json"

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.lengths: dict[str, dict[str, _Lengths]] = defaultdict(
            lambda: {field: _Lengths() for field in FIELDS}
        )
        self.scores: dict[str, dict[str, list[int]]] = defaultdict(
            lambda: {score: [0, 0] for score in SCORES}
        )

    def write(self, block: Block) -> None:
        rows: dict[str, list[int]] = defaultdict(list)
        for index, category in enumerate(block["category"]):
            rows[category].append(index)
        for category, indexes in rows.items():
            for field in FIELDS:
                column = block[field]
                self.lengths[category][field].add([column[i] for i in indexes])
            scores = self.scores[category]
            for i in indexes:
                for review in block.reviews[i]:
                    for position, score in enumerate(SCORES, start=2):
                        if review[position] is not None:
                            scores[score][0] += review[position]
                            scores[score][1] += 1

    def finish(self, facts: Facts) -> list[WrittenFile]:
        categories = {}
        for category in sorted(self.lengths):
            scores = self.scores[category]
            categories[category] = {
                "pairs": facts.counts["categories"].get(category, 0),
                "lengths": {f: self.lengths[category][f].figures() for f in FIELDS},
                "review_scores": {
                    score: {"mean": round(total / n, 2) if n else None, "reviews": n}
                    for score, (total, n) in scores.items()
                },
            }
        facts.stats = {
            "pairs": facts.total,
            "splits": facts.counts["splits"],
            "categories": categories,
        }
        data = json.dumps(facts.stats, ensure_ascii=False, indent=2) + "\n"
        return [write_file(self.directory, self.name, data.encode("utf-8"))]
