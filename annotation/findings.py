"""Personal data and credentials in a pair's text: the detectors.

Pure functions over text, no database. A finding names its field, kind and span (start,
end offsets into that field's text), never the matched value: callers that need the value
slice it from the text they already hold, so it is not copied anywhere else.

Each kind is found by the library made for it, not by a home-grown rule:

- phone numbers: Google's libphonenumber (``phonenumbers``), only numbers it judges VALID
  (a real area code and length), so a year, an ISBN or a version number does not flag;
  written nationally they are looked for as US and UK numbers, with a ``+`` prefix in any
  country;
- payment cards and IBANs: ``python-stdnum``'s Luhn and ISO 7064 mod 97-10 checks over
  candidates a pattern finds;
- IP addresses: the standard library's ``ipaddress``; only globally routable addresses
  flag, since a loopback, private, link-local or documentation address (127.0.0.1,
  192.168.0.1, 192.0.2.1, 2001:db8::1) cannot point at anyone's connection;
- e-mail addresses: a pattern, except at domains reserved so that they belong to nobody
  (RFC 2606 and 6761: example.com, .test, .invalid, ...);
- credentials: detect-secrets' plugins (AWS, GitHub, GitLab, Slack, Stripe, private keys,
  JWTs, basic-auth URLs, ...), each run on the text line by line through its public
  ``analyze_string``; the entropy and keyword plugins are left out, as on prose they flag
  ordinary words, and their network verification is never called.
"""

import ipaddress
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache

import phonenumbers
from stdnum import iban, luhn

PERSONAL = "personal"
CREDENTIAL = "credential"

# Numbers written without a country code are read as numbers of these regions.
PHONE_REGIONS = ("US", "GB")
# The fewest digits of a valid number, in phonenumbers' metadata: +98 and 4 digits (Iran);
# written nationally, US numbers have 10 and GB numbers 7 or more.
PHONE_MIN_DIGITS = 6
# Digits with what phonenumbers' matcher allows between them (at most 4 of its punctuation
# characters, "x" and the katakana "ー" the only word characters among them), widened to
# any non-word character. Text without such a run of PHONE_MIN_DIGITS digits holds no
# number, and the matcher, most of an import's time (it parses every "number 12" and year
# it meets), is not run on it.
_DIGIT_RUN = re.compile(r"\d(?:(?:[^\w]|[xX\u30fc]){0,4}\d)*")
_DIGIT = re.compile(r"\d")

PERSONAL_KINDS = {
    "email": "e-mail address",
    "phone": "phone number",
    "card": "payment card number",
    "iban": "IBAN",
    "ip": "IP address",
}

