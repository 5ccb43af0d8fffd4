"""A world of objects owned by different people in two datasets, built once per module.

Every object's text carries a unique marker (``SECRET-<key>-<hex>``), so a test can tell
whether a response leaked it. The world is created inside a transaction that is rolled
back when the module ends; each test runs in its own savepoint on top of it, so what one
test changes is gone before the next one starts.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.test import Client, override_settings

from annotation.findings import Finding as Found
from annotation.flags import findings_record
from annotation.licence import licence_accept
from annotation.models import (
    Assignment,
    AuditEvent,
    Category,
    Dataset,
    Draft,
    Finding,
    LicenceAcceptance,
    OpenPrompt,
    Pair,
    Revision,
)
from annotation.roles import ADMIN, CONTRIBUTOR, REVIEWER
from annotation.seeding import dataset_seed_dolly
from annotation.workflow import S
from exports.building import release_build
from exports.models import Release, ReleaseFile
from exports.services import release_create
from people.invites import invite_link
from review.models import EditProposal, InProgress, Lease, Review
from tests.factories import make_pair, make_user, unique_token
from tests.review.conftest import decide, edited, lease, lease_edit

PERSONAS = ("anon", "carol", "alice", "dan", "bob", "rita", "ada")

# Everything a refused request must leave exactly as it was.
WATCHED: tuple[type[models.Model], ...] = (
    Pair,
    Draft,
    Revision,
    Review,
    Lease,
    EditProposal,
    InProgress,
    AuditEvent,
    OpenPrompt,
    Assignment,
    LicenceAcceptance,
    Release,
    ReleaseFile,
    Dataset,
    Category,
    Finding,
)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every watched table (the world is small), plus the user accounts.

    Plain SQL: this runs twice per matrix case, and the ORM's query compiling would be
    most of the suite's time.
    """
    rows = {}
    with connection.cursor() as cursor:
        for model in WATCHED:
            table, pk = model._meta.db_table, model._meta.pk.column
            cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")  # noqa: S608 - our names
            rows[model.__name__] = cursor.fetchall()
        columns = "id, username, password, is_active, is_staff"
        cursor.execute(f"SELECT {columns} FROM {User._meta.db_table} ORDER BY id")  # noqa: S608
        rows["User"] = cursor.fetchall()
    return rows


def csp_problems(response) -> list[str]:
    """Why the response's Content-Security-Policy would let injected script run, if it would."""
    header = response.get("Content-Security-Policy")
    if not header:
        return ["no Content-Security-Policy header"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    problems = []
    scripts = directives.get("script-src", directives.get("default-src"))
    if scripts != ["'self'"]:
        problems.append(f"script-src is {scripts}")
    for bad in ("'unsafe-inline'", "'unsafe-eval'", "*"):
        if bad in header.split():
            problems.append(f"{bad} in the policy")
    return problems


@contextmanager
def rolled_back():
    """A transaction that is always undone: module data that never reaches other modules."""
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        yield
    finally:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@dataclass
class World:
    users: dict[str, User]
    objects: dict[str, models.Model] = field(default_factory=dict)
    markers: dict[str, str] = field(default_factory=dict)

    def marker(self, key: str) -> str:
        return self.markers.setdefault(key, f"SECRET-{key}-{unique_token(10)}")

    def __getitem__(self, key: str) -> models.Model:
        return self.objects[key]

    sessions: dict[str, str] = field(default_factory=dict)
    invite_link: str = ""

    def sign_in_everyone(self) -> None:
        """One session per persona, made with the world, so tests need not sign in."""
        for persona in PERSONAS[1:]:
            client = Client()
            client.force_login(self.users[persona])
            self.sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value

    def client(self, persona: str, **kwargs) -> Client:
        client = Client(**kwargs)
        if persona != "anon":
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona]
        return client

    def leaked(self, content: bytes) -> list[str]:
        """The markers found in ``content``."""
        text = content.decode("utf-8", errors="replace")
        return [marker for marker in self.markers.values() if marker in text]


def _text(world: World, key: str) -> dict[str, str]:
    marker = world.marker(key)
    return {
        "instruction": f"What does {marker} tell a careful reader about this pair?",
        "response": f"It tells them that {marker} belongs to one pair only, and why.",
    }


def _pair(world: World, key: str, *, author: str, category: Category, status: str) -> Pair:
    pair = make_pair(
        author=world.users[author], category=category, status=status, **_text(world, key)
    )
    world.objects[key] = pair
    return pair


def _prompt(world: World, key: str, *, author: str, category: Category) -> OpenPrompt:
    prompt = OpenPrompt.objects.create(
        dataset=category.dataset,
        category=category,
        author=world.users[author],
        instruction=f"Who asked {world.marker(key)} and what would they like to know?",
    )
    world.objects[key] = prompt
    return prompt


