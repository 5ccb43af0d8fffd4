"""What a reviewer gave back unread this session, so that the queue offers it last.

Giving a pair back and asking for the next one must not hand the same pair back: the
queue takes the oldest first, and a pair given back is still the oldest. The ids live in
the session (a preference of this sitting, not data): at most ``KEPT`` per queue, the
oldest forgotten first.
"""

from django.http import HttpRequest

KEPT = 200


def _key(kind: str) -> str:
    return f"given_back_{kind}"


def given_back_note(request: HttpRequest, *, kind: str, item_id: int) -> None:
    kept = [pk for pk in request.session.get(_key(kind), []) if pk != item_id]
    request.session[_key(kind)] = [*kept, item_id][-KEPT:]


def given_back(request: HttpRequest, *, kind: str) -> list[int]:
    return request.session.get(_key(kind), [])
