"""The phone detector skips text with no run of enough digits; it must never skip a number
phonenumbers' matcher would find (annotation.findings.PHONE_MIN_DIGITS)."""

import random

import phonenumbers

from annotation.findings import PHONE_REGIONS, _phones

# phonenumbers' own punctuation among them: "\u30fc" (ー) is a word character to re.
SEPARATORS = [
    *(" ", "-", ".", "(", ")", "/", "x", " x ", "  ", "\u00a0", "\u2013", "+", ", ", "~"),
    *("\u30fc", "\uff0d", "\u3000", "\u00ad", "\uff08", "\uff09"),
]
DIGITS = "0123456789\uff10\uff11\u0661\u0662"


def _matcher(text: str) -> list[tuple[str, int, int]]:
    return [
        ("phone", match.start, match.end)
        for region in PHONE_REGIONS
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        )
    ]


def _texts(count: int) -> list[str]:
    rng = random.Random(15)
    texts = [
        "+44\u30fc20\u30fc7946\u30fc0958",
        "+683 4002",
        "+98 21 1234",
        "(212) 555-0123 x 12",
        "020 7946 0958",
        "in 1999 and 2024",
    ]
    for _ in range(count):
        parts = [rng.choice(["+", "", "(", "tel: "])]
        for _ in range(rng.randrange(1, 6)):
            pool = DIGITS[:10] if rng.random() < 0.95 else DIGITS
            parts.append("".join(rng.choice(pool) for _ in range(rng.randrange(1, 5))))
            parts.append(rng.choice(SEPARATORS))
        texts.append(rng.choice(["Call ", "", "at "]) + "".join(parts) + rng.choice([" now", "."]))
    return texts


def test_the_digit_precheck_finds_what_the_matcher_finds():
    texts = _texts(6_000)
    with_numbers = [text for text in texts if _matcher(text)]
    assert len(with_numbers) > 40  # the sample does hold numbers
    assert [list(_phones(text)) for text in texts] == [_matcher(text) for text in texts]


def test_short_runs_of_digits_are_not_read_as_numbers():
    assert list(_phones("Answer number 12345, in 1999, for 2 people.")) == []
