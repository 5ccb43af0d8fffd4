from django import template

from annotation.templatetags.markup import http_url

register = template.Library()

# One definition for every page that links a source: annotation's pages use it too.
register.filter("http_url", http_url)
