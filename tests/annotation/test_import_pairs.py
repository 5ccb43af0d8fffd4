import hashlib
import json
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from annotation import importing
from annotation.models import AuditEvent, Draft, Pair, Revision, content_hash, instruction_key

# 305 real databricks-dolly-15k records (CC BY-SA 3.0; see tests/data/README.md).
SAMPLE = Path(settings.BASE_DIR) / "tests" / "data" / "dolly-sample.jsonl"
SAMPLE_COUNTS = {
    "open_qa": 83,
    "general_qa": 49,
    "classification": 41,
    "brainstorming": 37,
    "closed_qa": 32,
    "information_extraction": 28,
    "summarization": 22,
    "creative_writing": 13,
}


def words(n: int) -> str:
    """Four made-up words per n, so that no two records are near-duplicates either."""
    digest = hashlib.sha256(str(n).encode()).digest()
    return " ".join("".join(chr(97 + b % 26) for b in digest[i : i + 6]) for i in range(0, 24, 6))


def record(n: int, **fields) -> dict:
    return {
        "instruction": f"Question number {n}: why is {words(n)} blue at noon?",
        "context": "",
        "response": "Air scatters blue light more than red light.",
        "category": "open_qa",
        **fields,
    }


def line(n: int, **fields) -> bytes:
    return json.dumps(record(n, **fields)).encode() + b"\n"


def write(tmp_path: Path, *lines: bytes) -> Path:
    path = tmp_path / "pairs.jsonl"
    path.write_bytes(b"".join(lines))
    return path


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_pairs", str(path), "--dataset", "dolly", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count() for model in (Pair, Revision, Draft, AuditEvent, User)
    }


def test_the_dolly_sample_imports_as_submitted(dolly):
    output = run(SAMPLE)

    assert "Imported 305 pairs into dolly (status submitted): open_qa 83, general_qa 49" in output
    per_category = {
        slug: Pair.objects.filter(category__slug=slug).count() for slug in SAMPLE_COUNTS
    }
    assert per_category == SAMPLE_COUNTS
    assert Revision.objects.count() == Draft.objects.count() == 305
    pair = Pair.objects.select_related("current_revision", "draft", "author").first()
    assert pair.status == Pair.Status.SUBMITTED
    assert pair.submitted_at is not None
    assert pair.approved_revision is None and pair.approved_at is None
    revision = pair.current_revision
    assert revision.kind == Revision.Kind.IMPORTED and revision.number == 1
    assert revision.category == pair.category
    assert revision.instruction_key == instruction_key(revision.instruction)
    assert revision.content_hash == content_hash(
        instruction=revision.instruction,
        context=revision.context,
        response=revision.response,
        category_slug=pair.category.slug,
    )
    assert pair.draft.response == revision.response
    assert pair.author.username == "importer"
    assert not pair.author.groups.exists() and not pair.author.has_usable_password()
    event = AuditEvent.objects.get(verb="pairs.import")
    assert event.object_id == str(dolly.pk)
    assert event.data["count"] == 305 and event.data["file"] == "dolly-sample.jsonl"
    assert event.data["status"] == "submitted"
    assert AuditEvent.objects.count() == 1


def test_approved_import_approves_the_only_revision(dolly, alice):
    run(SAMPLE, "--status", "approved", "--author", "alice")

    pairs = Pair.objects.select_related("current_revision")
    assert pairs.count() == 305
    for pair in pairs:
        assert pair.status == Pair.Status.APPROVED
        assert pair.approved_revision_id == pair.current_revision_id
        assert pair.current_revision.kind == Revision.Kind.IMPORTED
        assert pair.approved_at is not None
        assert pair.author == alice
    # The importer account exists from the migration on; it authored none of these.
    assert not Pair.objects.filter(author__username="importer").exists()


def test_text_is_stripped_and_blank_lines_and_a_bom_are_fine(dolly, tmp_path):
    path = write(
        tmp_path,
        b"\xef\xbb\xbf" + line(1, response="  Blue light scatters most.  \n"),
        b"\n",
        b"   \r\n",
        line(2),
    )
    assert "Imported 2 pairs" in run(path)
    assert Revision.objects.filter(response="Blue light scatters most.").exists()


