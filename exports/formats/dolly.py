from exports.formats import LinesFormat


class Dolly(LinesFormat):
    """databricks-dolly-15k: exactly instruction, context, response, category."""

    name = "dolly.jsonl"
    about = "the databricks-dolly-15k format (instruction, context, response, category)."
    columns = ("instruction", "context", "response", "category")
    template = (
        b'{"instruction": ', "instruction", b', "context": ', "context",
        b', "response": ', "response", b', "category": ', "category", b"}\n",
    )  # fmt: skip
