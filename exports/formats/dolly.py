from collections.abc import Iterable

from exports.formats import LinesFormat
from exports.rows import Block

LINE = b'{"instruction": %s, "context": %s, "response": %s, "category": %s}\n'


class Dolly(LinesFormat):
    """databricks-dolly-15k: exactly instruction, context, response, category."""

    name = "dolly.jsonl"
    about = "the databricks-dolly-15k format (instruction, context, response, category)."
    columns = ("instruction", "context", "response", "category")

    def lines(self, block: Block) -> Iterable[bytes]:
        return map(LINE.__mod__, zip(*map(block.json, self.columns), strict=True))
