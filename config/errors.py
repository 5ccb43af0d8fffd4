"""Error views that say more than Django's defaults where it helps the person."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.template import loader

from config.encoding import FormNotUtf8

TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 with the reason where it is ours to tell; an over-sized body is 413."""
    if isinstance(exception, TOO_LARGE):
        limit_kb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return _page(request, "413.html", {"limit_kb": limit_kb}, status=413)
    # Other messages (a bad Host header, say) are not for visitors.
    reason = str(exception) if isinstance(exception, FormNotUtf8) else ""
    return _page(request, "400.html", {"reason": reason}, status=400)


def _page(request: HttpRequest, template: str, context: dict, *, status: int) -> HttpResponse:
    # A request refused before authentication ran (a bad Host header) has no user, and
    # the page's context processors need one.
    page = loader.get_template(template).render(
        context, request if hasattr(request, "user") else None
    )
    return HttpResponse(page, status=status)
