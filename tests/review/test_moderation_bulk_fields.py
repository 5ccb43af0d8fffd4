"""The bulk bar's fields that only some actions use are marked with those actions, read off
the one statement of what each action needs, for bulk-fields.js to show and hide them."""

import re

from django.urls import reverse

from review import moderation
from tests.factories import make_pair


def _field(html: str, name: str) -> str:
    """The opening tag of the bulk bar's box for ``name`` (bulk-category, bulk-confirm…)."""
    match = re.search(rf'<div class="bulk-field {name}[" ][^>]*>', html)
    assert match, name
    return match.group(0)


def test_the_category_and_the_confirmation_say_which_actions_use_them(as_ada, alice, open_qa):
    make_pair(author=alice, category=open_qa)
    html = as_ada.get(reverse("review:moderate")).content.decode()
    assert 'data-action-for="move"' in _field(html, "bulk-category")
    assert 'data-action-for="retract"' in _field(html, "bulk-confirm")
    # Fields every action may use are not marked.
    assert "data-action-for" not in _field(html, "bulk-text")
    assert "data-action-for" not in _field(html, "bulk-action")
    # Shown without JavaScript: the script hides what the chosen action does not use.
    assert " hidden" not in _field(html, "bulk-category") + _field(html, "bulk-confirm")
    assert "js/bulk-fields.js" in html


def test_the_marks_follow_what_the_service_says_each_action_needs(
    as_ada, alice, open_qa, monkeypatch
):
    make_pair(author=alice, category=open_qa)
    needs = {**moderation.BULK_NEEDS, "note": {"text": "Write it.", "category": "Where?"}}
    monkeypatch.setattr(moderation, "BULK_NEEDS", needs)
    html = as_ada.get(reverse("review:moderate")).content.decode()
    assert 'data-action-for="move note"' in _field(html, "bulk-category")


def test_a_refused_move_keeps_the_marks_on_the_page_it_comes_back_to(as_ada, alice, open_qa):
    pair = make_pair(author=alice, category=open_qa)
    response = as_ada.post(
        reverse("review:moderate_bulk"),
        {"action": "move", "selection": "selected", "pairs": [pair.public_id]},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-action-for="move"' in _field(html, "bulk-category")
    assert '<option value="move" selected>' in html
