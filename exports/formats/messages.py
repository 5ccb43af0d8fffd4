from collections.abc import Mapping

from exports.formats import LinesFormat
from exports.rows import Block


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
    template = (
        b'{"messages": [{"role": "user", "content": ', "user_turn",
        b'}, {"role": "assistant", "content": ', "response", b"}]}\n",
    )  # fmt: skip

    def fill(self, block: Block) -> Mapping[str, list[bytes]]:
        turns = list(map(user_turn, block.json("instruction"), block.json("context")))
        return {"user_turn": turns, "response": block.json("response")}
