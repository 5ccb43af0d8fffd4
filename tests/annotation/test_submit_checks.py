"""Each submit-time check, through the editor: the message appears beside its field."""

import re

import pytest
from django.urls import reverse

from annotation.workflow import S
from tests.annotation.writing_helpers import accept_licence, editor_data
from tests.factories import make_pair

CONTEXT = "A passage of reference text, long enough to answer the question from."
GOOD = {"instruction": "What is the capital of France, and why?", "response": "Paris."}


def submit(client, pair, **fields):
    response = client.post(
        reverse("annotation:submit", args=[pair.public_id]), editor_data(pair, **fields)
    )
    pair.refresh_from_db()
    return response


def field_errors(response, name: str) -> str:
    match = re.search(
        rf'<div class="field-error" id="errors-{name}">(.*?)</div>', response.content.decode(), re.S
    )
    return match.group(1) if match else ""


@pytest.fixture
def open_pair(alice, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    return make_pair(author=alice, category=open_qa, status=S.DRAFT)


@pytest.fixture
def closed_pair(alice, closed_qa):
    accept_licence(alice, dataset=closed_qa.dataset)
    return make_pair(author=alice, category=closed_qa, status=S.DRAFT)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"instruction": ""}, "instruction", "Write an instruction."),
        ({"instruction": "   "}, "instruction", "Write an instruction."),
        ({"response": ""}, "response", "Write a response."),
        ({"context": CONTEXT}, "context", "Open QA takes no context; remove it."),
        ({"instruction": "Too short"}, "instruction", "Too short: at least 10 characters (9 now)."),
        ({"instruction": "x" * 4001}, "instruction", "Too long: at most 4,000 characters"),
        ({"response": "y" * 30001}, "response", "Too long: at most 30,000 characters"),
        (
            {"instruction": "Say the same thing twice.", "response": "say the  same thing twice."},
            "response",
            "The response repeats the instruction.",
        ),
        ({"instruction": "nul \x00 inside"}, "instruction", "Contains a NUL byte."),
        ({"response": "a bell \x07 rings"}, "response", "Contains control or replacement"),
        ({"response": "broken \ufffd text"}, "response", "Contains control or replacement"),
    ],
)
def test_open_qa_checks(as_alice, open_pair, fields, field, message):
    response = submit(as_alice, open_pair, **{**GOOD, **fields})
    assert response.status_code == 422
    assert message in field_errors(response, field)
    assert open_pair.status == S.DRAFT and open_pair.revisions.count() == 0


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"context": ""}, "context", "Closed QA needs a context passage."),
        ({"context": "Too short."}, "context", "Too short: at least 20 characters"),
        ({"response": CONTEXT}, "response", "The response only copies the context."),
        ({"source_url": "not a url"}, "source_url", "Enter a full http:// or https:// address."),
        ({"source_url": "ftp://example.com/x"}, "source_url", "Enter a full http://"),
        (
            {"source_url": "https://deploy:s3cr3t-pass@git.example.org/app.git"},
            "source_url",
            "Basic Auth Credentials in the address: link to the page without it.",
        ),
        (
            {"source_url": "https://github.com/acme/app?token=ghp_" + "a1B2c3D4e5" * 3 + "f6G7h8"},
            "source_url",
            "GitHub Token in the address",
        ),
    ],
)
def test_closed_qa_checks(as_alice, closed_pair, fields, field, message):
    response = submit(as_alice, closed_pair, **{**GOOD, "context": CONTEXT, **fields})
    assert response.status_code == 422
    assert message in field_errors(response, field)
    assert closed_pair.revisions.count() == 0


