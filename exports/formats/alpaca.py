from exports.files import WrittenFile
from exports.formats import Facts, LinesFormat
from exports.rows import Block


class Alpaca(LinesFormat):
    """A JSON array of {instruction, input, output}, one object per line, streamed."""

    name = "alpaca.json"
    about = "a JSON array of instruction, input, output."
    template = (
        b'{"instruction": ', "instruction", b', "input": ', "context",
        b', "output": ', "response", b"}\n",
    )  # fmt: skip
    empty = True

    def lines(self, block: Block) -> bytes:
        if not len(block):
            return b""
        items = super().lines(block)
        opening = b"[\n" if self.empty else b",\n"
        self.empty = False
        # Every newline ends an item (JSON escapes those in the values), so all but the
        # block's last become the array's separators.
        return opening + items[:-1].replace(b"\n", b",\n")

    def finish(self, facts: Facts) -> list[WrittenFile]:
        if self.written is None:
            self.out.write(b"[]\n" if self.empty else b"\n]\n")
        return super().finish(facts)