BAD_LINES = {
    "bad JSON": b'{"instruction": "Why is water wet at all?", "context": ""\n',
    "not UTF-8": line(9).replace(b"Question", b"Qu\xffestion"),
    "not an object": b'["instruction", "context", "response", "category"]\n',
    "missing key": json.dumps({k: v for k, v in record(9).items() if k != "context"}).encode(),
    "extra key": line(9, source="wikipedia"),
    "wrong type": line(9, response=42),
    "unknown category": line(9, category="poetry"),
    "NUL byte": line(9, response="Blue\x00light"),
    "control character": line(9, instruction="Why is the sky\x1b blue at noon, really?"),
    "empty instruction": line(9, instruction="   "),
    "empty response": line(9, response=""),
    "context policy": line(9, category="closed_qa"),
    "over-long line": line(9, response="x" * (importing.MAX_LINE_BYTES + 10)),
    "duplicate": line(1, instruction=record(1)["instruction"].upper().replace(" ", "  ")),
}
EXPECTED = {
    "bad JSON": "not valid JSON",
    "not UTF-8": "not UTF-8",
    "not an object": "got an array",
    "missing key": "missing key context",
    "extra key": "unexpected key 'source'",
    "wrong type": "response must be a string, not a number",
    "unknown category": "unknown category 'poetry'",
    "NUL byte": "NUL byte",
    "control character": "control",
    # The import words these as a writer's submit does: one set of checks (issue 15).
    "empty instruction": "instruction: Write an instruction.",
    "empty response": "response: Write a response.",
    "context policy": "context: Closed QA needs a context passage.",
    "over-long line": "longer than 1,000,000 bytes",
    "duplicate": "same instruction as line 1",
}


@pytest.mark.parametrize("kind", list(BAD_LINES))
def test_a_bad_line_imports_nothing_and_is_named(dolly, tmp_path, kind):
    bad = BAD_LINES[kind].rstrip(b"\n") + b"\n"
    path = write(tmp_path, line(1), line(2), bad, line(4))
    before = counts()

    with pytest.raises(CommandError) as raised:
        run(path)

    message = str(raised.value)
    assert "line 3: " in message, message
    assert EXPECTED[kind] in message
    assert "nothing was imported" in message
    assert "line 1:" not in message and "line 4:" not in message
    assert counts() == before


def test_lenient_policy_imports_what_breaks_the_writing_rules(dolly, tmp_path):
    path = write(
        tmp_path,
        line(1, context="A passage that an open question should not have had."),
        line(2, category="summarization"),
        line(3, instruction="Why?"),
    )
    with pytest.raises(CommandError) as raised:
        run(path)
    assert "line 1: context: Open QA takes no context" in str(raised.value)
    assert "line 2: context: Summarization needs a context passage" in str(raised.value)
    assert "line 3: instruction: Too short: at least 10 characters (4 now)" in str(raised.value)

    assert "Imported 3 pairs" in run(path, "--lenient-policy")
    assert AuditEvent.objects.get(verb="pairs.import").data["lenient_policy"] is True


def test_an_instruction_already_in_the_dataset_is_an_error(dolly, tmp_path):
    run(write(tmp_path, line(1)))
    before = counts()
    path = write(tmp_path, line(2), line(1, response="Another answer to the same question."))

    with pytest.raises(CommandError, match="line 2: instruction already exists in dataset"):
        run(path)
    assert counts() == before


def test_skip_duplicates_keeps_the_first_and_skips_the_rest(dolly, tmp_path):
    run(write(tmp_path, line(1)))
    path = write(tmp_path, line(1), line(2), line(3), line(2, response="A second answer."))

    output = run(path, "--skip-duplicates")

    assert "Imported 2 pairs" in output and "Skipped 2 repeated" in output
    kept = Revision.objects.get(instruction=record(2)["instruction"])
    assert kept.response == record(2)["response"]


