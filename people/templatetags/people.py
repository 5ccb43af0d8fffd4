from django import template

from people.accounts import signup_domains
from people.accounts import signup_enabled as _signup_enabled

register = template.Library()


@register.simple_tag
def signup_enabled() -> bool:
    """For pages rendered by allauth's views, which pass no such flag."""
    return _signup_enabled()


@register.simple_tag
def signup_domain_list() -> list[str]:
    return signup_domains()