def build_world() -> World:
    users = {
        "alice": make_user("alice", CONTRIBUTOR),
        "dan": make_user("dan", CONTRIBUTOR),
        "bob": make_user("bob", REVIEWER),
        "rita": make_user("rita", REVIEWER),
        "ada": make_user("ada", ADMIN, is_staff=True),
        "carol": make_user("carol"),
    }
    world = World(users=users)
    dolly = dataset_seed_dolly()
    wiki = dataset_seed_dolly(slug="wiki", name="Wiki")
    world.objects.update(dolly=dolly, wiki=wiki)
    for name in ("alice", "dan"):
        for dataset in (dolly, wiki):
            licence_accept(user=users[name], dataset=dataset)
    a_open = dolly.categories.get(slug="open_qa")
    b_open = wiki.categories.get(slug="open_qa")

    # Pairs in several statuses, alice's and dan's, in both datasets.
    _pair(world, "alice_draft", author="alice", category=a_open, status=S.DRAFT)
    _pair(world, "dan_draft", author="dan", category=a_open, status=S.DRAFT)
    _pair(world, "alice_free", author="alice", category=a_open, status=S.SUBMITTED)
    _pair(world, "dan_free", author="dan", category=a_open, status=S.SUBMITTED)
    _pair(world, "alice_changes", author="alice", category=a_open, status=S.CHANGES_REQUESTED)
    _pair(world, "alice_rejected", author="alice", category=a_open, status=S.REJECTED)
    _pair(world, "alice_approved", author="alice", category=a_open, status=S.APPROVED)
    _pair(world, "dan_approved", author="dan", category=a_open, status=S.APPROVED)
    _pair(world, "dan_draft_b", author="dan", category=b_open, status=S.DRAFT)
    _pair(world, "dan_approved_b", author="dan", category=b_open, status=S.APPROVED)

    # Edit proposals by bob: one that rita holds, one that nobody holds.
    for key, holder in (("bob_edit", "rita"), ("bob_edit_free", None)):
        pair = _pair(world, f"{key}_pair", author="dan", category=a_open, status=S.SUBMITTED)
        response = f"An edited answer: {world.marker(key)} is what the reviewer proposed."
        decide(pair, users["bob"], "approve_with_edit", edit=edited(pair, response=response))
        proposal = EditProposal.objects.get(pair=pair)
        if holder:
            lease_edit(proposal, users[holder])
        proposal.refresh_from_db()
        world.objects[key] = proposal

    # Leases, one per reviewer (so after bob's decisions above): bob holds one of alice's
    # pairs, rita one of dan's in the other dataset.
    lease(
        _pair(world, "alice_held_bob", author="alice", category=a_open, status=S.SUBMITTED),
        users["bob"],
    )
    lease(
        _pair(world, "dan_held_rita", author="dan", category=b_open, status=S.SUBMITTED),
        users["rita"],
    )

    # Open prompts: alice's, dan's in each dataset, and one already taken.
    _prompt(world, "alice_prompt", author="alice", category=a_open)
    _prompt(world, "dan_prompt", author="dan", category=a_open)
    _prompt(world, "dan_prompt_b", author="dan", category=b_open)
    taken = _prompt(world, "dan_prompt_taken", author="dan", category=a_open)
    OpenPrompt.objects.filter(pk=taken.pk).update(status=OpenPrompt.Status.TAKEN)
    taken.refresh_from_db()

    # A ready release of each dataset (both are v1).
    for key, dataset in (("release_a", dolly), ("release_b", wiki)):
        release = release_create(
            dataset=dataset, by=users["ada"], notes=world.marker(key), test_fraction=0.1
        )
        release_build(release_id=release.pk)
        release.refresh_from_db()
        assert release.state == Release.State.READY, release.error
        world.objects[key] = release

    # Unconfirmed findings (as an import leaves them) on a pair under review, on one held by
    # bob and on an approved one; made after the releases, which would leave the approved
    # pair out.
    findings = (
        ("finding_review", "alice_free"),
        ("finding_held", "alice_held_bob"),
        ("finding_approved", "dan_approved"),
    )
    for key, pair_key in findings:
        revision = world[pair_key].current_revision
        start = revision.response.index(world.marker(pair_key))
        found = Found(field="response", kind="phone", start=start, end=start + 10)
        world.objects[key] = findings_record(revision=revision, found=[found])[0]

    # A pending invitation (the invitee has no password yet).
    invitee = User.objects.create(username="newcomer", email="newcomer@example.com")
    invitee.set_unusable_password()
    invitee.save()
    world.users["newcomer"] = invitee
    world.invite_link = invite_link(invitee)
    world.sign_in_everyone()
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), rolled_back(), override_settings(MEDIA_ROOT=media):
        yield build_world()


@pytest.fixture
def signup_open(settings) -> None:
    settings.SIGNUP_EMAIL_DOMAINS = ["example.com"]