def test_a_bad_last_line_of_a_large_file_imports_nothing(dolly, tmp_path):
    path = write(tmp_path, *(line(n) for n in range(1, 5001)), line(5001, category="poetry"))
    before = counts()

    with pytest.raises(CommandError, match="line 5001: unknown category"):
        run(path)
    assert counts() == before


def test_a_failure_while_writing_rolls_back_every_batch(dolly, tmp_path, monkeypatch):
    path = write(tmp_path, *(line(n) for n in range(1, 8)))
    monkeypatch.setattr(importing, "BATCH_ROWS", 2)
    validate = importing._validate

    def file_changes_after_validation(*args, **kwargs):
        skipped, _sha256, found = validate(*args, **kwargs)
        return skipped, "0" * 64, found

    monkeypatch.setattr(importing, "_validate", file_changes_after_validation)
    before = counts()

    with pytest.raises(CommandError, match="the file changed while it was being imported"):
        run(path)
    assert counts() == before


def test_a_line_changed_between_the_passes_is_not_written_unchecked(dolly, tmp_path, monkeypatch):
    # The second pass does not run the content checks again: the file's digest is what
    # stops a line that changed after them.
    path = write(tmp_path, *(line(n) for n in range(1, 4)))
    validate = importing._validate

    def a_key_is_pasted_after_validation(*args, **kwargs):
        checked = validate(*args, **kwargs)
        text = path.read_text().replace("number 2", "number 2 AKIAIOSFODNN7EXAMPLE", 1)
        path.write_text(text)
        return checked

    monkeypatch.setattr(importing, "_validate", a_key_is_pasted_after_validation)
    before = counts()
    with pytest.raises(CommandError, match="the file changed while it was being imported"):
        run(path)
    assert counts() == before


def test_many_bad_lines_are_counted_beyond_those_shown(dolly, tmp_path):
    path = write(tmp_path, *(b"nonsense\n" for _ in range(60)))
    with pytest.raises(CommandError) as raised:
        run(path)
    message = str(raised.value)
    assert message.startswith("60 problem(s) in pairs.jsonl")
    assert "line 50: not valid JSON" in message and "line 51:" not in message
    assert "... and 10 more" in message


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["missing.jsonl", "--dataset", "dolly"], "No such file"),
        (["{file}", "--dataset", "nope"], "No dataset with slug 'nope'"),
        (["{file}", "--dataset", "dolly", "--author", "nobody"], "No user named 'nobody'"),
    ],
)
def test_bad_arguments_are_clear_errors(dolly, tmp_path, args, error):
    path = write(tmp_path, line(1))
    args = [arg.replace("{file}", str(path)) for arg in args]
    with pytest.raises(CommandError, match=error):
        call_command("import_pairs", *args)
    assert not Pair.objects.exists()


def test_a_repeated_json_key_is_refused_naming_the_line(dolly, tmp_path):
    repeated = (
        b'{"instruction": "Why is the sky blue at noon, really?", "context": "", '
        b'"response": "Scattering.", "category": "open_qa", "response": "A second answer."}\n'
    )
    path = write(tmp_path, line(1), repeated)
    before = counts()
    with pytest.raises(CommandError) as raised:
        run(path)
    assert "line 2: repeated key 'response'" in str(raised.value)
    assert counts() == before


def test_crlf_and_cr_in_the_text_are_stored_as_lf(dolly, tmp_path):
    path = write(tmp_path, line(1, response="First.\r\nSecond.\rThird."))
    run(path)
    revision = Revision.objects.get()
    assert revision.response == "First.\nSecond.\nThird."
    assert Draft.objects.get().response == "First.\nSecond.\nThird."


