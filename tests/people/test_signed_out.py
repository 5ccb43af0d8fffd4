"""A request whose session ended, on a page behind a role: where it leads."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.factories import make_pair


@pytest.fixture
def pair(alice, open_qa):
    return make_pair(author=alice, category=open_qa)


def _next(response) -> str:
    return parse_qs(urlsplit(response["Location"]).query)["next"][0]


def test_a_page_leads_to_sign_in_and_back(client, db):
    response = client.get(reverse("review:queue") + "?dataset=dolly")
    assert response.status_code == 302
    assert _next(response) == "/review/?dataset=dolly"


def test_a_form_sent_after_the_session_ended_leads_back_to_its_page(client, pair):
    page = reverse("review:pair", args=[pair.public_id])
    response = client.post(
        reverse("review:decide", args=[pair.public_id]),
        {"decision": "approve", "comment": "Kept in the browser"},
        headers={"Referer": f"http://testserver{page}?from=queue"},
    )
    # Not to the decision's address, which answers POST only.
    assert _next(response) == f"{page}?from=queue"


@pytest.mark.parametrize("referer", ["", "https://evil.example/review/", "javascript:alert(1)"])
def test_a_form_from_elsewhere_leads_home(client, pair, referer):
    response = client.post(
        reverse("review:decide", args=[pair.public_id]), headers={"Referer": referer}
    )
    assert _next(response) == "/"


def test_htmx_gets_a_401_not_the_login_page(client, pair):
    response = client.post(
        reverse("review:heartbeat", args=[pair.public_id]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 401
    assert b"<html" not in response.content
