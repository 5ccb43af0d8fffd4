from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


class FormNotUtf8(BadRequest):
    """A url-encoded form body with raw bytes that are not UTF-8."""


class NulInAddress(BadRequest):
    """A path or query string with a NUL character, which no text column can hold."""


class FormEncodingMiddleware:
    """Refuse url-encoded form posts whose raw bytes are not UTF-8, before a view reads them.

    Browsers %-encode every byte of a form, and a bad %-escape arrives as U+FFFD, which
    the forms' text checks refuse beside the field. Raw bytes that are not UTF-8 make
    Django decode the whole body as Latin-1 instead, and the mangled text would be saved
    as if someone had typed it: such a request is refused whole, changing nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # PostgreSQL refuses NUL in a text value: a filter given one (the admin's lists
        # pass theirs straight to the database), or a path part some view looks up as it
        # is (allauth's OIDC provider id), would fail with a 500.
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query or "\x00" in request.path_info:
            raise NulInAddress("The address holds a NUL character.")
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            try:
                request.body.decode("utf-8")
            except UnicodeDecodeError as error:
                raise FormNotUtf8("The form was sent in an encoding other than UTF-8.") from error
        return self.get_response(request)
