"""The top bar marks the section the page is in, with aria-current, on exactly one link."""

import re

import pytest
from django.urls import get_resolver, reverse

from annotation.templatetags.navigation import SECTIONS
from annotation.workflow import S
from tests.annotation.writing_helpers import accept_licence
from tests.factories import make_pair

CURRENT = re.compile(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>')


def marked(response) -> list[str]:
    assert response.status_code == 200
    return [label.strip() for label in CURRENT.findall(response.content.decode())]


def test_a_contributors_pages_mark_their_section(as_alice, alice, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    pair = make_pair(author=alice, category=open_qa, status=S.SUBMITTED)
    assert marked(as_alice.get(reverse("annotation:home"))) == ["✍ Handwritten"]
    assert marked(as_alice.get(reverse("annotation:my_pairs"))) == ["My pairs"]
    # A page under a section's own page belongs to that section.
    assert marked(as_alice.get(reverse("annotation:pair_detail", args=[pair.public_id]))) == [
        "My pairs"
    ]
    assert marked(as_alice.get(reverse("annotation:open_prompts"))) == ["Answer a question"]
    assert marked(as_alice.get(reverse("people:profile"))) == ["alice"]


def test_the_editor_is_under_write(as_alice, alice, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    assert marked(as_alice.get(reverse("annotation:edit_pair", args=[pair.public_id]))) == ["Write"]


def test_a_reviewers_pages_mark_their_section(as_bob, dolly):
    assert marked(as_bob.get(reverse("review:queue"))) == ["Review"]
    assert marked(as_bob.get(reverse("review:edits"))) == ["Edits"]


def test_an_admins_pages_mark_the_link_inside_the_admin_entry(as_ada, dolly):
    assert marked(as_ada.get(reverse("exports:datasets"))) == ["Releases"]
    assert marked(as_ada.get(reverse("exports:releases", args=[dolly.slug]))) == ["Releases"]
    assert marked(as_ada.get(reverse("people:invite"))) == ["People"]
    assert marked(as_ada.get(reverse("review:insights_index"), follow=True)) == ["Insights"]


def test_the_bars_menus_are_details_that_a_deferred_script_closes(as_ada, dolly):
    # Plain <details> open and close without the script; nav-menu.js adds Escape and a
    # click outside (tests/e2e/test_nav_layout.py), loaded as a file under the CSP.
    html = as_ada.get(reverse("review:queue")).content.decode()
    assert '<details class="menu"><summary>Menu</summary></details>' in html
    assert '<details class="navgroup">' in html
    assert re.search(r'<script src="[^"]*/js/nav-menu\.js" defer></script>', html)


def test_a_page_outside_every_section_marks_nothing(client, as_alice):
    assert marked(client.get(reverse("login"))) == []
    response = as_alice.get("/no-such-page/")
    assert response.status_code == 404
    assert CURRENT.findall(response.content.decode()) == []


@pytest.mark.parametrize("key", sorted(SECTIONS))
def test_every_section_key_names_a_url(key):
    # A renamed URL would quietly stop marking its section.
    namespace, _, name = key.partition(":")
    resolver = get_resolver().namespace_dict[namespace][1]
    assert not name or name in resolver.reverse_dict, key
