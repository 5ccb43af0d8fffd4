"""CSRF on every URL that takes a POST: refused without the token, accepted with it.

Each POST of the authorization matrix is sent by someone allowed to send it, from a
client that enforces CSRF checks as a browser's session would: without a token (403,
nothing changed), with the form field from a page, and with the X-CSRFToken header that
htmx sends from ``hx-headers`` on <body>.
"""

import json
import re

import pytest
from django.urls import reverse

from tests.security.conftest import snapshot
from tests.security.test_authorization_matrix import ROLE_HOLDERS, ROUTES

pytestmark = pytest.mark.django_db

HX_HEADERS = re.compile(r"<body hx-headers='([^']*)'")


def _allowed_posts():
    for name, route in ROUTES.items():
        if "post" not in route.methods:
            continue
        key, persona = next(
            (key, min(people & ROLE_HOLDERS[route.access]))
            for key, people in route.objects.items()
            if people & ROLE_HOLDERS[route.access]
        )
        yield pytest.param(name, key, persona, id=name)


POSTS = list(_allowed_posts())


def test_every_post_url_is_covered():
    assert {p.values[0] for p in POSTS} == {n for n, r in ROUTES.items() if "post" in r.methods}


def _request(world, name, key, persona):
    route = ROUTES[name]
    client = world.client(persona, enforce_csrf_checks=True)
    url = reverse(name, kwargs=route.kwargs(world, key))
    return client, url, route.data(world, key, persona)


def _token_from_page(client, persona) -> str:
    """The token as a page gives it to htmx: in ``hx-headers`` on <body>."""
    page = client.get(reverse("login" if persona == "anon" else "annotation:home"))
    headers = json.loads(HX_HEADERS.search(page.content.decode()).group(1))
    return headers["X-CSRFToken"]


@pytest.mark.parametrize(("name", "key", "persona"), POSTS)
def test_a_post_without_the_token_is_refused_and_changes_nothing(
    world, signup_open, name, key, persona
):
    client, url, data = _request(world, name, key, persona)
    client.get(reverse("login"))  # the CSRF cookie is there; only the token is missing
    before = snapshot()
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(("name", "key", "persona"), POSTS)
def test_a_post_with_the_pages_form_token_is_accepted(world, signup_open, name, key, persona):
    client, url, data = _request(world, name, key, persona)
    token = _token_from_page(client, persona)
    response = client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code != 403, response.content[:300]


@pytest.mark.parametrize(("name", "key", "persona"), POSTS)
def test_an_htmx_post_with_the_header_token_is_accepted(world, signup_open, name, key, persona):
    client, url, data = _request(world, name, key, persona)
    token = _token_from_page(client, persona)
    response = client.post(url, data, HTTP_X_CSRFTOKEN=token, HTTP_HX_REQUEST="true")
    assert response.status_code != 403, response.content[:300]


def test_a_token_from_another_session_is_refused(world):
    other = world.client("dan", enforce_csrf_checks=True)
    stolen = _token_from_page(other, "dan")
    client, url, data = _request(world, "annotation:autosave", "alice_draft", "alice")
    own = _token_from_page(client, "alice")  # alice's browser has its own CSRF cookie
    assert own != stolen
    before = snapshot()
    response = client.post(url, data, HTTP_X_CSRFTOKEN=stolen)
    assert response.status_code == 403
    assert snapshot() == before
