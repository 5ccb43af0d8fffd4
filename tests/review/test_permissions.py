"""Who may open which review page: anonymous, carol (no role), alice (contributor),
bob and rita (reviewers), ada (admin only)."""

import pytest
from django.test import Client
from django.urls import reverse

from review.models import EditProposal, Lease
from tests.review.conftest import decide, edited, lease_edit

REVIEWER_PAGES = [
    ("get", "review:queue", None),
    ("post", "review:next", None),
    ("get", "review:edits", None),
    ("post", "review:edit_next", None),
]
ADMIN_PAGES = [("get", "review:moderate", None), ("get", "review:moderate_pair", "pair")]
OBJECT_PAGES = [
    ("get", "review:pair", "pair"),
    ("post", "review:decide", "pair"),
    ("post", "review:heartbeat", "pair"),
    ("post", "review:release", "pair"),
    ("get", "review:edit", "edit"),
    ("post", "review:edit_decide", "edit"),
    ("post", "review:edit_heartbeat", "edit"),
    ("post", "review:edit_release", "edit"),
    ("post", "review:moderate_reopen", "pair"),
    ("post", "review:moderate_retract", "pair"),
]


@pytest.fixture
def objects(bob, submitted):
    decide(submitted, bob, "approve_with_edit", edit=edited(submitted, response="Edited answer."))
    return {"pair": submitted.public_id, "edit": EditProposal.objects.get().public_id}


def call(client: Client, method: str, name: str, arg, objects):
    url = reverse(name, args=[objects[arg]] if arg else [])
    return getattr(client, method)(url)


@pytest.mark.parametrize(("method", "name", "arg"), REVIEWER_PAGES + ADMIN_PAGES + OBJECT_PAGES)
def test_anonymous_is_sent_to_sign_in(client, objects, method, name, arg):
    response = call(client, method, name, arg, objects)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["as_carol", "as_alice", "as_ada"])
@pytest.mark.parametrize(("method", "name", "arg"), REVIEWER_PAGES)
def test_reviewer_pages_refuse_other_roles(request, objects, who, method, name, arg):
    assert call(request.getfixturevalue(who), method, name, arg, objects).status_code == 403


@pytest.mark.parametrize(
    ("who", "method", "name", "arg", "opens"),
    [
        ("as_bob", "get", "review:queue", None, None),
        ("as_bob", "get", "review:edits", None, None),
        # bob reviewed the only pair and proposed the only edit: nothing is left for him.
        ("as_bob", "post", "review:next", None, None),
        ("as_bob", "post", "review:edit_next", None, None),
        ("as_rita", "get", "review:queue", None, None),
        ("as_rita", "get", "review:edits", None, None),
        ("as_rita", "post", "review:next", None, "review:pair"),
        ("as_rita", "post", "review:edit_next", None, "review:edit"),
    ],
)
def test_reviewer_pages_open_for_reviewers(request, objects, who, method, name, arg, opens):
    response = call(request.getfixturevalue(who), method, name, arg, objects)
    if opens is None:
        assert response.status_code == 200
    else:
        kind = "pair" if opens == "review:pair" else "edit"
        assert response.status_code == 302
        assert response.url == reverse(opens, args=[objects[kind]])


@pytest.mark.parametrize("who", ["as_carol", "as_alice", "as_bob", "as_rita"])
@pytest.mark.parametrize(("method", "name", "arg"), ADMIN_PAGES)
def test_moderation_is_for_admins(request, objects, who, method, name, arg):
    assert call(request.getfixturevalue(who), method, name, arg, objects).status_code == 403


@pytest.mark.parametrize(("method", "name", "arg"), ADMIN_PAGES)
def test_moderation_opens_for_ada(as_ada, objects, method, name, arg):
    assert call(as_ada, method, name, arg, objects).status_code == 200


@pytest.mark.parametrize("who", ["as_carol", "as_alice"])
@pytest.mark.parametrize(("method", "name", "arg"), OBJECT_PAGES)
def test_object_pages_refuse_people_without_the_role(request, objects, who, method, name, arg):
    assert call(request.getfixturevalue(who), method, name, arg, objects).status_code == 403


@pytest.mark.parametrize(
    ("method", "name", "arg"), [page for page in OBJECT_PAGES[:8] if "release" not in page[1]]
)
def test_reviewer_without_a_lease_gets_404(as_rita, objects, method, name, arg):
    # rita holds neither the pair nor the edit (and bob, the proposer, never may).
    assert call(as_rita, method, name, arg, objects).status_code == 404


@pytest.mark.parametrize("name", ["review:release", "review:edit_release"])
def test_releasing_what_one_does_not_hold_changes_nothing(as_rita, bob, objects, name):
    lease_edit(EditProposal.objects.get(), bob)
    arg = "edit" if name == "review:edit_release" else "pair"
    assert call(as_rita, "post", name, arg, objects).status_code == 302
    assert Lease.objects.get(proposal=EditProposal.objects.get()).holder == bob


def test_unknown_ids_are_404(as_bob, as_ada):
    unknown = "00000000-0000-0000-0000-000000000000"
    assert as_bob.get(reverse("review:pair", args=[unknown])).status_code == 404
    assert as_bob.get(reverse("review:edit", args=[unknown])).status_code == 404
    assert as_ada.get(reverse("review:moderate_pair", args=[unknown])).status_code == 404
