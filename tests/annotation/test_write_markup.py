"""Guidelines are Markdown written by admins; the editor shows them sanitized."""

from django.template import Context, Template

from annotation.markup import markdown_html


def test_markdown_becomes_html():
    html = markdown_html("**Bold**\n\n- one\n- two")
    assert "<strong>Bold</strong>" in html
    assert "<li>one</li>" in html


def test_scripts_handlers_and_javascript_links_are_removed():
    html = markdown_html(
        "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))"
    )
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


def test_links_open_safely():
    assert 'rel="noopener noreferrer"' in markdown_html("[docs](https://example.com)")


def test_template_filter():
    rendered = Template("{% load markup %}{{ text|markdown }}").render(
        Context({"text": "*hi* <b onclick='x()'>there</b>"})
    )
    assert "<em>hi</em>" in rendered
    assert "onclick" not in rendered


def test_empty_text_renders_nothing():
    assert markdown_html("") == ""
