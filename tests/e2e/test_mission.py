"""The whole mission in real browsers, one person per browser context, each signing in.

alice writes a pair (typing, so autosave runs) and submits it; bob approves it with an
edit of the response; rita accepts the edit, which counts as approval by both, so the pair
is approved; ada builds a release and downloads its dolly.jsonl.

Who builds the release:

- SQLite, no REDIS_URL (the first pass of ``make test``): Celery runs the task in-process
  when the request commits, so the release page opens on a ready release.
- PostgreSQL with REDIS_URL (the second pass): the live server hands the task to Redis, as
  production does, and this test starts a real ``celery worker`` subprocess on the live
  server's test database with a shared MEDIA_ROOT. The release page opens while the
  release is queued or building and reaches "Ready" through its htmx polling. The worker
  listens on the queue the live server sends to and purges it as it starts, so a message
  an earlier test left there cannot be built in its place.
- SQLite with REDIS_URL set (not a ``make test`` pass): no other process can open the
  in-memory test database, so the task is forced to run in-process.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import expect

from annotation.models import Draft, Pair, Revision
from annotation.seeding import dataset_seed_dolly
from annotation.workflow import S
from config.celery import app as celery_app
from exports.models import Release
from review.models import EditProposal, Review
from tests.e2e.signing_in import sign_in
from tests.factories import make_user
from tests.integration.processes import database_url, start_worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

UUID = "[0-9a-f-]{36}"
INSTRUCTION = "Why do cats purr, and is it always a sign that they are happy?"
RESPONSE = "Cats purr when they are content, but also when they are hurt or anxious."
EDITED = (
    "Cats purr when they are content, and also when they are hurt, anxious or giving "
    "birth: purring seems to soothe them, so it is not always a sign of happiness."
)
BUILD_SECONDS = 90


@pytest.fixture
def people(transactional_db):
    """The dataset with one open category, so the assignment is certain, and the four."""
    dolly = dataset_seed_dolly()
    dolly.categories.exclude(slug="open_qa").update(active=False)
    return {
        "alice": make_user("alice", "contributor"),
        "bob": make_user("bob", "reviewer"),
        "rita": make_user("rita", "reviewer"),
        "ada": make_user("ada", "admin", is_staff=True),
    }


@pytest.fixture
def release_builder(request, settings, tmp_path):
    """What builds releases for this test: "in-process" or a real "worker" (see above)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    if not settings.REDIS_URL:
        yield "in-process"
    elif connection.vendor != "postgresql":
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        yield "in-process"
        celery_app.conf.task_always_eager = eager
    else:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_QUEUE": celery_app.conf.task_default_queue,
        }
        worker = start_worker(env=env, logs=tmp_path / "logs", purge=True)
        request.node.services = [worker]
        yield "worker"
        worker.stop()


def alice_writes_and_submits(page, live_server, alice) -> Pair:
    sign_in(page, live_server, "alice", "/write/")
    page.wait_for_url(re.compile(r"/licence/dolly/"))
    page.check("#id_agree")
    page.click("text=Accept and start writing")
    page.click("text=Start writing")
    page.wait_for_url(re.compile(rf"/write/{UUID}/$"))
    expect(page.locator("h1")).to_contain_text("Open QA")

    page.click("#id_instruction")
    page.keyboard.type(INSTRUCTION)
    page.click("#id_response")
    page.keyboard.type(RESPONSE)
    expect(page.locator("#savestate")).to_contain_text("Saved")
    pair = Pair.objects.get(author=alice)
    assert Draft.objects.get(pair=pair).version >= 1

    page.click("text=Submit for review")
    page.wait_for_url(re.compile(rf"/pairs/{pair.public_id}/$"))
    expect(page.locator(".messages")).to_contain_text("Submitted for review")
    pair.refresh_from_db()
    assert pair.status == S.SUBMITTED
    written = pair.current_revision
    assert (written.instruction, written.response) == (INSTRUCTION, RESPONSE)
    assert written.typed_chars > 0
    return pair


