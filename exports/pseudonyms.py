"""Stable pseudonymous ids for authors and reviewers in full.jsonl.

Computed here, in Python, and never by the database: a query carrying the map from user
ids to pseudonyms could land in the database's logs, which would undo the pseudonyms.
"""

from django.utils.crypto import salted_hmac


class Pseudonyms(dict[int | bytes, bytes]):
    """HMAC-SHA256 of the user id, keyed from SECRET_KEY, truncated; as ASCII bytes.

    Keyed by the user id as an int or as its decimal digits (as COPY sends them). A dict
    that fills itself: a known user (nearly every lookup) costs one C dict lookup.
    """

    SALT = "handwritten.exports.pseudonym"

    def __missing__(self, user_id: int | bytes) -> bytes:
        digest = salted_hmac(self.SALT, str(int(user_id)), algorithm="sha256").hexdigest()
        name = self[user_id] = digest[:16].encode("ascii")
        return name

    def __call__(self, user_id: int) -> str:
        return self[user_id].decode("ascii")


class ReviewerLists(dict[bytes, bytes]):
    """A pair's reviewers, from the ids as a database array (``{3,17}``), to the items of
    full.jsonl's "reviewers": each reviewer once, sorted by pseudonym.

    Keyed by the array's text, which repeats across pairs reviewed by the same people.
    """

    def __init__(self, pseudonyms: Pseudonyms) -> None:
        super().__init__()
        self.pseudonyms = pseudonyms

    def __missing__(self, ids: bytes) -> bytes:
        inside = ids.strip(b"{}")
        names = sorted({self.pseudonyms[int(i)] for i in inside.split(b",")} if inside else ())
        listed = self[ids] = b", ".join(b'"%s"' % name for name in names)
        return listed


class ReviewCounts(dict[bytes, bytes]):
    """How many ids a database array (``{3,17,3}``) holds, as the digits of a JSON number."""

    def __missing__(self, ids: bytes) -> bytes:
        inside = ids.strip(b"{}")
        count = self[ids] = b"%d" % (inside.count(b",") + 1 if inside else 0)
        return count


def array_text(ids) -> bytes:
    """The database array's text for ``ids``, for the same lookup as COPY's rows."""
    return b"{%s}" % b",".join(b"%d" % i for i in ids)
