"""Script in every text field, rendered on every page that shows it, as each role that sees it.

EVIL holds four classic payloads. It goes into instructions, contexts, responses, source
URLs, review and rejection comments, skip reasons, edit proposals, release notes and
errors, the dataset's name and licence link, a category's name, guidelines (Markdown with
raw HTML and ``javascript:`` links) and examples, and a person's username and names.
Every page must show it as text: no element with an ``on*`` attribute, no ``javascript:``
URL, no inline script, and the strict Content-Security-Policy header on every page.
"""

from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse

from annotation.assignment import assignment_skip
from annotation.drafts import DraftText, draft_save
from annotation.licence import licence_accept
from annotation.models import Category, Dataset, Draft, OpenPrompt, Pair, Revision
from annotation.prompts import prompt_take
from annotation.roles import ADMIN, CONTRIBUTOR, REVIEWER
from annotation.submission import pair_submit
from annotation.workflow import S
from exports.building import release_build
from exports.models import Release
from exports.services import release_create
from people.invites import invite_link
from review.models import EditProposal
from tests.factories import make_pair, make_user
from tests.review.conftest import decide, edited, lease, lease_edit
from tests.security.conftest import csp_problems, rolled_back

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(1)>'
JS_URL = "javascript:alert(1)"
EVIL = f"{SCRIPT} {IMG} {SVG} {JS_URL}"
GUIDELINES = f"""Guidelines {EVIL}

[a markdown link](javascript:alert(1)) and [another](JaVaScRiPt:alert(1))
<a href="javascript:alert(1)">raw link</a> <a href=" javascript:alert(1)">spaced</a>

{SCRIPT}

<div onclick="alert(1)">raw div</div> {IMG}
<iframe src="javascript:alert(1)"></iframe>
"""
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"}
ACTIVE_TAGS = {"svg", "iframe", "object", "embed", "math"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag in ACTIVE_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            squeezed = "".join(ch for ch in (value or "") if ch > " ").lower()
            if name in URL_ATTRIBUTES and squeezed.startswith(("javascript:", "vbscript:")):
                self.problems.append(f"<{tag} {name}={value!r}>")


def html_problems(html: str) -> list[str]:
    """What in ``html`` could run script; empty when the page is inert."""
    problems = [raw for raw in (SCRIPT, IMG, "<svg onload", 'href="javascript:') if raw in html]
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return problems + parser.problems


def assert_inert(response, *, shows: bool = True) -> None:
    assert response.status_code < 500, response.status_code
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    html = response.content.decode()
    assert html_problems(html) == []
    assert csp_problems(response) == []
    if shows:
        # The payload is there, as text: the page really rendered the poisoned data.
        assert escape(SCRIPT) in html or escape(IMG) in html, "the page shows no payload"


# The world: one dataset where everything people write is the payload.


def build_evil() -> dict:
    mallory = make_user("mallory", CONTRIBUTOR, REVIEWER)
    User.objects.filter(pk=mallory.pk).update(
        username=f"m{SCRIPT}"[:150], first_name=EVIL[:150], last_name=IMG
    )
    mallory.refresh_from_db()
    people = {
        "alice": make_user("alice", CONTRIBUTOR),
        "bob": make_user("bob", REVIEWER),
        "rita": make_user("rita", REVIEWER),
        "ada": make_user("ada", ADMIN, is_staff=True),
        "mallory": mallory,
    }
    dataset = Dataset.objects.create(
        name=f"Set {EVIL}", slug="evil", description=EVIL, licence=f"L {SCRIPT}"
    )
    # The admin form only takes http(s) here; the page must not trust that.
    Dataset.objects.filter(pk=dataset.pk).update(licence_url=JS_URL)
    dataset.refresh_from_db()
    category = Category.objects.create(
        dataset=dataset,
        slug="evil_qa",
        name=f"Cat {EVIL}",
        guidelines=GUIDELINES,
        examples=[{"instruction": EVIL, "context": EVIL, "response": EVIL}],
        context_policy=Category.ContextPolicy.OPTIONAL,
        allows_open_prompts=True,
        reviews_required=2,
    )
    for person in ("alice", "mallory"):
        licence_accept(user=people[person], dataset=dataset)

    def pair(author: str, status: str, n: int) -> Pair:
        return make_pair(
            author=people[author],
            category=category,
            status=status,
            instruction=f"Question {n}: {EVIL}",
            context=f"Context {n}: {EVIL}",
            response=f"Answer {n}: {EVIL}",
        )

    objects = {"dataset": dataset, "category": category}
    objects["draft"] = pair("alice", S.DRAFT, 1)
    Draft.objects.filter(pair=objects["draft"]).update(source_url=JS_URL)

    # Sent back with a poisoned comment, revised, resubmitted, and held by bob: his page
    # shows the word diff between the two revisions.
    revised = pair("alice", S.SUBMITTED, 2)
    decide(revised, people["mallory"], "request_changes", comment=f"Please fix {EVIL}")
    revised.refresh_from_db()
    draft = revised.draft
    draft_save(
        pair=revised,
        by=people["alice"],
        text=DraftText(
            instruction=f"Question 2, revised: {EVIL}",
            context=draft.context,
            response=f"A better answer: {SVG} {IMG}",
        ),
        base_version=draft.version,
    )
    pair_submit(pair=revised, by=people["alice"])
    revised.refresh_from_db()
    objects["revised"] = revised

    changes = pair("alice", S.SUBMITTED, 3)
    decide(changes, people["mallory"], "request_changes", comment=f"Change {EVIL}")
    objects["changes"] = changes

    rejected = pair("alice", S.SUBMITTED, 4)
    decide(rejected, people["mallory"], "reject", reason="other", comment=f"No: {EVIL}")
    decide(rejected, people["bob"], "reject", reason="other", comment=f"Also no: {EVIL}")
    objects["rejected"] = rejected

    # An approved revision whose source URL got past the checks (an older import, say).
    approved = pair("alice", S.APPROVED, 5)
    Revision.objects.filter(pk=approved.current_revision_id).update(source_url=JS_URL)
    objects["approved"] = approved

    # bob's edit with a poisoned comment and text, held by rita in the edit queue.
    proposed = pair("mallory", S.SUBMITTED, 6)
    decide(
        proposed,
        people["bob"],
        "approve_with_edit",
        comment=f"Edit note {EVIL}",
        edit=edited(proposed, response=f"Edited: {EVIL} {IMG}"),
    )
    objects["proposal"] = EditProposal.objects.get(pair=proposed)
    lease_edit(objects["proposal"], people["rita"])
    # bob's own lease last: a reviewer holds one pair at a time, and bob decided above.
    lease(revised, people["bob"])

    # mallory's open question, and one alice took from them.
    for n in (7, 8):
        OpenPrompt.objects.create(
            dataset=dataset,
            category=category,
            author=mallory,
            instruction=f"Ask {n}: {EVIL}",
            context=EVIL,
            source_url=JS_URL,
        )
    taken = OpenPrompt.objects.filter(instruction__startswith="Ask 8").get()
    objects["answered"] = prompt_take(prompt=taken, by=people["alice"])

    # A skipped assignment with a poisoned reason.
    skipped = pair("alice", S.DRAFT, 9)
    assignment_skip(assignment=skipped.assignment, by=people["alice"], reason=f"Other: {EVIL}")

    ready = release_create(dataset=dataset, by=people["ada"], notes=EVIL, test_fraction=0.1)
    release_build(release_id=ready.pk)
    failed = release_create(dataset=dataset, by=people["ada"], notes=EVIL, test_fraction=0.1)
    Release.objects.filter(pk=failed.pk).update(state=Release.State.FAILED, error=EVIL)
    objects["ready"], objects["failed"] = Release.objects.get(pk=ready.pk), failed

    # A lease of rita's that ran out while she wrote her comment.
    expired = pair("alice", S.SUBMITTED, 10)
    lease(expired, people["rita"], expired=True)
    objects["expired"] = expired

    # A second dataset with nothing to write in: the first is offered by its name.
    empty = Dataset.objects.create(name="Empty", slug="empty")
    licence_accept(user=people["alice"], dataset=empty)

    invitee = User.objects.create(username=f"i{IMG}", email=f"x{SCRIPT}@example.com")
    invitee.set_unusable_password()
    invitee.save()
    objects["invitee"] = invitee
    objects["invite_link"] = invite_link(invitee)
    return {"people": people, "objects": objects}


@pytest.fixture(scope="module")
def evil(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        rolled_back(),
        override_settings(MEDIA_ROOT=media, SIGNUP_EMAIL_DOMAINS=["example.com"]),
    ):
        yield build_evil()


def as_(evil, persona: str) -> Client:
    client = Client()
    if persona != "anon":
        client.force_login(evil["people"][persona])
    return client


def pair_url(name: str, key: str):
    return lambda o: reverse(name, args=[o[key].public_id])


PAGES = {
    # persona, url (from the world's objects), whether it shows a payload
    "home as alice": ("alice", lambda o: reverse("annotation:home"), True),
    "home as mallory": ("mallory", lambda o: reverse("annotation:home"), True),
    "home as ada": ("ada", lambda o: reverse("annotation:home"), True),
    "editor: draft": ("alice", pair_url("annotation:edit_pair", "draft"), True),
    "editor: changes requested": ("alice", pair_url("annotation:edit_pair", "changes"), True),
    "editor: answering mallory": ("alice", pair_url("annotation:edit_pair", "answered"), True),
    "pair detail: draft": ("alice", pair_url("annotation:pair_detail", "draft"), True),
    "pair detail: reviewed": ("alice", pair_url("annotation:pair_detail", "revised"), True),
    "pair detail: rejected": ("alice", pair_url("annotation:pair_detail", "rejected"), True),
    "pair detail: approved": ("alice", pair_url("annotation:pair_detail", "approved"), True),
    "pair detail: answer": ("alice", pair_url("annotation:pair_detail", "answered"), True),
    "my pairs": ("alice", lambda o: reverse("annotation:my_pairs"), True),
    "my pairs, poisoned filter": (
        "alice",
        lambda o: reverse("annotation:my_pairs") + f"?status={EVIL}&category={EVIL}&page={EVIL}",
        True,
    ),
    "open questions": (
        "alice",
        lambda o: reverse("annotation:open_prompts") + "?dataset=evil",
        True,
    ),
    "open questions, poisoned filter": (
        "alice",
        lambda o: reverse("annotation:open_prompts") + f"?dataset=evil&category={EVIL}",
        True,
    ),
    "ask": ("alice", lambda o: reverse("annotation:ask") + "?dataset=evil", True),
    "licence": ("alice", lambda o: reverse("annotation:licence", args=["evil"]), True),
    "review queue": ("bob", lambda o: reverse("review:queue"), False),
    "review page with history": ("bob", pair_url("review:pair", "revised"), True),
    "edit queue": ("rita", lambda o: reverse("review:edits"), False),
    "edit page": ("rita", pair_url("review:edit", "proposal"), True),
    "moderation list": ("ada", lambda o: reverse("review:moderate"), True),
    "moderation list, poisoned filter": (
        "ada",
        lambda o: reverse("review:moderate") + f"?status={EVIL}&dataset={EVIL}&category={EVIL}",
        False,
    ),
    "moderation: edited pair": (
        "ada",
        lambda o: reverse("review:moderate_pair", args=[o["proposal"].pair.public_id]),
        True,
    ),
    "moderation: rejected": ("ada", pair_url("review:moderate_pair", "rejected"), True),
    "moderation: approved": ("ada", pair_url("review:moderate_pair", "approved"), True),
    "moderation: revised": ("ada", pair_url("review:moderate_pair", "revised"), True),
    "people": ("ada", lambda o: reverse("people:invite"), True),
    "datasets": ("ada", lambda o: reverse("exports:datasets"), True),
    "releases": ("ada", lambda o: reverse("exports:releases", args=["evil"]), True),
    "release": ("ada", lambda o: reverse("exports:release", args=["evil", o["ready"].ref]), True),
    "failed release": (
        "ada",
        lambda o: reverse("exports:release", args=["evil", o["failed"].ref]),
        True,
    ),
    "nothing to write": ("alice", lambda o: reverse("annotation:write") + "?dataset=empty", True),
    "invitation": ("anon", lambda o: o["invite_link"], True),
    "sign in": ("anon", lambda o: reverse("login"), False),
    "sign up": ("anon", lambda o: reverse("account_signup"), False),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_show_payloads_as_text(evil, page):
    persona, url, shows = PAGES[page]
    response = as_(evil, persona).get(url(evil["objects"]), follow=True)
    assert response.status_code == 200
    assert_inert(response, shows=shows)


def test_the_editor_of_a_skipped_category_and_its_message(evil):
    client = as_(evil, "alice")
    draft = evil["objects"]["draft"]
    response = client.post(
        reverse("annotation:skip", args=[draft.public_id]),
        {"reason": "other", "detail": EVIL[:300]},
        follow=True,
    )
    assert_inert(response)


def test_an_over_long_skip_reason_is_shown_back_as_text(evil):
    draft = evil["objects"]["draft"]
    response = as_(evil, "alice").post(
        reverse("annotation:skip", args=[draft.public_id]), {"reason": "other", "detail": EVIL * 5}
    )
    assert response.status_code == 422
    assert_inert(response)


POSTS = {
    "submit with a javascript: source": (
        "alice",
        lambda o: reverse("annotation:submit", args=[o["draft"].public_id]),
        lambda o: {
            "instruction": f"Why {EVIL}?",
            "context": EVIL,
            "source_url": JS_URL,
            "response": EVIL,
            "version": o["draft"].draft.version,
        },
        422,
    ),
    "autosave with a NUL byte": (
        "alice",
        lambda o: reverse("annotation:autosave", args=[o["draft"].public_id]),
        lambda o: {"instruction": EVIL + "\x00", "version": o["draft"].draft.version},
        422,
    ),
    "ask with a javascript: source": (
        "alice",
        lambda o: reverse("annotation:ask") + "?dataset=evil",
        lambda o: {
            "dataset": "evil",
            "category": o["category"].pk,
            "instruction": f"Ask {EVIL}",
            "context": EVIL,
            "source_url": JS_URL,
        },
        422,
    ),
    "decision with a bad edit": (
        "bob",
        lambda o: reverse("review:decide", args=[o["revised"].public_id]),
        lambda o: {
            "decision": "approve_with_edit",
            "revision": o["revised"].current_revision.number,
            "comment": EVIL,
            "instruction": EVIL,
            "response": EVIL,
            "source_url": JS_URL,
            "helpfulness": EVIL,
        },
        422,
    ),
    "a decision after the lease ran out": (
        "rita",
        lambda o: reverse("review:decide", args=[o["expired"].public_id]),
        lambda o: {
            "decision": "request_changes",
            "revision": o["expired"].current_revision.number,
            "comment": EVIL,
        },
        409,
    ),
    "declining an edit without a comment": (
        "rita",
        lambda o: reverse("review:edit_decide", args=[o["proposal"].public_id]),
        lambda o: {"decision": EVIL},
        422,
    ),
    "retracting without a reason": (
        "ada",
        lambda o: reverse("review:moderate_retract", args=[o["approved"].public_id]),
        lambda o: {"reason": ""},
        422,
    ),
    "inviting bad addresses": (
        "ada",
        lambda o: reverse("people:invite"),
        lambda o: {"emails": f"{EVIL}\n{SCRIPT}@x", "roles": [EVIL]},
        422,
    ),
    "a release with a bad fraction": (
        "ada",
        lambda o: reverse("exports:releases", args=["evil"]),
        lambda o: {"notes": EVIL, "test_fraction": EVIL, "categories": [EVIL]},
        422,
    ),
    "signing in as a payload": (
        "anon",
        lambda o: reverse("login"),
        lambda o: {"login": EVIL, "password": EVIL, "next": JS_URL},
        422,
    ),
    "signing up as a payload": (
        "anon",
        lambda o: reverse("account_signup"),
        lambda o: {"username": EVIL, "email": EVIL, "password1": "x", "password2": EVIL},
        422,
    ),
    "accepting a forged invitation": (
        "anon",
        lambda o: reverse("people:accept_invite", args=["MTIz", "x"]),
        lambda o: {"new_password1": EVIL, "new_password2": EVIL},
        400,
    ),
}


@pytest.mark.parametrize("case", list(POSTS))
def test_forms_show_what_was_sent_as_text(evil, case):
    persona, url, data, status = POSTS[case]
    objects = evil["objects"]
    response = as_(evil, persona).post(url(objects), data(objects))
    assert response.status_code == status, response.content[:500]
    assert_inert(response, shows=False)


def test_htmx_fragments_are_inert(evil):
    client = as_(evil, "ada")
    response = client.get(reverse("review:moderate") + "?status=submitted", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert html_problems(response.content.decode()) == []
    assert escape(SCRIPT) in response.content.decode()


def test_the_release_pages_fragment_is_inert(evil):
    ready = evil["objects"]["failed"]
    response = as_(evil, "ada").get(
        reverse("exports:release", args=["evil", ready.ref]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert html_problems(response.content.decode()) == []


def test_guidelines_keep_their_text_but_lose_script_and_javascript_links(evil):
    response = as_(evil, "alice").get(
        reverse("annotation:edit_pair", args=[evil["objects"]["draft"].public_id])
    )
    html = response.content.decode()
    assert "a markdown link" in html and "raw link" in html and "raw div" in html
    guidelines = html.split('class="card guidelines"')[1].split("</section>")[0]
    assert "href=" not in guidelines and "onclick" not in guidelines and "<iframe" not in guidelines


def test_the_checker_catches_each_payload_unescaped():
    # The checks above can fail: each payload, written into a page raw, is caught.
    for raw in (SCRIPT, IMG, SVG, f'<a href="{JS_URL}">x</a>', "<a href=' javascript:x'>y</a>"):
        assert html_problems(f"<p>{raw}</p>"), raw
    assert html_problems('<div hx-on:click="alert(1)"></div>')
    assert html_problems('<p style="color: red">x</p>')
    assert html_problems(f"<p>{escape(EVIL)}</p>") == []


def test_templates_use_no_inline_script_style_or_hx_on():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        parser = _Elements()
        parser.feed(text)
        offenders += [f"{path.relative_to(TEMPLATES)}: {p}" for p in parser.problems]
        if " style=" in text or "hx-on" in text:
            offenders.append(f"{path.relative_to(TEMPLATES)}: style= or hx-on")
    assert offenders == []


@pytest.mark.parametrize("status", [403, 404])
def test_error_pages_carry_the_policy(evil, status):
    client = as_(evil, "alice")
    url = reverse("review:moderate") if status == 403 else f"/pairs/{SCRIPT}/"
    response = client.get(url)
    assert response.status_code == status
    assert_inert(response, shows=False)
