from urllib.parse import urlsplit

from django import template
from django.utils.safestring import SafeString

from annotation.markup import markdown_html

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """``{{ category.guidelines|markdown }}``: Markdown to sanitized HTML."""
    return markdown_html(text)


@register.filter
def http_url(value: str) -> str:
    """``value`` if it is an http(s) address, else "": only those become links."""
    try:
        scheme = urlsplit(value or "").scheme.lower()
    except ValueError:
        return ""
    return value if scheme in ("http", "https") else ""
