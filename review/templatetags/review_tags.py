from django import template
from django.template.context import Context
from django.template.defaulttags import querystring

from annotation.templatetags.markup import http_url

register = template.Library()

# One definition for every page that links a source: annotation's pages use it too.
register.filter("http_url", http_url)


@register.filter
def audit_words(verb: str) -> str:
    """An audit verb as words for the trail: "pair.request_changes" -> "Pair: request
    changes". Read off the verb itself, so a new verb needs no entry in a second list."""
    subject, _, action = verb.partition(".")
    if not action:
        return verb.replace("_", " ").capitalize()
    return f"{subject.replace('_', ' ').capitalize()}: {action.replace('_', ' ')}"


@register.simple_tag(takes_context=True)
def page_query(context: Context, name: str, number: int) -> str:
    """``{% querystring name=number %}`` with the parameter's name a variable, for a page
    that pages two lists by a parameter each (review/_pager.html)."""
    return querystring(context, **{name: number})
