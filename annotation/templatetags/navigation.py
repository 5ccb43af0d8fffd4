"""The top bar's "you are here": which section of the main navigation a page belongs to.

Keyed on the resolved URL name, so a page marks its section without saying so itself: the
editor of a pair is under Write, a review page under Review, a release under Releases.
"""

from django import template
from django.urls import ResolverMatch
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# "namespace:name" first, then the namespace alone. Form addresses that answer with their
# page again (a refused decision at .../decide/) belong where that page does.
SECTIONS: dict[str, str] = {
    "annotation:home": "home",
    "annotation:write": "write",
    "annotation:edit_pair": "write",
    "annotation:submit": "write",
    "annotation:skip": "write",
    "annotation:choose": "write",
    "annotation:open_prompts": "questions",
    "annotation:ask": "questions",
    "annotation:answer": "questions",
    "annotation:my_pairs": "pairs",
    "annotation:pair_detail": "pairs",
    "annotation:withdraw": "pairs",
    "leaderboard": "leaderboard",
    "review:queue": "review",
    "review:next": "review",
    "review:pair": "review",
    "review:decide": "review",
    "review:confirm_finding": "review",
    "review:edits": "edits",
    "review:edit_next": "edits",
    "review:edit": "edits",
    "review:edit_decide": "edits",
    "review:insights_index": "insights",
    "review:insights": "insights",
    "review:moderate": "moderate",
    "review:moderate_bulk": "moderate",
    "review:moderate_bulk_result": "moderate",
    "review:moderate_pair": "moderate",
    "review:moderate_reopen": "moderate",
    "review:moderate_retract": "moderate",
    "exports": "releases",
    "people:invite": "people",
    "people:profile": "profile",
}


def section_of(match: ResolverMatch | None) -> str:
    """The section of the page ``match`` resolved to, "" for one outside every section
    (a 404, the sign-in page)."""
    if match is None:
        return ""
    return SECTIONS.get(match.view_name) or SECTIONS.get(match.namespace, "")


@register.simple_tag(takes_context=True)
def current(context: template.Context, section: str) -> SafeString:
    """``<a href="…"{% current "write" %}>``: ``aria-current="page"`` on the link of the
    section the page is in, nothing on the others."""
    request = context.get("request")
    here = section_of(getattr(request, "resolver_match", None))
    return mark_safe(' aria-current="page"') if here == section else mark_safe("")