# Flag everywhere else; these find words or random-looking strings in prose.
_SKIPPED_PLUGINS = {
    "Base64 High Entropy String",
    "Hex High Entropy String",
    "Secret Keyword",
    "Public IP (ipv4)",  # IP addresses are personal data here, found below
}

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63})(?![\w-])"
)
_RESERVED_DOMAINS = ("example.com", "example.org", "example.net")
_RESERVED_TLDS = ("example", "test", "invalid", "localhost")
# 13 to 19 digits, optionally grouped by single spaces or hyphens.
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
# Issuer ranges of the card schemes in use (Visa 4, Mastercard 2/5, Amex 3, Discover 6):
# an ISBN-13 (978/979) or a long reference number starting otherwise is no card.
_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|6(?:011|5|4[4-9]))")
_IBAN = re.compile(
    r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])"
)
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
# "v1.2.3.4" or "version 1.2.3.4" is a version, not an address.
_VERSION_BEFORE = re.compile(r"(?:\bv|version\s*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """Something in ``field``'s text at [start, end) that may not ship as written."""

    field: str
    kind: str
    start: int
    end: int

    @property
    def category(self) -> str:
        return PERSONAL if self.kind in PERSONAL_KINDS else CREDENTIAL

    @property
    def label(self) -> str:
        return kind_label(self.kind)

    def position(self, text: str) -> str:
        """Where the finding starts in ``text``, as a writer counts: line and column."""
        before = text[: self.start]
        line = before.count("\n") + 1
        column = self.start - (before.rfind("\n") + 1) + 1
        return f"line {line}, column {column}"


def kind_label(kind: str) -> str:
    if kind in PERSONAL_KINDS:
        return PERSONAL_KINDS[kind]
    return _credential_plugins().get(kind, (kind.replace("_", " "), None))[0]


def _slug(secret_type: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", secret_type.lower()).strip("_")


@cache
def _credential_plugins() -> dict[str, tuple[str, object]]:
    """kind -> (the plugin's own name for it, an instance of the plugin)."""
    # Imported at the first scan, not at start-up: 40 ms of every process's start
    # (build_release's and the worker's included), most of which never scan.
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector

    plugins = {}
    for secret_type, plugin in get_mapping_from_secret_type_to_class().items():
        if secret_type not in _SKIPPED_PLUGINS and issubclass(plugin, RegexBasedDetector):
            plugins[_slug(secret_type)] = (secret_type, plugin())
    return plugins


def _lines(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.splitlines(keepends=True):
        yield offset, line
        offset += len(line)


def _credentials(text: str) -> Iterator[tuple[str, int, int]]:
    for offset, line in _lines(text):
        for kind, (_, plugin) in _credential_plugins().items():
            # analyze_string yields values without positions (and for some patterns only a
            # captured prefix), so each pattern's whole match is the span, kept when the
            # plugin, run on that match alone, still reports it (JWTs are also decoded).
            for pattern in plugin.denylist:
                for match in pattern.finditer(line):
                    if any(plugin.analyze_string(match.group())):
                        yield kind, offset + match.start(), offset + match.end()


def _emails(text: str) -> Iterator[tuple[str, int, int]]:
    for match in _EMAIL.finditer(text):
        domain = match.group(1).lower()
        if domain.endswith(_RESERVED_DOMAINS) or domain.rsplit(".", 1)[-1] in _RESERVED_TLDS:
            continue
        yield "email", match.start(), match.end()


def _phones(text: str) -> Iterator[tuple[str, int, int]]:
    if not any(
        len(_DIGIT.findall(run.group())) >= PHONE_MIN_DIGITS for run in _DIGIT_RUN.finditer(text)
    ):
        return
    for region in PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        ):
            yield "phone", match.start, match.end


def _cards(text: str) -> Iterator[tuple[str, int, int]]:
    for match in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if _CARD_PREFIX.match(digits) and luhn.is_valid(digits):
            yield "card", match.start(), match.end()


def _ibans(text: str) -> Iterator[tuple[str, int, int]]:
    for match in _IBAN.finditer(text):
        if iban.is_valid(match.group()):
            yield "iban", match.start(), match.end()


def _ips(text: str) -> Iterator[tuple[str, int, int]]:
    for pattern in (_IPV4, _IPV6):
        for match in pattern.finditer(text):
            if _VERSION_BEFORE.search(text, 0, match.start()):
                continue
            try:
                address = ipaddress.ip_address(match.group())
            except ValueError:
                continue
            if address.is_global:
                yield "ip", match.start(), match.end()


# Earlier detectors win where spans overlap: a card number is not also a phone number.
_DETECTORS = (_credentials, _cards, _ibans, _emails, _ips, _phones)


def text_findings(*, field: str, text: str) -> list[Finding]:
    """Every finding in one field's ``text``, in order of position, none overlapping.

    Text with characters outside ASCII is also read folded (see :func:`folded`), so an
    address written with a full-width ＠ or split by a soft hyphen is found where a reader
    sees it; the span is the written text's.
    """
    kept: list[Finding] = []
    views: list[tuple[str, list[int] | None]] = [(text, None)]
    if not text.isascii():
        reader, origin = folded(text)
        if reader != text:  # curly quotes and accents fold to themselves: one scan
            views.append((reader, origin))
    for view, origin in views:
        for detector in _DETECTORS:
            for kind, start, end in detector(view):
                if origin is not None:
                    start, end = origin[start], origin[end - 1] + 1
                if any(start < other.end and other.start < end for other in kept):
                    continue
                kept.append(Finding(field=field, kind=kind, start=start, end=end))
    return sorted(kept, key=lambda finding: (finding.start, finding.end))


def folded(text: str) -> tuple[str, list[int]]:
    """``text`` as a reader takes it: each character in its NFKC compatibility form (a
    full-width ＠ or digit becomes @ or the digit), invisible format characters (a soft
    hyphen, U+00AD) left out; and, for each character of the result, the index of the
    character of ``text`` it came from."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isascii():
            out.append(char)
            origin.append(index)
            continue
        if unicodedata.category(char) == "Cf":
            continue
        form = unicodedata.normalize("NFKC", char)
        out.append(form)
        origin.extend([index] * len(form))
    return "".join(out), origin


def findings_scan(*, text_fields: Mapping[str, str]) -> list[Finding]:
    """Every finding in the named texts (e.g. instruction, context, response), field by field.

    The one entry point for the shared content checks: credentials among them refuse the
    text; personal data is kept only once confirmed fictional or public.
    """
    found: list[Finding] = []
    for field, text in text_fields.items():
        if text:
            found.extend(text_findings(field=field, text=text))
    return found


def credential_messages(
    *, findings: list[Finding], text_fields: Mapping[str, str]
) -> list[tuple[str, str]]:
    """(field, message) for each credential: what a refusal says, never the value."""
    return [
        (
            finding.field,
            f"{finding.label} at {finding.position(text_fields[finding.field])}: credentials "
            "are never accepted. Remove it (a made-up example must not look like a real key).",
        )
        for finding in findings
        if finding.category == CREDENTIAL
    ]
