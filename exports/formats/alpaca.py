from collections.abc import Iterable

from exports.files import WrittenFile
from exports.formats import Facts, LinesFormat
from exports.rows import Block

ITEM = b'{"instruction": %s, "input": %s, "output": %s}'


class Alpaca(LinesFormat):
    """A JSON array of {instruction, input, output}, one object per line, streamed."""

    name = "alpaca.json"
    about = "a JSON array of instruction, input, output."
    empty = True

    def lines(self, block: Block) -> Iterable[bytes]:
        for item in map(
            ITEM.__mod__, zip(*map(block.json, ("instruction", "context", "response")), strict=True)
        ):
            yield b"[\n" if self.empty else b",\n"
            yield item
            self.empty = False

    def finish(self, facts: Facts) -> list[WrittenFile]:
        if self.written is None:
            self.out.write(b"[]\n" if self.empty else b"\n]\n")
        return super().finish(facts)
