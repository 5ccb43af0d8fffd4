"""A visit to an address that only takes a form gets a page of the site with a way back,
not the browser's own error page."""

import pytest
from django.urls import reverse

from tests.review.conftest import lease


@pytest.fixture
def held(bob, submitted):
    lease(submitted, bob)
    return submitted


def decide_url(pair) -> str:
    return reverse("review:decide", args=[pair.public_id])


def test_a_decision_s_address_visited_links_to_the_pair(as_bob, held):
    response = as_bob.get(decide_url(held))
    assert response.status_code == 405 and response["Allow"] == "POST"
    html = response.content.decode()
    assert "Nothing was done." in html
    assert f'href="{reverse("review:pair", args=[held.public_id])}"' in html


@pytest.mark.parametrize(
    ("name", "back"), [("logout", "annotation:home"), ("review:next", "review:queue")]
)
def test_other_form_only_addresses_link_one_level_up(as_bob, name, back):
    response = as_bob.get(reverse(name))
    assert response.status_code == 405
    assert f'href="{reverse(back)}"' in response.content.decode()


def test_htmx_and_other_methods_are_left_as_django_answers(as_bob, held):
    htmx = as_bob.get(decide_url(held), headers={"HX-Request": "true"})
    assert htmx.status_code == 405 and htmx.content == b""
    assert as_bob.put(decide_url(held)).content == b""
