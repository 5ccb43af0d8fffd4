import pytest
from django.urls import reverse

from annotation.models import Revision
from annotation.workflow import S
from tests.annotation.writing_helpers import HTMX, accept_licence, editor_data
from tests.factories import make_pair


@pytest.fixture
def pair(alice, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    return make_pair(author=alice, category=open_qa, status=S.DRAFT)


def submit_url(pair) -> str:
    return reverse("annotation:submit", args=[pair.public_id])


def detail_url(pair) -> str:
    return reverse("annotation:pair_detail", args=[pair.public_id])


def test_submit_without_js_saves_the_posted_text_then_submits(as_alice, pair):
    data = editor_data(pair, response="Written with JavaScript turned off.", typed_chars=35)
    response = as_alice.post(submit_url(pair), data)
    assert response.status_code == 302 and response.url == detail_url(pair)
    pair.refresh_from_db()
    assert pair.status == S.SUBMITTED
    revision = pair.current_revision
    assert revision.response == "Written with JavaScript turned off."
    assert revision.kind == Revision.Kind.ORIGINAL
    assert pair.assignment.outcome == "written"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Submitted for review" in m for m in messages)


def test_htmx_submit_redirects_the_page(as_alice, pair):
    response = as_alice.post(submit_url(pair), editor_data(pair), **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == detail_url(pair)


def test_double_submit_makes_one_revision(as_alice, pair):
    data = editor_data(pair, response="Clicked twice.")
    first = as_alice.post(submit_url(pair), data)
    second = as_alice.post(submit_url(pair), data)
    assert first.url == second.url == detail_url(pair)
    pair.refresh_from_db()
    assert pair.revisions.count() == 1
    assert pair.status == S.SUBMITTED


def test_failed_checks_keep_the_text_and_show_the_errors(as_alice, pair):
    data = editor_data(pair, instruction="Short", response="A response that stays put.")
    response = as_alice.post(submit_url(pair), data)
    assert response.status_code == 422
    text = response.content.decode()
    assert 'id="errors-instruction"' in text and "Too short" in text
    assert "A response that stays put." in text
    pair.refresh_from_db()
    assert pair.status == S.DRAFT and pair.revisions.count() == 0
    assert pair.draft.response == "A response that stays put."  # saved before the checks


@pytest.mark.parametrize(
    "broken", [{"version": "abc"}, {"version": ""}, {"typed_chars": "-5"}, {"active_seconds": "x"}]
)
def test_figures_the_page_sent_wrong_are_said_above_the_text(as_alice, pair, broken):
    data = editor_data(pair, response="A response that stays put.", **broken)
    response = as_alice.post(submit_url(pair), data)
    assert response.status_code == 422
    text = response.content.decode()
    assert 'role="alert"' in text and "This page sent figures it should not" in text
    assert "A response that stays put." in text
    pair.refresh_from_db()
    assert pair.status == S.DRAFT


def test_htmx_failed_submit_returns_only_the_form(as_alice, pair):
    response = as_alice.post(submit_url(pair), editor_data(pair, response=""), **HTMX)
    assert response.status_code == 422
    text = response.content.decode()
    assert text.lstrip().startswith('<form id="pair-form"')
    assert "Write a response." in text
    assert "<html" not in text


def test_the_form_after_a_failed_submit_carries_the_new_version(as_alice, pair):
    data = editor_data(pair, response="")
    response = as_alice.post(submit_url(pair), data, **HTMX)
    pair.draft.refresh_from_db()
    assert pair.draft.version == data["version"] + 1
    assert f'id="id_version" value="{pair.draft.version}"' in response.content.decode()


def test_stale_version_with_new_text_is_a_conflict(as_alice, pair):
    stale = editor_data(pair)
    as_alice.post(
        reverse("annotation:autosave", args=[pair.public_id]),
        {**stale, "response": "From the other tab."},
        **HTMX,
    )
    response = as_alice.post(submit_url(pair), {**stale, "response": "From this tab."}, **HTMX)
    assert response.status_code == 409
    text = response.content.decode()
    assert "From this tab." in text and "changed in another tab" in text
    pair.refresh_from_db()
    assert pair.status == S.DRAFT
    assert pair.draft.response == "From the other tab."


def test_unchanged_resubmit_after_changes_requested_says_so(as_alice, alice, ada, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    pair = make_pair(author=alice, category=open_qa, status=S.CHANGES_REQUESTED, by=ada)
    response = as_alice.post(submit_url(pair), editor_data(pair))
    assert response.status_code == 422
    assert "Nothing changed" in response.content.decode()
    pair.refresh_from_db()
    assert pair.status == S.CHANGES_REQUESTED and pair.revisions.count() == 1


def test_improving_an_approved_pair_keeps_the_approved_revision(as_alice, alice, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED)
    approved = pair.approved_revision
    response = as_alice.post(submit_url(pair), editor_data(pair, response="An improved answer."))
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == S.SUBMITTED
    assert pair.approved_revision == approved
    assert pair.current_revision.kind == Revision.Kind.AUTHOR_REVISION


def test_submitting_a_withdrawn_pair_is_refused(as_alice, alice, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    pair = make_pair(author=alice, category=open_qa, status=S.WITHDRAWN)
    response = as_alice.post(submit_url(pair), editor_data(pair, response="Too late."))
    assert response.status_code == 302 and response.url == detail_url(pair)
    pair.refresh_from_db()
    assert pair.status == S.WITHDRAWN
