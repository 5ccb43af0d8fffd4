"""Error views that say more than Django's defaults where it helps the person."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.urls import Resolver404, resolve, reverse

from config.encoding import FormNotUtf8

TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 with the reason where it is ours to tell; an over-sized body is 413."""
    if isinstance(exception, TOO_LARGE):
        return too_large(request)
    # Other messages (a bad Host header, say) are not for visitors.
    reason = str(exception) if isinstance(exception, FormNotUtf8) else ""
    return _page(request, "400.html", {"reason": reason}, status=400)


def too_large(request: HttpRequest) -> HttpResponse:
    """413, as a line of text for htmx (the editor shows it inline) or as a page."""
    limit_kb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
    if request.headers.get("HX-Request") == "true":
        message = (
            f"Not saved: this is larger than this site accepts ({limit_kb} KB per request). "
            "Shorten the text; nothing was changed."
        )
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
    return _page(request, "413.html", {"limit_kb": limit_kb}, status=413)


class TooLargeMiddleware:
    """Answer an over-sized form with 413 here, the same with DEBUG on or off.

    Django refuses such a body where a view or middleware first reads it; with DEBUG on
    that is its technical 400 page, which htmx's error handling swapped over the whole
    editor, and the editor's copy in the browser replayed the same text on reload.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            # No page takes a file, and Django counts only a form's fields against the
            # limit, streaming file parts to disk: the whole body is held to it here.
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                return too_large(request)
            try:
                request.POST  # noqa: B018 - parsed (and counted) as the views will
            except TOO_LARGE:
                return too_large(request)
        return self.get_response(request)


class FormOnlyMiddleware:
    """A visit to an address that only takes a submitted form gets a page with a way back.

    Such addresses end up in the address bar: a decision the page sent back with an error
    is at .../decide/, and sign-out is in the history. Django answers a visit with an
    empty 405, which a browser shows as its own error page, without the site around it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or request.method != "GET" or response.content:
            return response
        if request.headers.get("HX-Request") == "true":
            return response  # a fragment, which a page would not fit
        page = _page(request, "405.html", {"back": _page_above(request.path)}, status=405)
        page["Allow"] = response.get("Allow", "")
        return page


def _page_above(path: str) -> str:
    """The address one level up (where the form usually is), or home if there is none."""
    above = path.rstrip("/").rsplit("/", 1)[0] + "/"
    try:
        resolve(above)
    except Resolver404:
        return reverse("annotation:home")
    return above


def _page(request: HttpRequest, template: str, context: dict, *, status: int) -> HttpResponse:
    # A request refused before authentication ran (a bad Host header) has no user, and
    # the page's context processors need one.
    page = loader.get_template(template).render(
        context, request if hasattr(request, "user") else None
    )
    return HttpResponse(page, status=status)
