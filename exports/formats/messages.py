from collections.abc import Iterable

from exports.formats import LinesFormat
from exports.rows import Block

LINE = b'{"messages": [{"role": "user", "content": %s}, {"role": "assistant", "content": %s}]}\n'


def prompt(instruction: str, context: str) -> str:
    """The user's turn: the instruction, then a blank line and the context, if any."""
    return f"{instruction}\n\n{context}" if context else instruction


def user_turn(instruction: bytes, context: bytes) -> bytes:
    """:func:`prompt` of the two texts given as JSON strings, as a JSON string (JSON
    escapes character by character, so the escaped texts join as the texts do)."""
    return instruction if context == b'""' else b"%s\\n\\n%s" % (instruction[:-1], context[1:])


class Messages(LinesFormat):
    """Chat format; the context goes in the user turn, after the instruction."""

    name = "messages.jsonl"
    about = "chat format (the context follows the instruction in the user turn)."

    def lines(self, block: Block) -> Iterable[bytes]:
        turns = map(user_turn, block.json("instruction"), block.json("context"))
        return map(LINE.__mod__, zip(turns, block.json("response"), strict=True))