@pytest.mark.parametrize(
    "disguised",
    [
        "Qu\u00e9 es la marea en la Tierra, exactamente?",
        "Que\u0301 es la marea en la Tierra, exactamente?",
        "Qu\u00e9 es la m\u0430rea en la Tierra, exactamente?",
    ],
)
def test_a_disguised_repeat_is_a_duplicate_in_the_file_and_in_the_dataset(
    dolly, tmp_path, disguised
):
    original = line(1, instruction="Qu\u00e9 es la marea en la Tierra, exactamente?")
    with pytest.raises(CommandError, match="line 2: same instruction as line 1"):
        run(write(tmp_path, original, line(2, instruction=disguised)))
    run(write(tmp_path, original))
    with pytest.raises(CommandError, match="line 1: instruction already exists in dataset"):
        run(write(tmp_path, line(2, instruction=disguised)))


def test_disguising_characters_are_refused_naming_line_and_character(dolly, tmp_path):
    path = write(tmp_path, line(1), line(2, response="Run it: \u202egnp.exe"))
    with pytest.raises(CommandError) as raised:
        run(path)
    assert "line 2: response: Contains an invisible bidi embedding or override (U+202E)" in str(
        raised.value
    )


def test_near_duplicates_in_the_file_are_refused_each_line_named(dolly, tmp_path):
    path = write(
        tmp_path,
        line(1, instruction="Why is the sky blue at noon on a summer day?"),
        line(2),
        line(3, instruction="Why is the sky blue at noon on a summer's day?"),
        line(4, instruction="why is the sky so blue at noon on a summer day?"),
    )
    before = counts()
    with pytest.raises(CommandError) as raised:
        run(path)
    message = str(raised.value)
    assert "line 3: near-duplicate (" in message and "similar) of line 1" in message
    assert "line 4: near-duplicate (" in message
    assert "line 2:" not in message
    assert counts() == before


def test_near_duplicates_of_the_corpus_are_refused_naming_the_pair(dolly, tmp_path):
    run(write(tmp_path, line(1, instruction="Why is the sky blue at noon on a summer day?")))
    existing = Pair.objects.get()
    path = write(
        tmp_path, line(2), line(3, instruction="Why is the sky blue at noon on summer days?")
    )
    with pytest.raises(CommandError) as raised:
        run(path)
    assert "line 2: near-duplicate (" in str(raised.value)
    assert "line 1:" not in str(raised.value)
    assert f"of pair {existing.public_id} in dolly/open_qa" in str(raised.value)
    assert Pair.objects.count() == 1


def test_keep_near_duplicates_imports_and_lists_them(dolly, tmp_path):
    path = write(
        tmp_path,
        line(1, instruction="Why is the sky blue at noon on a summer day?"),
        line(2, instruction="Why is the sky blue at noon on a summer's day?"),
    )
    output = run(path, "--keep-near-duplicates")
    assert "Imported 2 pairs" in output
    assert "Kept near-duplicate instruction(s):" in output
    assert "line 2: near-duplicate (" in output
    assert AuditEvent.objects.get(verb="pairs.import").data["kept_near_duplicates"] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_pair_submitted_during_the_import_cannot_slip_in_a_duplicate(
    dolly, alice, dan, tmp_path, monkeypatch
):
    """The first pass checked the dataset; before the second writes, another connection
    submits the same instruction and commits. The unique constraint refuses the import."""
    from django.db import connection, connections

    from tests.factories import make_pair

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions")
    open_qa = dolly.categories.get(slug="open_qa")
    path = write(tmp_path, line(1), line(2))
    validate = importing._validate

    def someone_submits_meanwhile(*args, **kwargs):
        checked = validate(*args, **kwargs)

        def submit() -> None:
            try:
                make_pair(author=alice, category=open_qa, instruction=record(2)["instruction"])
            finally:
                connections.close_all()

        thread = threading.Thread(target=submit)
        thread.start()
        thread.join()
        return checked

    monkeypatch.setattr(importing, "_validate", someone_submits_meanwhile)
    # --author: an earlier transactional test may have flushed the migration's importer.
    with pytest.raises(CommandError, match="submitted by someone else while it was being imported"):
        run(path, "--author", "dan")
    assert Pair.objects.count() == 1
    assert Pair.objects.get().author == alice
