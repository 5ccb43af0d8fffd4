"""Stable pseudonymous ids for authors and reviewers in full.jsonl.

Computed here, in Python, and never by the database: a query carrying the map from user
ids to pseudonyms could land in the database's logs, which would undo the pseudonyms.
"""

from django.utils.crypto import salted_hmac


class Pseudonyms(dict[int, str]):
    """HMAC-SHA256 of the user id, keyed from SECRET_KEY, truncated to 16 hex digits.

    A dict that fills itself: a known user (nearly every lookup) costs one dict lookup.
    """

    SALT = "handwritten.exports.pseudonym"

    def __missing__(self, user_id: int) -> str:
        digest = salted_hmac(self.SALT, str(user_id), algorithm="sha256").hexdigest()
        name = self[user_id] = digest[:16]
        return name
