from django import template

from annotation.accounts import signup_enabled as _signup_enabled

register = template.Library()


@register.simple_tag
def signup_enabled() -> bool:
    """For pages rendered by Django's own views (sign-in), which pass no such flag."""
    return _signup_enabled()
