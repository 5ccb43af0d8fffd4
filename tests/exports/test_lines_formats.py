"""The line formats fill their templates a whole block at a time: cut into blocks of any
size, empty ones included, the files hold each row once, in order, as JSON."""

import json

import pytest

from exports.formats import Facts, interleave
from exports.formats.alpaca import Alpaca
from exports.formats.dolly import Dolly
from exports.formats.messages import Messages, prompt
from exports.rows import Block

TEXTS = ["plain", 'quote " and \\ back', "line\nbreak\ttab", "emoji 🧪 中文", "\x01\u2028", ""]
FACTS = Facts(release=None, version=1, built_at=None, total=0, counts={}, previous=None)


def _rows(count: int) -> list[dict]:
    return [
        {
            "instruction": f"Instruction {i}: {TEXTS[i % len(TEXTS)]}",
            "context": TEXTS[(i + 1) % len(TEXTS)],
            "response": f"{TEXTS[(i + 2) % len(TEXTS)]} {i}",
            "category": ["open_qa", "closed_qa"][i % 2],
        }
        for i in range(count)
    ]


def _block(rows: list[dict]) -> Block:
    names = ["pair_id", "instruction", "context", "response", "category"]
    return Block({name: [row.get(name, 0) for row in rows] for name in names})


def _write(format_class, directory, rows: list[dict], cuts: list[int]) -> bytes:
    written = format_class(directory)
    start = 0
    for size in cuts:
        written.write(_block(rows[start : start + size]))
        start += size
    assert start == len(rows)
    (file,) = written.finish(FACTS)
    return file.path.read_bytes()


def _lines(data: bytes) -> list:
    # Split on newlines alone: str.splitlines would also cut at U+2028, which JSON keeps.
    assert data.endswith(b"\n")
    return [json.loads(line) for line in data[:-1].split(b"\n")]


CUTS = [[7], [1, 0, 6], [0, 3, 0, 4, 0], [1] * 7]


@pytest.mark.parametrize("cuts", CUTS)
def test_dolly_holds_every_row_once_in_order(tmp_path, cuts):
    rows = _rows(7)
    data = _write(Dolly, tmp_path, rows, cuts)
    assert _lines(data) == rows


@pytest.mark.parametrize("cuts", CUTS)
def test_messages_holds_every_row_once_in_order(tmp_path, cuts):
    rows = _rows(7)
    data = _write(Messages, tmp_path, rows, cuts)
    assert _lines(data) == [
        {
            "messages": [
                {"role": "user", "content": prompt(row["instruction"], row["context"])},
                {"role": "assistant", "content": row["response"]},
            ]
        }
        for row in rows
    ]


@pytest.mark.parametrize("cuts", [*CUTS, [0], [0, 0], []])
def test_alpaca_is_one_array_whatever_the_blocks(tmp_path, cuts):
    rows = _rows(sum(cuts))
    data = _write(Alpaca, tmp_path, rows, cuts)
    assert json.loads(data) == [
        {"instruction": r["instruction"], "input": r["context"], "output": r["response"]}
        for r in rows
    ]
    assert data.count(b"\n") == (len(rows) + 2 if rows else 1)  # an item a line, and [ ]


def test_interleave_fills_each_row_in_turn():
    template = (b"<", "a", b"|", "b", b">\n")
    assert interleave(template, {"a": [b"1", b"2"], "b": [b"x", b"y"]}, 2) == b"<1|x>\n<2|y>\n"
    assert interleave(template, {"a": [], "b": []}, 0) == b""
