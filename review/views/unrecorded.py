"""The page for a decision that recorded nothing, with what the reviewer typed to copy."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def not_recorded(
    request: HttpRequest, *, what: str, kept: list[tuple[str, str]], status: int, why: str = ""
) -> HttpResponse:
    """Why nothing was recorded (by default: the lease on the ``what``, "pair" or "edit",
    ran out), and each (label, text) the reviewer typed, so that none of it is lost."""
    context = {
        "kept": [(label, text) for label, text in kept if text.strip()],
        "what": what,
        "minutes": settings.HANDWRITTEN_CLAIM_MINUTES,
        "heading": "Not recorded" if why else "",
        "why": why,
    }
    return render(request, "review/expired.html", context, status=status)


def not_held(request: HttpRequest, *, what: str, kept: list[tuple[str, str]]) -> HttpResponse:
    """A decision from someone who does not hold the item: not found, as for a page, but
    with their text back (a lease that ran out and went to another reviewer is gone)."""
    why = (
        f"You do not hold this {what} (another reviewer may take it once a hold runs out); "
        "nothing was recorded."
    )
    return not_recorded(request, what=what, kept=kept, status=404, why=why)
