"""Markdown written by admins (guidelines), rendered to HTML that is safe to show."""

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe


def markdown_html(text: str) -> SafeString:
    """Render ``text`` as Markdown and strip everything but harmless tags and attributes."""
    html = md.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    return mark_safe(nh3.clean(html))  # noqa: S308 - nh3 has just sanitized it
