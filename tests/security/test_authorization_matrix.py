"""Every URL × every persona × own, someone else's and made-up objects.

ROUTES names each URL of the project (checked against the URL resolver, so a new URL
without an entry fails), what role it needs, and for each object it is tried on, who may
act on it. Everybody else is refused (sign-in for anonymous visitors, 403 without the
role, 404 for an object that is not theirs) and the refusal changes nothing in the
database and shows none of the world's secret text. Those who may act get an answer that
is not a refusal, and a page about the object shows its text (proving the leak check
sees what it looks for).

The classes of IDOR found in Label Studio and doccano each have rows here: another
project's items by id (a release of dataset B under dataset A's slug; a pair of dataset
B held by bob, decided through the URLs), changing another user's annotation (alice's
URLs with dan's pairs: autosave, submit, skip, withdraw), and exporting another project
(release files and zips; the moderation CSV for non-admins).
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import PASSWORD, unique_token
from tests.security.conftest import PERSONAS, World, csp_problems, snapshot

pytestmark = pytest.mark.django_db

CONTRIBUTORS = frozenset({"alice", "dan"})
REVIEWERS = frozenset({"bob", "rita"})
ADMINS = frozenset({"ada"})
SIGNED_IN = frozenset(PERSONAS) - {"anon"}
EVERYONE = frozenset(PERSONAS)
NOBODY = frozenset()
ROLE_HOLDERS = {
    "public": EVERYONE,
    "signed_in": SIGNED_IN,
    "contributor": CONTRIBUTORS,
    "reviewer": REVIEWERS,
    "admin": ADMINS,
    "insights": REVIEWERS | ADMINS,
    "member": CONTRIBUTORS | REVIEWERS | ADMINS,
}
# Django's own admin has its own staff check and its own tests.
NOT_IN_MATRIX = {"admin"}

Kwargs = Callable[[World, str | None], dict]
Data = Callable[[World, str | None, str], dict]


def none(world: World, key: str | None) -> dict:
    return {}


def nothing(world: World, key: str | None, persona: str) -> dict:
    return {}


def public_id(world: World, key: str | None) -> dict:
    return {"public_id": world[key].public_id if not key.startswith("unknown") else uuid.uuid4()}


def release_ref(world: World, key: str | None) -> dict:
    """``release_b@dolly``: release B's id under dataset A's slug, and so on."""
    name, _, slug = key.partition("@")
    if name == "unknown":
        return {"slug": slug, "ref": "v99"}
    release = world[name]
    as_id = slug and slug != release.dataset.slug
    return {"slug": slug or release.dataset.slug, "ref": str(release.pk) if as_id else release.ref}


def release_file(world: World, key: str | None) -> dict:
    return release_ref(world, key) | {"name": "dolly.jsonl"}


def dataset_slug(name: str) -> Kwargs:
    return lambda world, key: {name: key}


def invite(world: World, key: str | None) -> dict:
    """The newcomer's link; a made-up one; the newcomer's id with a token made for carol."""
    uidb64, token = world.invite_link.rstrip("/").split("/")[-2:]
    if key == "valid_invite":
        return {"uidb64": uidb64, "token": token}
    if key == "mixed_invite":
        return {"uidb64": uidb64, "token": default_token_generator.make_token(world.users["carol"])}
    return {"uidb64": "MTIzNDU", "token": "forged-token"}


def pair_text(world: World, key: str | None, persona: str) -> dict:
    """Text that would save (and submit) if the request were allowed."""
    draft = world[key].draft if not key.startswith("unknown") else None
    return {
        "instruction": f"An intruder's question number {unique_token(32)}?",
        "context": "",
        "source_url": "",
        "response": "An intruder's answer that would replace the author's.",
        "version": draft.version if draft else 0,
    }


def finding_ref(world: World, key: str | None) -> dict:
    if key.startswith("unknown"):
        return {"public_id": world["alice_held_bob"].public_id, "pk": 10**9}
    return {"public_id": world[key].revision.pair.public_id, "pk": world[key].pk}


def decision(world: World, key: str | None, persona: str) -> dict:
    revision = world[key].current_revision if not key.startswith("unknown") else None
    return {"decision": "approve", "revision": revision.number if revision else 1}


NOT_FOUND = frozenset({404})
# Refused with a message and a redirect, changing nothing (e.g. releasing a claim one does
# not hold, answering one's own question); unknown ids are still 404.
NO_OP = frozenset({302, 404})


@dataclass(frozen=True)
class Route:
    access: str
    methods: tuple[str, ...]
    # Object key (None: the URL names no object) → personas who may act on it.
    objects: dict[str | None, frozenset[str]] = field(default_factory=lambda: {None: EVERYONE})
    kwargs: Kwargs = none
    data: Data = nothing
    # What someone holding the role gets for an object that is not theirs.
    refused: frozenset[int] = NOT_FOUND
    # An allowed GET shows the object's secret text.
    shows: bool = False


PAIR_WRITE = {"alice_draft": {"alice"}, "dan_draft": {"dan"}, "unknown_pair": NOBODY}
PAIR_OWN = {"alice_free": {"alice"}, "dan_free": {"dan"}, "unknown_pair": NOBODY}
HELD = {
    "alice_held_bob": {"bob"},
    "dan_held_rita": {"rita"},
    "dan_free": NOBODY,
    "alice_draft": NOBODY,
    "unknown_pair": NOBODY,
}
EDITS = {"bob_edit": {"rita"}, "bob_edit_free": NOBODY, "unknown_edit": NOBODY}
ANY_PAIR = {"alice_free": ADMINS, "dan_free": ADMINS, "unknown_pair": NOBODY}
RELEASES = {
    "release_a": ADMINS,
    "release_b": ADMINS,
    "release_b@dolly": NOBODY,
    "release_a@wiki": NOBODY,
    "unknown@dolly": NOBODY,
}

ROUTES: dict[str, Route] = {
    "login": Route(
        "public",
        ("get", "post"),
        data=lambda w, k, persona: {"login": "alice", "password": PASSWORD},
    ),
    "logout": Route("public", ("post",)),
    # Contributor pages.
    "annotation:home": Route("signed_in", ("get",)),
    "annotation:write": Route("contributor", ("get",)),
    "annotation:edit_pair": Route(
        "contributor", ("get",), PAIR_WRITE, kwargs=public_id, shows=True
    ),
    "annotation:autosave": Route(
        "contributor", ("post",), PAIR_WRITE, kwargs=public_id, data=pair_text
    ),
    "annotation:submit": Route(
        "contributor", ("post",), PAIR_WRITE, kwargs=public_id, data=pair_text
    ),
    "annotation:near_duplicates": Route(
        "contributor",
        ("post",),
        PAIR_WRITE,
        kwargs=public_id,
        data=lambda w, k, p: {"instruction": "Why is the sky blue at noon?"},
    ),
    "annotation:skip": Route(
        "contributor",
        ("post",),
        PAIR_WRITE,
        kwargs=public_id,
        data=lambda w, k, p: {"reason": "no_idea"},
    ),
    "annotation:choose": Route(
        "contributor",
        ("post",),
        PAIR_WRITE,
        kwargs=public_id,
        data=lambda w, k, p: {"category": "closed_qa"},
    ),
    "annotation:licence": Route(
        "contributor",
        ("get", "post"),
        {"dolly": CONTRIBUTORS, "wiki": CONTRIBUTORS, "nope": NOBODY},
        kwargs=dataset_slug("dataset"),
        data=lambda w, k, p: {"agree": "on"},
    ),
    "annotation:open_prompts": Route("contributor", ("get",)),
    "annotation:ask": Route(
        "contributor",
        ("get", "post"),
        data=lambda w, k, p: {
            "dataset": "dolly",
            "category": w["dolly"].categories.get(slug="open_qa").pk,
            "instruction": f"A new question for someone else {unique_token(32)}?",
        },
    ),
    "annotation:answer": Route(
        "contributor",
        ("post",),
        {
            "dan_prompt": {"alice"},
            "dan_prompt_b": {"alice"},
            "alice_prompt": {"dan"},
            "dan_prompt_taken": NOBODY,
            "unknown_prompt": NOBODY,
        },
        kwargs=public_id,
        refused=NO_OP,
    ),
    "annotation:my_pairs": Route("contributor", ("get",)),
    "annotation:pair_detail": Route(
        "signed_in",
        ("get",),
        {
            "alice_draft": {"alice"},
            "alice_approved": {"alice"},
            "dan_free": {"dan"},
            "dan_approved_b": {"dan"},
            "unknown_pair": NOBODY,
        },
        kwargs=public_id,
        shows=True,
    ),
    "annotation:withdraw": Route("signed_in", ("post",), PAIR_OWN, kwargs=public_id),
    "account_signup": Route(
        "public",
        ("get", "post"),
        data=lambda w, k, p: {
            "username": "newbie",
            "email": "newbie@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    ),
    "people:profile": Route(
        "signed_in", ("get", "post"), data=lambda w, k, p: {"leaderboard_opt_out": "on"}
    ),
    "people:invite": Route(
        "admin",
        ("get", "post"),
        data=lambda w, k, p: {"emails": "someone.new@example.com", "roles": "contributor"},
    ),
    "people:accept_invite": Route(
        "public",
        ("get", "post"),
        {"valid_invite": EVERYONE, "forged_invite": NOBODY, "mixed_invite": NOBODY},
        kwargs=invite,
        data=lambda w, k, p: {"new_password1": PASSWORD, "new_password2": PASSWORD},
        refused=frozenset({400}),
    ),
    # Confirming a finding fictional or public: the reviewer holding the pair under review
    # (admins confirm in Django's admin); anyone else is told nothing.
    "review:confirm_finding": Route(
        "reviewer",
        ("post",),
        {
            "finding_held": {"bob"},
            "finding_review": NOBODY,
            "finding_approved": NOBODY,
            "unknown_finding": NOBODY,
        },
        kwargs=finding_ref,
    ),
    # Review queue.
    "review:queue": Route("reviewer", ("get",)),
    "review:next": Route("reviewer", ("post",)),
    "review:pair": Route("reviewer", ("get",), HELD, kwargs=public_id, shows=True),
    "review:decide": Route("reviewer", ("post",), HELD, kwargs=public_id, data=decision),
    "review:heartbeat": Route("reviewer", ("post",), HELD, kwargs=public_id),
    # Releasing a claim one does not hold is a no-op that goes back to the queue.
    "review:release": Route(
        "reviewer",
        ("post",),
        {"alice_held_bob": {"bob"}, "dan_held_rita": {"rita"}, "unknown_pair": NOBODY},
        kwargs=public_id,
        refused=NO_OP,
    ),
    # Edit queue.
    "review:edits": Route("reviewer", ("get",)),
    "review:edit_next": Route("reviewer", ("post",)),
    "review:edit": Route("reviewer", ("get",), EDITS, kwargs=public_id, shows=True),
    "review:edit_decide": Route(
        "reviewer",
        ("post",),
        EDITS,
        kwargs=public_id,
        data=lambda w, k, p: {"decision": "accept"},
    ),
    "review:edit_heartbeat": Route("reviewer", ("post",), EDITS, kwargs=public_id),
    "review:edit_release": Route("reviewer", ("post",), EDITS, kwargs=public_id, refused=NO_OP),
    # Moderation.
    "review:moderate": Route("admin", ("get",)),
    "review:moderate_csv": Route("admin", ("get",)),
    "review:moderate_pair": Route("admin", ("get",), ANY_PAIR, kwargs=public_id, shows=True),
    "review:moderate_reopen": Route(
        "admin",
        ("post",),
        {"alice_rejected": ADMINS, "unknown_pair": NOBODY},
        kwargs=public_id,
        data=lambda w, k, p: {"reason": "Looked again."},
    ),
    "review:moderate_retract": Route(
        "admin",
        ("post",),
        {"alice_approved": ADMINS, "unknown_pair": NOBODY},
        kwargs=public_id,
        data=lambda w, k, p: {"reason": "Personal data."},
    ),
    "review:moderate_bulk": Route(
        "admin",
        ("post",),
        data=lambda w, k, p: {"action": "note", "selection": "all", "text": "Seen."},
    ),
    "review:moderate_bulk_result": Route(
        "admin", ("get",), {"unknown_bulk": NOBODY}, kwargs=public_id
    ),
    # Releases.
    "exports:datasets": Route("admin", ("get",)),
    "exports:releases": Route(
        "admin",
        ("get", "post"),
        {"dolly": ADMINS, "wiki": ADMINS, "nope": NOBODY},
        kwargs=dataset_slug("slug"),
        data=lambda w, k, p: {"test_fraction": "0.1"},
    ),
    "exports:release": Route("admin", ("get",), RELEASES, kwargs=release_ref, shows=True),
    "exports:restart": Route("admin", ("post",), RELEASES, kwargs=release_ref),
    "exports:file": Route("admin", ("get",), RELEASES, kwargs=release_file),
    "exports:zip": Route("admin", ("get",), RELEASES, kwargs=release_ref),
    # Insights (reviewers and admins) and the leaderboard (anyone with a role).
    "review:insights_index": Route("insights", ("get",)),
    "review:insights": Route(
        "insights",
        ("get",),
        {"dolly": REVIEWERS | ADMINS, "wiki": REVIEWERS | ADMINS, "nope": NOBODY},
        kwargs=dataset_slug("slug"),
    ),
    "review:insights_json": Route(
        "insights",
        ("get",),
        {"dolly": REVIEWERS | ADMINS, "wiki": REVIEWERS | ADMINS, "nope": NOBODY},
        kwargs=dataset_slug("slug"),
    ),
    "leaderboard:index": Route("member", ("get",)),
    "leaderboard:board": Route(
        "member",
        ("get",),
        {
            "dolly": CONTRIBUTORS | REVIEWERS | ADMINS,
            "wiki": CONTRIBUTORS | REVIEWERS | ADMINS,
            "nope": NOBODY,
        },
        kwargs=dataset_slug("slug"),
    ),
}


def expected(route: Route, key: str | None, persona: str) -> str | frozenset[int]:
    """ "ok", "login", or the status codes a refusal may have."""
    if persona == "anon" and route.access != "public":
        return "login"
    if persona not in ROLE_HOLDERS[route.access]:
        return frozenset({403})
    if persona in route.objects[key]:
        return "ok"
    return route.refused


def _cases(*, allowed: bool):
    """Each persona who may act, one test each (they change things); and per URL, method
    and object, one test that tries every persona who may not (they must change nothing)."""
    for name, route in ROUTES.items():
        for method in route.methods:
            for key in route.objects:
                ok = [p for p in PERSONAS if expected(route, key, p) == "ok"]
                if allowed:
                    for persona in ok:
                        yield pytest.param(
                            name, method, key, persona, id=f"{name}-{method}-{key}-{persona}"
                        )
                else:
                    refused = tuple(p for p in PERSONAS if p not in ok)
                    yield pytest.param(name, method, key, refused, id=f"{name}-{method}-{key}")


ALLOWED = list(_cases(allowed=True))
REFUSED = list(_cases(allowed=False))


def new_text(response) -> str:
    """The page as it reads after an edit: word diffs without their deleted words."""
    html = re.sub(r"<del>.*?</del>", "", response.content.decode(), flags=re.S)
    return html.replace("<ins>", "").replace("</ins>", "")


def _named_urls(resolver=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_the_matrix_covers_every_named_url():
    # allauth's own pages (email management, password reset, SSO callbacks...) check their
    # own access; the matrix covers the ones this site links to or changes.
    allauth = _named_urls(get_resolver("allauth.urls")) - {"account_signup"}
    names = {n for n in _named_urls() if n.split(":")[0] not in NOT_IN_MATRIX} - allauth
    assert names == set(ROUTES), {
        "missing from ROUTES": sorted(names - set(ROUTES)),
        "no longer a URL": sorted(set(ROUTES) - names),
    }


def test_every_url_has_a_name():
    def unnamed(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                # allauth's URLs are its own (a few of its social ones are unnamed).
                module = getattr(pattern.urlconf_name, "__name__", pattern.urlconf_name)
                if pattern.namespace not in NOT_IN_MATRIX and module != "allauth.urls":
                    yield from unnamed(pattern, prefix + str(pattern.pattern))
            elif not pattern.name:
                yield prefix + str(pattern.pattern)

    assert list(unnamed(get_resolver())) == []


def _send(world: World, name: str, method: str, key: str | None, persona: str):
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world, key))
    client = world.client(persona)
    if method == "post":
        response = client.post(url, route.data(world, key, persona))
    else:
        response = client.get(url)
    assert response.status_code != 500
    if response.get("Content-Type", "").startswith("text/html"):
        assert csp_problems(response) == []
    return response


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.parametrize(("name", "method", "key", "persona"), ALLOWED)
def test_allowed(world, signup_open, name, method, key, persona):
    route = ROUTES[name]
    response = _send(world, name, method, key, persona)

    assert response.status_code not in (401, 403, 404, 405), response.content[:300]
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("login") + "?next=")
    target = world.objects.get(key.split("@")[0]) if key else None
    if route.shows and method == "get" and target is not None:
        assert world.markers[key] in new_text(response), "the page shows its object"


@pytest.mark.parametrize(("name", "method", "key", "personas"), REFUSED)
def test_refused(world, signup_open, name, method, key, personas):
    route = ROUTES[name]
    target = world.objects.get(key.split("@")[0]) if key else None
    if target is not None:
        target.refresh_from_db()
        fields_before = _fields(target)
    before = snapshot()
    for persona in personas:
        response = _send(world, name, method, key, persona)
        status, outcome = response.status_code, expected(route, key, persona)

        if outcome == "login":
            assert status == 302, persona
            assert response["Location"].startswith(reverse("login") + "?next="), persona
        else:
            assert status in outcome, (persona, status, response.content[:300])
            if status == 302:
                assert not response["Location"].startswith(reverse("login") + "?next=")
        assert snapshot() == before, f"{persona}'s refused request changed the database"
        if target is not None:
            target.refresh_from_db()
            assert _fields(target) == fields_before, persona
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert world.leaked(body) == [], f"{persona}'s refused request showed someone's text"


def test_the_matrix_has_the_size_it_claims():
    tried = sum(len(p.values[3]) for p in REFUSED) + len(ALLOWED)
    everyone = sum(
        len(route.methods) * len(route.objects) * len(PERSONAS) for route in ROUTES.values()
    )
    assert tried == everyone


POST_ONLY = [name for name, route in ROUTES.items() if route.methods == ("post",)]


@pytest.mark.parametrize("name", POST_ONLY)
def test_post_only_urls_refuse_get(world, name):
    route = ROUTES[name]
    key, personas = next(iter(route.objects.items()))
    persona = min(personas & ROLE_HOLDERS[route.access])
    before = snapshot()
    response = world.client(persona).get(reverse(name, kwargs=route.kwargs(world, key)))
    assert response.status_code == 405
    assert snapshot() == before