def bob_approves_with_an_edit(page, live_server, pair: Pair) -> None:
    sign_in(page, live_server, "bob", "/review/")
    page.click("button:has-text('Review next')")
    page.wait_for_url(re.compile(rf"/review/pairs/{pair.public_id}/$"))
    expect(page.locator(".card.pair")).to_contain_text(INSTRUCTION)
    page.click("text=Edit the text yourself")
    page.fill("#id_response", EDITED)
    page.click("button[value=approve_with_edit]")
    expect(page.locator(".messages")).to_contain_text(
        "You approved it with your edit, which waits in the edit queue"
    )
    proposal = EditProposal.objects.get(pair=pair)
    assert (proposal.proposer.username, proposal.response) == ("bob", EDITED)


def rita_accepts_the_edit(page, live_server, pair: Pair) -> None:
    sign_in(page, live_server, "rita", "/review/edits/")
    page.click("button:has-text('Next edit')")
    page.wait_for_url(re.compile(rf"/review/edits/{UUID}/$"))
    expect(page.locator("ins").first).to_be_visible()
    page.click("text=Accept the edit")
    expect(page.locator(".messages")).to_contain_text(
        "Edit accepted. The pair is approved with the edited text."
    )


def ada_builds_and_downloads(page, live_server, tmp_path: Path) -> bytes:
    sign_in(page, live_server, "ada", "/")
    nav = page.get_by_role("navigation", name="Main")
    # An admin's own links are under one "Admin" entry of the top bar.
    nav.get_by_text("Admin", exact=True).click()
    nav.get_by_role("link", name="Releases").click()
    page.wait_for_url(re.compile(r"/releases/$"))
    page.get_by_role("link", name="Dolly", exact=True).click()
    page.wait_for_url(re.compile(r"/releases/dolly/$"))
    expect(page.get_by_text("1 approved pair would ship now")).to_be_visible()
    page.fill("#id_notes", "The first release: one pair, written, edited and accepted.")
    page.click("button:has-text('Build release')")
    page.wait_for_url(re.compile(r"/releases/dolly/v?[0-9]+/$"))
    # Queued or building at first with a real worker: the page polls until it is ready.
    expect(page.locator("#release-status .badge").first).to_have_text(
        "Ready", timeout=BUILD_SECONDS * 1000
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="dolly.jsonl", exact=True).click()
    assert download.value.suggested_filename == "dolly-v1-dolly.jsonl"
    saved = tmp_path / "dolly.jsonl"
    download.value.save_as(saved)
    return saved.read_bytes()


def test_a_hand_written_pair_is_reviewed_edited_approved_and_released(
    new_page, live_server, people, release_builder, tmp_path
):
    alice_page = new_page()
    pair = alice_writes_and_submits(alice_page, live_server, people["alice"])

    bob_approves_with_an_edit(new_page(), live_server, pair)
    pair.refresh_from_db()
    assert pair.status == S.SUBMITTED

    rita_accepts_the_edit(new_page(), live_server, pair)
    pair.refresh_from_db()
    assert pair.status == S.APPROVED
    approved = pair.approved_revision
    assert approved == pair.current_revision
    assert (approved.kind, approved.instruction, approved.response) == (
        Revision.Kind.ACCEPTED_EDIT,
        INSTRUCTION,
        EDITED,
    )
    approvals = Review.objects.filter(revision=approved, decision=Review.Decision.APPROVE)
    assert sorted(approvals.values_list("reviewer__username", flat=True)) == ["bob", "rita"]

    alice_page.goto(f"{live_server.url}/pairs/")
    row = alice_page.locator("tr", has_text=INSTRUCTION)
    expect(row.locator(".badge")).to_have_text("Approved")

    dolly_jsonl = ada_builds_and_downloads(new_page(), live_server, tmp_path)
    lines = dolly_jsonl.decode("utf-8").splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert list(record) == ["instruction", "context", "response", "category"]
    assert record == {
        "instruction": INSTRUCTION,
        "context": "",
        "response": EDITED,
        "category": "open_qa",
    }
    release = Release.objects.get()
    assert (release.state, release.version, release.total_count) == ("ready", 1, 1)
    assert release.built_by == people["ada"]
