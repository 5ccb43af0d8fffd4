"""Every file's exact content, on text that breaks naive writers."""

import hashlib
import hmac
import io
import json

import pyarrow.parquet as pq
import pytest
from django.conf import settings

from annotation.models import Category, Pair
from exports.building import release_build, write_rows
from exports.formats import Facts, full
from exports.formats.alpaca import Alpaca
from exports.formats.dolly import Dolly
from exports.formats.messages import Messages, prompt, user_turn
from exports.models import Release
from exports.pseudonyms import Pseudonyms
from exports.selection import entries_record
from exports.services import release_create
from tests.exports.conftest import approved_pair, build, read, split_of

LONG_CONTEXT = ("Line with a tab\tand «guillemets».\n" * 800).strip()
TEXTS = [
    {
        "instruction": "Why is the sky blue? 🌈 天空为什么是蓝色的？",
        "context": "",
        "response": 'Rayleigh scattering.\nShort waves scatter.\n\n"Quoted" and a back\\slash.',
    },
    {
        "instruction": "ما هي عاصمة فرنسا؟ <script>alert('x')</script>",
        "context": LONG_CONTEXT,
        "response": "باريس &amp; <b>not bold</b> \\n is not a newline",
    },
]


@pytest.fixture
def release(dolly, open_qa, closed_qa, alice, bob, rita, ada) -> Release:
    approved_pair(author=alice, category=open_qa, by=ada, reviewers=[bob, rita], **TEXTS[0])
    approved_pair(author=alice, category=closed_qa, by=ada, reviewers=[bob], **TEXTS[1])
    return build(dolly, test_fraction=0.5)