def test_invalid_utf8_is_refused(as_alice, open_pair):
    body = (
        f"instruction=What+is+the+capital+of+France%3F&response=Par%FFis"
        f"&version={open_pair.draft.version}"
    )
    response = as_alice.post(
        reverse("annotation:submit", args=[open_pair.public_id]),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 422
    assert "Contains control or replacement" in field_errors(response, "response")


def test_an_exact_duplicate_instruction_is_refused(as_alice, alice, dan, open_qa, open_pair):
    make_pair(author=dan, category=open_qa, instruction="How do tides work on Earth?")
    response = submit(as_alice, open_pair, instruction="how do tides  work on earth?", response="x")
    assert response.status_code == 422
    assert "already exists in the dataset" in field_errors(response, "instruction")


def test_limits_come_from_settings(as_alice, open_pair, settings):
    settings.HANDWRITTEN_LIMITS = {**settings.HANDWRITTEN_LIMITS, "response": (50, 100)}
    response = submit(as_alice, open_pair, **{**GOOD, "response": "Too brief."})
    assert "Too short: at least 50 characters" in field_errors(response, "response")


def test_several_errors_show_at_once(as_alice, closed_pair):
    response = submit(as_alice, closed_pair, instruction="", context="", response="")
    for field in ("instruction", "context", "response"):
        assert field_errors(response, field), field


def test_passing_checks_submit(as_alice, closed_pair):
    response = submit(
        as_alice, closed_pair, **GOOD, context=CONTEXT, source_url="https://example.com/a"
    )
    assert response.status_code == 302
    assert closed_pair.status == S.SUBMITTED
    assert closed_pair.current_revision.source_url == "https://example.com/a"


# Duplicates in disguise (issue 12.8): each of these was a new instruction to the old rule.
TIDES = "How do tides work on Earth?"
DISGUISES = {
    "NFD vs NFC": ("Qu\u00e9 es la marea en la Tierra?", "Que\u0301 es la marea en la Tierra?"),
    "fullwidth (NFKC)": (TIDES, "How do tides work on \uff25\uff41\uff52\uff54\uff48?"),
    "Cyrillic a (homoglyph)": (TIDES, "How do tides work on E\u0430rth?"),
    "Greek omicron (homoglyph)": (TIDES, "H\u03bfw do tides work on Earth?"),
    "soft hyphen (invisible)": (TIDES, "How do ti\u00addes work on Earth?"),
    "no-break space": (TIDES, "How do\u00a0tides work on Earth?"),
}


@pytest.mark.parametrize("kind", list(DISGUISES))
def test_a_disguised_duplicate_instruction_is_refused(as_alice, dan, open_qa, open_pair, kind):
    existing, disguised = DISGUISES[kind]
    make_pair(author=dan, category=open_qa, instruction=existing)
    response = submit(as_alice, open_pair, instruction=disguised, response="Gravity, mostly.")
    assert response.status_code == 422
    assert "already exists in the dataset" in field_errors(response, "instruction")
    assert open_pair.status == S.DRAFT and open_pair.revisions.count() == 0


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("How do tides\u200b work on Earth?", "zero-width space (U+200B) at character 13"),
        ("How do tides work on\u2060 Earth?", "word joiner (U+2060)"),
        ("How do tides work on Earth?\ufeff", "zero-width no-break space (U+FEFF)"),
        ("How do t\u200dides work on Earth?", "zero-width joiner (U+200D) at character 9"),
        ("Is this safe? \u202egnp.exe", "bidi embedding or override (U+202E) at character 15"),
        ("Pay \u2066100\u2069 dollars, or what?", "bidi isolate (U+2066)"),
    ],
)
def test_disguising_characters_are_refused_naming_the_problem(as_alice, open_pair, text, named):
    response = submit(as_alice, open_pair, instruction=text, response="Gravity, mostly.")
    assert response.status_code == 422
    assert named in field_errors(response, "instruction")
    assert open_pair.revisions.count() == 0
    # The draft keeps what was written: a refused submit loses nothing.
    open_pair.draft.refresh_from_db()
    assert open_pair.draft.instruction == text


@pytest.mark.parametrize(
    "text",
    [
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u0628\u062f\u0627\u0646\u0645 چرا؟",
        "Who is in this family: \U0001f468\u200d\U0001f469\u200d\U0001f467?",
    ],
)
def test_joiners_that_scripts_and_emoji_need_are_kept(as_alice, open_pair, text):
    response = submit(as_alice, open_pair, instruction=text, response="A family of three.")
    assert response.status_code == 302, field_errors(response, "instruction")
    assert open_pair.current_revision.instruction == text


def test_crlf_from_the_browser_is_stored_as_lf(as_alice, closed_pair):
    response = submit(
        as_alice,
        closed_pair,
        instruction="What is the capital of France, and why?",
        context="First line of the passage.\r\nSecond line, long enough.\rThird.",
        response="Paris.\r\n\r\nIt is the seat of government.",
    )
    assert response.status_code == 302
    revision = closed_pair.current_revision
    assert revision.context == "First line of the passage.\nSecond line, long enough.\nThird."
    assert revision.response == "Paris.\n\nIt is the seat of government."
    closed_pair.draft.refresh_from_db()
    assert "\r" not in closed_pair.draft.response
