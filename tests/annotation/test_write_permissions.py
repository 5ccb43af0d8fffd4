"""Every URL of the writing flow, for people who may not use it: nothing changes, ever.

anonymous -> sign-in (401 for htmx), carol (no role) -> 403, dan on alice's pair -> 404.
GET on a POST-only URL is 405 for anyone signed in, before any lookup: it tells nothing.
"""

import pytest
from django.test import Client
from django.urls import reverse

from annotation.models import (
    Assignment,
    AuditEvent,
    Draft,
    LicenceAcceptance,
    OpenPrompt,
    Pair,
    Revision,
)
from annotation.prompts import prompt_ask
from annotation.workflow import S
from tests.annotation.writing_helpers import HTMX, accept_licence
from tests.factories import make_pair

PAIR_URLS = ["annotation:edit_pair", "annotation:autosave", "annotation:submit", "annotation:skip"]
POST_ONLY = {"annotation:autosave", "annotation:submit", "annotation:skip", "annotation:answer"}


@pytest.fixture
def world(alice, dan, open_qa):
    """Alice's draft pair and open question; both contributors accepted the licence."""
    accept_licence(alice, dan, dataset=open_qa.dataset)
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    prompt = prompt_ask(by=alice, category=open_qa, instruction="What is a light year, exactly?")
    return {"pair": pair, "prompt": prompt}


def all_urls(world) -> list[tuple[str, str]]:
    pair, prompt = world["pair"], world["prompt"]
    urls = [(name, reverse(name, args=[pair.public_id])) for name in PAIR_URLS]
    urls += [
        ("annotation:write", reverse("annotation:write")),
        ("annotation:licence", reverse("annotation:licence", args=["dolly"])),
        ("annotation:open_prompts", reverse("annotation:open_prompts")),
        ("annotation:ask", reverse("annotation:ask")),
        ("annotation:answer", reverse("annotation:answer", args=[prompt.public_id])),
    ]
    return urls


POST_DATA = {
    "instruction": "Changed by someone who may not.",
    "response": "Changed response.",
    "version": 1,
    "reason": "no_idea",
    "agree": "on",
    "category": "1",
    "dataset": "dolly",
}


def snapshot() -> dict:
    return {
        "pairs": list(Pair.objects.values_list("pk", "status", "current_revision", "prompt")),
        "drafts": list(Draft.objects.values_list("pk", "instruction", "response", "version")),
        "revisions": Revision.objects.count(),
        "assignments": list(Assignment.objects.values_list("pk", "outcome", "skip_reason")),
        "prompts": list(OpenPrompt.objects.values_list("pk", "status", "taken_by")),
        "licences": LicenceAcceptance.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_sign_in(world, method):
    before = snapshot()
    for name, url in all_urls(world):
        response = getattr(Client(), method)(url, POST_DATA)
        assert response.status_code == 302, name
        assert response.url.startswith("/login/?next="), name
    assert snapshot() == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_htmx_gets_401(world, method):
    before = snapshot()
    for name, url in all_urls(world):
        response = getattr(Client(), method)(url, POST_DATA, **HTMX)
        assert response.status_code == 401, name
        assert "Sign in again" in response.content.decode(), name
    assert snapshot() == before


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("htmx", [False, True])
def test_carol_without_a_role_gets_403(as_carol, world, method, htmx):
    before = snapshot()
    for name, url in all_urls(world):
        response = getattr(as_carol, method)(url, POST_DATA, **(HTMX if htmx else {}))
        assert response.status_code == 403, name
    assert snapshot() == before


@pytest.mark.parametrize("htmx", [False, True])
def test_dan_on_alices_pair_gets_404(as_dan, world, htmx):
    before = snapshot()
    pair = world["pair"]
    headers = HTMX if htmx else {}
    for name in PAIR_URLS:
        url = reverse(name, args=[pair.public_id])
        assert as_dan.post(url, POST_DATA, **headers).status_code == 404, name
        expected = 405 if name in POST_ONLY else 404
        assert as_dan.get(url, **headers).status_code == expected, name
    assert snapshot() == before
    pair.refresh_from_db()
    pair.draft.refresh_from_db()
    assert pair.status == S.DRAFT
    assert pair.draft.instruction != POST_DATA["instruction"]


def test_an_unknown_pair_is_404_too(as_alice, world):
    missing = "00000000-0000-0000-0000-000000000000"
    for name in PAIR_URLS:
        assert as_alice.post(reverse(name, args=[missing]), POST_DATA).status_code == 404
    answer = reverse("annotation:answer", args=[missing])
    assert as_alice.post(answer).status_code == 404


def test_dan_cannot_see_alices_draft_anywhere(as_dan, world):
    draft = world["pair"].draft
    for name, url in all_urls(world):
        if name in POST_ONLY:
            continue
        response = as_dan.get(url)
        assert draft.instruction not in response.content.decode(), name