def _hmac_of(user_id: int) -> str:
    key = hashlib.sha256(f"{Pseudonyms.SALT}{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()[:16]


def _pairs(release):
    entries = release.entries.select_related("pair__approved_revision").order_by("pair_id")
    return [entry.pair for entry in entries]


def _lines(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    assert text.endswith("\n")
    return text[:-1].split("\n")


def test_dolly_jsonl_is_exactly_the_dolly_format(release):
    lines = _lines(read(release, "dolly.jsonl"))
    expected = [
        {**TEXTS[0], "category": "open_qa"},
        {**TEXTS[1], "category": "closed_qa"},
    ]
    assert len(lines) == 2
    for line, want in zip(lines, expected, strict=True):
        assert line == json.dumps(want, ensure_ascii=False)
        assert list(json.loads(line)) == ["instruction", "context", "response", "category"]
        assert json.loads(line) == want
    # Real UTF-8, not \u escapes; HTML is data, not escaped.
    assert "🌈" in lines[0] and "<script>" in lines[1]


def test_full_jsonl_traces_each_row(release, alice, bob, rita):
    pairs = _pairs(release)
    rows = [json.loads(line) for line in _lines(read(release, "full.jsonl"))]
    pseudonym = Pseudonyms()
    for row, pair, text in zip(rows, pairs, TEXTS, strict=True):
        revision = pair.approved_revision
        assert list(row) == [
            "id", "revision_id", "revision", "category", "instruction", "context", "response",
            "source_url", "created_at", "approved_at", "author", "reviewers", "review_count",
            "split", "reviews", "typed_chars", "pasted_chars", "active_seconds",
        ]  # fmt: skip
        assert (row["typed_chars"], row["pasted_chars"], row["active_seconds"]) == (
            revision.typed_chars,
            revision.pasted_chars,
            revision.active_seconds,
        )
        assert row["id"] == str(pair.public_id)
        assert (row["revision_id"], row["revision"]) == (revision.pk, revision.number)
        assert {k: row[k] for k in ("instruction", "context", "response")} == text
        assert row["created_at"] == pair.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert row["approved_at"] == pair.approved_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert row["author"] == pseudonym[alice.pk] == _hmac_of(alice.pk)
        assert row["split"] == split_of(str(pair.public_id), 0.5)
    assert rows[0]["reviewers"] == sorted([pseudonym[bob.pk], pseudonym[rita.pk]])
    assert rows[0]["review_count"] == 2
    # Every review in the order given, its reviewer pseudonymised.
    assert rows[0]["reviews"] == [
        {"reviewer": pseudonym[reviewer.pk], "decision": "approve", "helpfulness": None,
         "correctness": None, "writing": None}
        for reviewer in (bob, rita)
    ]  # fmt: skip
    assert rows[1]["reviewers"] == [pseudonym[bob.pk]]
    assert rows[1]["review_count"] == 1


def test_messages_put_the_context_in_the_user_turn(release):
    rows = [json.loads(line) for line in _lines(read(release, "messages.jsonl"))]
    assert rows[0] == {
        "messages": [
            {"role": "user", "content": TEXTS[0]["instruction"]},
            {"role": "assistant", "content": TEXTS[0]["response"]},
        ]
    }
    assert rows[1]["messages"][0]["content"] == (
        f"{TEXTS[1]['instruction']}\n\n{TEXTS[1]['context']}"
    )
    assert rows[1]["messages"][1] == {"role": "assistant", "content": TEXTS[1]["response"]}


@pytest.mark.parametrize(
    ("instruction", "context"),
    [(TEXTS[0]["instruction"], ""), (TEXTS[1]["instruction"], LONG_CONTEXT), ("a\\", '"b\n')],
)
def test_the_user_turn_joined_as_json_is_the_prompt_as_text(instruction, context):
    def as_json(text: str) -> bytes:
        return json.dumps(text, ensure_ascii=False).encode()

    joined = user_turn(as_json(instruction), as_json(context))
    assert json.loads(joined) == prompt(instruction, context)
    assert joined == as_json(prompt(instruction, context))


def test_alpaca_json_is_one_array(release):
    assert json.loads(read(release, "alpaca.json").decode("utf-8")) == [
        {"instruction": t["instruction"], "input": t["context"], "output": t["response"]}
        for t in TEXTS
    ]


def test_parquet_splits_hold_every_row_once(release):
    pairs = {str(p.public_id): p for p in _pairs(release)}
    seen = {}
    for split in ("train", "test"):
        table = pq.read_table(io.BytesIO(read(release, f"data/{split}.parquet")))
        assert table.column_names == ["instruction", "context", "response", "category", "id"]
        for row in table.to_pylist():
            seen[row["id"]] = row
            assert split_of(row["id"], 0.5) == split
    assert set(seen) == set(pairs)
    by_instruction = {row["instruction"]: row for row in seen.values()}
    for text in TEXTS:
        assert {k: by_instruction[text["instruction"]][k] for k in text} == text
    assert release.counts["splits"]["train"] + release.counts["splits"]["test"] == 2


def test_formats_written_alone_write_the_same_bytes(release, dolly, tmp_path):
    again = release_create(dataset=dolly, by=None, test_fraction=0.5)
    entries_record(release=again)
    formats = [Dolly(tmp_path), Messages(tmp_path), Alpaca(tmp_path)]
    result = write_rows(release=again, into=formats)
    assert result.total == 2 and result.counts["splits"] == release.counts["splits"]
    facts = Facts(release=again, version=9, built_at=None, total=2, counts={}, previous=None)
    for format_ in formats:
        (written,) = format_.finish(facts)
        assert written.path.read_bytes() == read(release, written.name)


def test_full_jsonl_is_the_same_when_its_kept_reviews_are_forgotten(
    release, dolly, tmp_path, monkeypatch
):
    monkeypatch.setattr(full, "REVIEWS_KEPT", 1)
    again = release_create(dataset=dolly, by=None, test_fraction=0.5)
    entries_record(release=again)
    writer = full.Full(tmp_path)
    write_rows(release=again, into=[writer])
    facts = Facts(release=again, version=9, built_at=None, total=2, counts={}, previous=None)
    (written,) = writer.finish(facts)
    assert len(writer.reviews) == 1  # forgotten before each new review, yet the same bytes
    assert written.path.read_bytes() == read(release, "full.jsonl")


def test_an_empty_selection_still_writes_valid_files(dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    release = build(dolly, categories=["open_qa"], test_fraction=0)
    assert json.loads(read(release, "alpaca.json")) and release.counts["splits"]["test"] == 0
    table = pq.read_table(io.BytesIO(read(release, "data/test.parquet")))
    assert table.num_rows == 0 and table.column_names[-1] == "id"
    assert "split: test" not in read(release, "README.md").decode()


def test_the_card_states_each_categorys_consensus_rule(dolly, open_qa, alice, ada):
    open_qa.reviews_required = 3
    open_qa.save()
    approved_pair(author=alice, category=open_qa, by=ada)
    card = read(build(dolly), "README.md").decode()
    assert "| open_qa | 1 | 3 of a kind, up to 5 after split votes |" in card


def test_the_card_names_the_categories_that_require_a_context(
    dolly, open_qa, closed_qa, alice, ada
):
    approved_pair(author=alice, category=open_qa, by=ada)
    approved_pair(author=alice, category=closed_qa, by=ada)
    card = read(build(dolly), "README.md").decode()
    assert "optional reference context (required for Closed QA) and a response" in card

    closed_qa.context_policy = Category.ContextPolicy.OPTIONAL
    closed_qa.save()
    card = read(build(dolly), "README.md").decode()
    assert "optional reference context and a response" in card


def test_a_release_of_no_rows_is_ready_with_valid_empty_files(dolly, open_qa, alice, ada):
    pair = approved_pair(author=alice, category=open_qa, by=ada)
    release = release_create(dataset=dolly, by=None, test_fraction=0.1)
    # Retracted between the request and the build: the build finds nothing to ship.
    Pair.objects.filter(pk=pair.pk).update(status=Pair.Status.RETRACTED)
    release_build(release_id=release.pk)
    release.refresh_from_db()
    assert (release.state, release.total_count) == ("ready", 0)
    assert read(release, "dolly.jsonl") == read(release, "full.jsonl") == b""
    assert json.loads(read(release, "alpaca.json")) == []
    for split in ("train", "test"):
        table = pq.read_table(io.BytesIO(read(release, f"data/{split}.parquet")))
        assert table.num_rows == 0 and table.column_names[-1] == "id"
