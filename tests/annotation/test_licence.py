import pytest
from django.urls import reverse

from annotation.licence import licence_accept, licence_accepted
from annotation.models import Assignment, AuditEvent, LicenceAcceptance, OpenPrompt
from annotation.workflow import S
from tests.annotation.writing_helpers import HTMX, editor_data
from tests.factories import make_pair


def licence_url(dataset) -> str:
    return reverse("annotation:licence", args=[dataset.slug])


def test_write_sends_a_newcomer_to_the_licence_page_and_back(as_alice, dolly):
    response = as_alice.get(reverse("annotation:write"))
    assert response.status_code == 302
    assert response.url.startswith(licence_url(dolly))
    assert "next=%2Fwrite%2F" in response.url
    assert not Assignment.objects.exists()


def test_licence_page_explains_the_licence(as_alice, dolly):
    response = as_alice.get(licence_url(dolly))
    assert response.status_code == 200
    text = response.content.decode()
    assert "CC BY-SA 3.0" in text
    assert dolly.licence_url in text
    assert "version 3.0" in text


def test_accepting_stores_licence_version_and_time(as_alice, alice, dolly):
    response = as_alice.post(licence_url(dolly), {"agree": "on", "next": "/write/?dataset=dolly"})
    assert response.status_code == 302
    assert response.url == "/write/?dataset=dolly"
    acceptance = LicenceAcceptance.objects.get(user=alice, dataset=dolly)
    assert acceptance.licence == "CC BY-SA 3.0"
    assert acceptance.licence_version == "3.0"
    assert acceptance.accepted_at is not None
    assert AuditEvent.objects.filter(verb="licence.accept", actor=alice).exists()
    assert as_alice.post(reverse("annotation:write")).status_code == 302  # now: to the pair
    assert Assignment.objects.filter(contributor=alice).count() == 1


def test_accepting_needs_the_box_ticked(as_alice, alice, dolly):
    response = as_alice.post(licence_url(dolly), {})
    assert response.status_code == 422
    assert "Tick the box" in response.content.decode()
    assert not LicenceAcceptance.objects.filter(user=alice).exists()


def test_next_must_stay_on_this_site(as_alice, dolly):
    response = as_alice.post(licence_url(dolly), {"agree": "on", "next": "https://evil.example/"})
    assert response.url == "/write/?dataset=dolly"


@pytest.mark.parametrize(
    "written", ["foo", "write", "annotation:home", "//evil.example/x", "http://[x", "https://]x"]
)
def test_a_next_that_is_no_path_on_this_site_goes_to_writing(as_alice, dolly, written):
    assert as_alice.get(licence_url(dolly), {"next": written}).status_code == 200
    response = as_alice.post(licence_url(dolly), {"agree": "on", "next": written})
    assert response.status_code == 302 and response.url == "/write/?dataset=dolly"


def test_a_refusal_from_a_page_whose_address_does_not_parse_offers_the_licence(as_alice, dolly):
    response = as_alice.post(
        reverse("annotation:write"), {"dataset": "dolly"}, HTTP_REFERER="http://[x"
    )
    assert response.status_code == 403
    assert "http://[x" not in response.content.decode()


def test_a_new_licence_version_asks_again(as_alice, alice, dolly):
    licence_accept(user=alice, dataset=dolly)
    assert licence_accepted(user=alice, dataset=dolly)
    dolly.licence_version = "3.1"
    dolly.save()
    assert not licence_accepted(user=alice, dataset=dolly)
    response = as_alice.get(reverse("annotation:write"))
    assert response.url.startswith(licence_url(dolly))
    as_alice.post(licence_url(dolly), {"agree": "on"})
    versions = LicenceAcceptance.objects.filter(user=alice).values_list(
        "licence_version", flat=True
    )
    assert sorted(versions) == ["3.0", "3.1"]


def test_accepting_twice_keeps_one_record(alice, dolly):
    first = licence_accept(user=alice, dataset=dolly)
    assert licence_accept(user=alice, dataset=dolly) == first
    assert LicenceAcceptance.objects.count() == 1


@pytest.mark.parametrize("page", ["annotation:open_prompts", "annotation:ask"])
def test_other_writing_pages_redirect_too(as_alice, dolly, page):
    response = as_alice.get(reverse(page))
    assert response.status_code == 302
    assert response.url.startswith(licence_url(dolly))


def test_edit_page_redirects_without_licence(as_alice, alice, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    response = as_alice.get(reverse("annotation:edit_pair", args=[pair.public_id]))
    assert response.status_code == 302
    assert response.url.startswith(licence_url(open_qa.dataset))


@pytest.mark.parametrize("view", ["annotation:autosave", "annotation:submit", "annotation:skip"])
@pytest.mark.parametrize("htmx", [False, True])
def test_write_posts_are_refused_without_licence(as_alice, alice, open_qa, view, htmx):
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    data = editor_data(pair, response="Typed without a licence.", reason="no_idea")
    response = as_alice.post(reverse(view, args=[pair.public_id]), data, **(HTMX if htmx else {}))
    assert response.status_code == 403
    assert "licence" in response.content.decode()
    pair.refresh_from_db()
    pair.draft.refresh_from_db()
    assert pair.status == S.DRAFT
    assert pair.draft.response != "Typed without a licence."
    assert pair.assignment.outcome == Assignment.Outcome.OPEN
    assert pair.revisions.count() == 0


def test_asking_is_refused_without_licence(as_alice, open_qa):
    data = {"dataset": "dolly", "category": open_qa.pk, "instruction": "What makes bread rise?"}
    response = as_alice.post(reverse("annotation:ask"), data)
    assert response.status_code == 403
    assert not OpenPrompt.objects.exists()


def test_answering_is_refused_without_licence(as_dan, alice, dan, open_qa):
    licence_accept(user=alice, dataset=open_qa.dataset)
    prompt = OpenPrompt.objects.create(
        dataset=open_qa.dataset, category=open_qa, author=alice, instruction="Why is the sky blue?"
    )
    response = as_dan.post(reverse("annotation:answer", args=[prompt.public_id]))
    assert response.status_code == 403
    prompt.refresh_from_db()
    assert prompt.status == OpenPrompt.Status.OPEN and prompt.taken_by is None


def test_licence_page_needs_the_contributor_role(client, as_carol, dolly):
    assert as_carol.get(licence_url(dolly)).status_code == 403
    assert as_carol.post(licence_url(dolly), {"agree": "on"}).status_code == 403
    assert client.get(licence_url(dolly)).status_code == 302
    assert not LicenceAcceptance.objects.exists()


def test_unknown_dataset_is_404(as_alice, dolly):
    assert as_alice.get(reverse("annotation:licence", args=["nope"])).status_code == 404


def test_a_refused_form_post_offers_the_licence_and_comes_back(as_alice, open_qa):
    data = {"dataset": "dolly", "category": open_qa.pk, "instruction": "What makes bread rise?"}
    response = as_alice.post(
        reverse("annotation:ask"), data, HTTP_REFERER="http://testserver/questions/ask/"
    )
    text = response.content.decode()
    assert "Nothing was saved" in text
    assert 'name="next" value="http://testserver/questions/ask/"' in text


def test_a_refused_autosave_says_so_in_the_save_status(as_alice, alice, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    url = reverse("annotation:autosave", args=[pair.public_id])
    response = as_alice.post(url, editor_data(pair, response="x"), **HTMX)
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#savestate"
    assert "accept the contribution licence first" in response.content.decode()
