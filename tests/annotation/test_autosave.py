import pytest
from django.test import Client
from django.urls import reverse

from annotation.workflow import S
from tests.annotation.writing_helpers import HTMX, accept_licence, editor_data
from tests.factories import PASSWORD, make_pair


@pytest.fixture
def pair(alice, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    return make_pair(author=alice, category=open_qa, status=S.DRAFT)


def autosave_url(pair) -> str:
    return reverse("annotation:autosave", args=[pair.public_id])


def test_autosave_saves_and_bumps_the_version(as_alice, pair):
    version = pair.draft.version
    data = editor_data(pair, response="Typed a moment ago.")
    response = as_alice.post(autosave_url(pair), data, **HTMX)
    assert response.status_code == 200
    pair.draft.refresh_from_db()
    assert pair.draft.response == "Typed a moment ago."
    assert pair.draft.version == version + 1
    text = response.content.decode()
    assert "Saved" in text
    # The next save must name the new version: it comes back out of band.
    assert f'name="version" id="id_version" value="{version + 1}" hx-swap-oob="true"' in text
    assert "<html" not in text


def test_autosave_records_authoring_signals(as_alice, pair):
    before = pair.draft.typed_chars
    data = editor_data(pair, response="abc", active_seconds=42, typed_chars=3, pasted_chars=7)
    as_alice.post(autosave_url(pair), data, **HTMX)
    pair.draft.refresh_from_db()
    assert pair.draft.active_seconds == 42
    assert pair.draft.typed_chars == before + 3
    assert pair.draft.pasted_chars == 7


def test_no_save_claims_more_characters_than_it_saves(as_alice, pair):
    before = pair.draft.typed_chars, pair.draft.pasted_chars
    data = editor_data(pair, response="abc", typed_chars=10_000_000, pasted_chars=10_000_000)
    assert as_alice.post(autosave_url(pair), data, **HTMX).status_code == 200
    pair.draft.refresh_from_db()
    saved = sum(map(len, (pair.draft.instruction, pair.draft.context, pair.draft.response)))
    saved += len(pair.draft.source_url)
    assert pair.draft.typed_chars == before[0] + saved
    assert pair.draft.pasted_chars == before[1] + saved


def test_the_counters_stop_at_what_the_column_holds(as_alice, pair):
    pair.draft.__class__.objects.filter(pk=pair.draft.pk).update(
        typed_chars=2**31 - 2, active_seconds=2**31 - 2
    )
    data = editor_data(pair, response="abc", typed_chars=5, active_seconds=60)
    assert as_alice.post(autosave_url(pair), data, **HTMX).status_code == 200
    pair.draft.refresh_from_db()
    assert (pair.draft.typed_chars, pair.draft.active_seconds) == (2**31 - 1, 2**31 - 1)


def test_a_conflict_keeps_both_texts(as_alice, pair):
    stale = editor_data(pair)
    as_alice.post(autosave_url(pair), {**stale, "response": "Saved in tab one."}, **HTMX)
    response = as_alice.post(autosave_url(pair), {**stale, "response": "Typed in tab two."}, **HTMX)
    assert response.status_code == 409
    text = response.content.decode()
    assert "changed in another tab" in text
    assert "has not been overwritten" in text
    assert "Keep this tab" in text and "Load the other version" in text
    assert "hx-swap-oob" not in text  # this tab keeps its old version: no silent overwrite
    pair.draft.refresh_from_db()
    assert pair.draft.response == "Saved in tab one."
    newer = pair.draft.version
    assert f'"version": "{newer}"' in text
    # "Keep this tab's text": saved on top of the newer version.
    response = as_alice.post(
        autosave_url(pair), {**stale, "response": "Typed in tab two.", "version": newer}, **HTMX
    )
    assert response.status_code == 200
    pair.draft.refresh_from_db()
    assert pair.draft.response == "Typed in tab two."


def test_unchanged_text_never_conflicts(as_alice, pair):
    stale = editor_data(pair)
    as_alice.post(autosave_url(pair), {**stale, "response": "Same words."}, **HTMX)
    response = as_alice.post(autosave_url(pair), {**stale, "response": "Same words."}, **HTMX)
    assert response.status_code == 200


def test_signed_out_autosave_gets_401_and_changes_nothing(pair):
    before = pair.draft.response
    client = Client()
    edit = reverse("annotation:edit_pair", args=[pair.public_id])
    response = client.post(
        autosave_url(pair),
        editor_data(pair, response="Typed after the session ended."),
        HTTP_HX_CURRENT_URL=f"http://testserver{edit}",
        **HTMX,
    )
    assert response.status_code == 401
    text = response.content.decode()
    assert "You were signed out; your text is kept in this browser." in text
    assert f"/login/?next={edit.replace('/', '%2F')}" in text
    assert response["HX-Retarget"] == "#savestate"
    pair.draft.refresh_from_db()
    assert pair.draft.response == before


def test_a_refused_autosave_names_the_fields_as_the_page_does(as_alice, pair):
    data = editor_data(pair, source_url="x" * 2001, typed_chars="-5")
    text = as_alice.post(autosave_url(pair), data, **HTMX).content.decode()
    assert "Not saved: This page sent figures it should not" in text
    assert "Source URL: Ensure this value has at most 2000 characters" in text
    assert "Source_url" not in text and "Typed_chars" not in text


def test_signed_out_autosave_from_a_page_whose_address_does_not_parse(pair):
    response = Client().post(
        autosave_url(pair), editor_data(pair, response="x"), HTTP_HX_CURRENT_URL="http://[x", **HTMX
    )
    assert response.status_code == 401
    assert f"/login/?next={autosave_url(pair).replace('/', '%2F')}" in response.content.decode()


def test_signed_out_plain_post_goes_to_login(pair):
    response = Client().post(autosave_url(pair), editor_data(pair, response="x"))
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_after_signing_in_again_the_saved_draft_is_there(as_alice, pair):
    as_alice.post(autosave_url(pair), editor_data(pair, response="Kept on the server."), **HTMX)
    client = Client()
    edit = reverse("annotation:edit_pair", args=[pair.public_id])
    assert client.get(edit).status_code == 302
    assert client.login(username="alice", password=PASSWORD)
    response = client.get(edit)
    assert response.status_code == 200
    assert "Kept on the server." in response.content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [("nul\x00byte", "Contains a NUL byte."), ("bell\x07", "Contains control")],
)
def test_bad_characters_are_not_saved(as_alice, pair, value, message):
    before = pair.draft.response
    response = as_alice.post(autosave_url(pair), editor_data(pair, response=value), **HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    pair.draft.refresh_from_db()
    assert pair.draft.response == before


def test_a_missing_version_is_refused(as_alice, pair):
    data = editor_data(pair, response="No version given.")
    del data["version"]
    response = as_alice.post(autosave_url(pair), data, **HTMX)
    assert response.status_code == 422
    assert "This page sent figures it should not (its draft version" in response.content.decode()
    pair.draft.refresh_from_db()
    assert pair.draft.response != "No version given."


def test_a_pair_under_review_takes_no_autosave(as_alice, alice, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    submitted = make_pair(author=alice, category=open_qa, status=S.SUBMITTED)
    response = as_alice.post(
        autosave_url(submitted), editor_data(submitted, response="New"), **HTMX
    )
    assert response.status_code == 422
    assert "takes no edits" in response.content.decode()
    submitted.draft.refresh_from_db()
    assert submitted.draft.response != "New"


def test_autosave_is_post_only(as_alice, pair):
    assert as_alice.get(autosave_url(pair)).status_code == 405


def test_an_oversized_autosave_is_an_inline_413_with_debug_on_too(as_alice, pair, settings):
    # With DEBUG on, Django answered its technical 400 page, which htmx swapped over the
    # whole editor.
    settings.DEBUG = True
    before = (pair.draft.response, pair.draft.version)
    too_big = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    response = as_alice.post(autosave_url(pair), editor_data(pair, response="x" * too_big), **HTMX)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert "Not saved" in response.content.decode() and "KB" in response.content.decode()
    pair.draft.refresh_from_db()
    assert (pair.draft.response, pair.draft.version) == before


def test_autosave_stores_lf_line_endings(as_alice, pair):
    data = editor_data(pair, response="One line.\r\nAnother.\rA third.")
    response = as_alice.post(autosave_url(pair), data, **HTMX)
    assert response.status_code == 200
    pair.draft.refresh_from_db()
    assert pair.draft.response == "One line.\nAnother.\nA third."


def test_autosave_keeps_text_that_submit_would_refuse_as_disguised(as_alice, pair):
    # A zero-width space is refused at submit, with its name; the draft still keeps it.
    data = editor_data(pair, instruction="How do tides\u200b work?")
    response = as_alice.post(autosave_url(pair), data, **HTMX)
    assert response.status_code == 200
    pair.draft.refresh_from_db()
    assert pair.draft.instruction == "How do tides\u200b work?"
