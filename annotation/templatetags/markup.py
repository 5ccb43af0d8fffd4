from django import template
from django.utils.safestring import SafeString

from annotation.markup import markdown_html

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """``{{ category.guidelines|markdown }}``: Markdown to sanitized HTML."""
    return markdown_html(text)
