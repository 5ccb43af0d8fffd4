"""One page, or its swappable fragment for htmx: the rule every such view follows."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def render_page(
    request: HttpRequest, template: str, fragment: str, context: dict, status: int = 200
) -> HttpResponse:
    """``template#fragment`` for an htmx swap, the whole page otherwise.

    A history restore (the back button after htmx pushed a URL, with htmx's cache gone)
    is an htmx request that needs the whole page; Vary keeps a cache from serving one
    answer for the other at the same URL.
    """
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(
        request, f"{template}#{fragment}" if partial else template, context, status=status
    )
    patch_vary_headers(response, ["HX-Request"])
    return response
