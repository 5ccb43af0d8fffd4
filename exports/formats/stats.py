"""stats.json: what the release is made of: pairs per category and split, and the lengths
of the texts (characters) and the review scores, per category.

Lengths are summed and counted into fixed buckets as the rows go, so the memory does not
grow with the release."""

import json
from collections import Counter, defaultdict
from pathlib import Path

from exports.files import WrittenFile
from exports.formats import Facts, Format, write_file
from exports.rows import Block

TEXTS = ("instruction", "context", "response")
SCORES = ("helpfulness", "correctness", "writing")
# Length buckets by powers of two: "0", "1", "2-3", "4-7", ..., by a length's bit_length.
BUCKETS = 17


def _label(bits: int) -> str:
    if bits <= 1:
        return str(bits)
    low, high = 2 ** (bits - 1), 2**bits - 1
    return f"{low}-{high}" if bits < BUCKETS - 1 else f"{low}+"


class _Lengths:
    def __init__(self) -> None:
        self.count = self.chars = self.longest = 0
        self.buckets = [0] * BUCKETS

    def add(self, texts: list[str]) -> None:
        lengths = list(map(len, texts))
        if lengths:
            self.chars += sum(lengths)
            self.longest = max(self.longest, *lengths)
            for bits, count in Counter(map(int.bit_length, lengths)).items():
                self.buckets[min(bits, BUCKETS - 1)] += count
            self.count += len(lengths)

    def figures(self) -> dict:
        return {
            "mean_chars": round(self.chars / self.count, 1) if self.count else 0,
            "max_chars": self.longest,
            "chars_histogram": {_label(b): n for b, n in enumerate(self.buckets) if n},
        }


class Stats(Format):
    """Sets ``facts.stats`` for the card."""

    name = "stats.json"
    about = "pairs per category and split, text lengths and review scores."
    columns = ("category", *TEXTS, "reviews")

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.lengths: dict[str, dict[str, _Lengths]] = defaultdict(
            lambda: {field: _Lengths() for field in TEXTS}
        )
        self.scores: dict[str, dict[str, list[int]]] = defaultdict(
            lambda: {score: [0, 0] for score in SCORES}
        )

    def write(self, block: Block) -> None:
        rows: dict[str, list[int]] = defaultdict(list)
        for index, category in enumerate(block["category"]):
            rows[category].append(index)
        for category, indexes in rows.items():
            for field in TEXTS:
                column = block[field]
                self.lengths[category][field].add([column[i] for i in indexes])
            given = [review for i in indexes for review in block.reviews[i]]
            for position, score in enumerate(SCORES, start=2):
                values = [review[position] for review in given if review[position] is not None]
                self.scores[category][score][0] += sum(values)
                self.scores[category][score][1] += len(values)

    def finish(self, facts: Facts) -> list[WrittenFile]:
        categories = {}
        for category in sorted(self.lengths):
            scores = self.scores[category]
            categories[category] = {
                "pairs": facts.counts["categories"].get(category, 0),
                "lengths": {f: self.lengths[category][f].figures() for f in TEXTS},
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
