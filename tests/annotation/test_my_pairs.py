import pytest
from django.urls import reverse

from annotation.drafts import DraftText, draft_save
from annotation.models import OpenPrompt
from annotation.submission import pair_submit
from annotation.workflow import S
from tests.factories import make_pair

URL = reverse("annotation:my_pairs")


def _rows(response) -> list:
    return list(response.context["page"].object_list)


def test_shows_only_the_authors_own_pairs(as_alice, alice, dan, open_qa):
    mine = make_pair(author=alice, category=open_qa, instruction="Alice asks: why is the sky blue?")
    theirs = make_pair(author=dan, category=open_qa, instruction="Dan asks: why is grass green?")
    response = as_alice.get(URL)
    assert response.status_code == 200
    assert _rows(response) == [mine]
    assert b"Alice asks: why is the sky blue?" in response.content
    assert b"Dan asks" not in response.content
    assert str(theirs.public_id).encode() not in response.content


def test_draft_row_shows_the_draft_instruction(as_alice, alice, open_qa):
    make_pair(author=alice, category=open_qa, status=S.DRAFT, instruction="Half-written question")
    response = as_alice.get(URL)
    assert b"Half-written question" in response.content
    assert b"badge status-draft" in response.content


def test_paginates_and_page_links_keep_the_filters(as_alice, alice, open_qa, settings):
    settings.HANDWRITTEN_PAGE_SIZE = 2
    pairs = [make_pair(author=alice, category=open_qa) for _ in range(3)]
    first = as_alice.get(URL, {"status": S.SUBMITTED})
    assert len(_rows(first)) == 2
    assert first.context["page"].paginator.num_pages == 2
    assert b"?status=submitted&amp;page=2" in first.content
    second = as_alice.get(URL, {"status": S.SUBMITTED, "page": 2})
    assert len(_rows(second)) == 1
    assert set(_rows(first) + _rows(second)) == set(pairs)


def test_filters_by_status(as_alice, alice, open_qa):
    draft = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    make_pair(author=alice, category=open_qa, status=S.SUBMITTED)
    response = as_alice.get(URL, {"status": S.DRAFT})
    assert _rows(response) == [draft]


def test_filters_by_category(as_alice, alice, open_qa, closed_qa):
    make_pair(author=alice, category=open_qa)
    closed = make_pair(author=alice, category=closed_qa)
    response = as_alice.get(URL, {"category": closed_qa.pk})
    assert _rows(response) == [closed]


@pytest.mark.parametrize(
    "query",
    [
        {"status": "nonsense"},
        {"category": "not-a-number"},
        {"category": "999999"},
        {"page": "last-but-one"},
        {"page": "-3"},
        {"status": "draft'; DROP TABLE", "category": "\ufffd"},
    ],
)
def test_junk_filter_values_are_ignored_not_a_500(as_alice, alice, open_qa, query):
    pair = make_pair(author=alice, category=open_qa)
    response = as_alice.get(URL, query)
    assert response.status_code == 200
    assert _rows(response) == [pair]


def test_a_nul_in_a_filter_is_refused_before_the_list(as_alice):
    assert as_alice.get(URL, {"category": "\x00"}).status_code == 400


def test_a_bad_filter_is_noticed_and_the_good_one_still_applies(as_alice, alice, open_qa):
    draft = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    make_pair(author=alice, category=open_qa, status=S.SUBMITTED)
    response = as_alice.get(URL, {"status": S.DRAFT, "category": "bogus"})
    assert _rows(response) == [draft]
    assert b"not valid" in response.content


def test_category_of_someone_elses_pairs_is_not_a_choice(as_alice, alice, dan, open_qa, closed_qa):
    make_pair(author=alice, category=open_qa)
    make_pair(author=dan, category=closed_qa)
    response = as_alice.get(URL, {"category": closed_qa.pk})
    assert "category" in response.context["form"].errors
    assert len(_rows(response)) == 1


def test_htmx_request_gets_only_the_list(as_alice, alice, open_qa):
    make_pair(author=alice, category=open_qa)
    response = as_alice.get(URL, {"status": S.SUBMITTED}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b'id="pair-list"' in response.content
    assert b"<html" not in response.content
    assert b'class="filters"' not in response.content
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(as_alice):
    response = as_alice.get(
        URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert b"<html" in response.content


def test_needs_the_contributor_role(as_bob, as_carol):
    assert as_bob.get(URL).status_code == 403
    assert as_carol.get(URL).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_row_says_when_an_approved_version_keeps_shipping(as_alice, alice, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED)
    assert b"approved version ships" not in as_alice.get(URL).content
    draft_save(
        pair=pair,
        by=alice,
        text=DraftText(instruction=pair.draft.instruction, response="A newer, better answer."),
        base_version=pair.draft.version,
    )
    pair_submit(pair=pair, by=alice)
    assert b"approved version ships" in as_alice.get(URL).content


def test_lists_the_questions_the_author_asked(as_alice, alice, dan, open_qa):
    OpenPrompt.objects.create(
        dataset=open_qa.dataset, category=open_qa, author=alice, instruction="Alice wonders why?"
    )
    OpenPrompt.objects.create(
        dataset=open_qa.dataset, category=open_qa, author=dan, instruction="Dan wonders how?"
    )
    page = as_alice.get(URL).content.decode()
    assert "Questions you asked" in page
    assert "Alice wonders why?" in page and "Waiting for an answer" in page
    assert "Dan wonders how?" not in page


def test_times_say_just_now_not_zero_minutes(as_alice, alice, open_qa):
    make_pair(author=alice, category=open_qa)
    page = as_alice.get(URL).content.decode()
    assert "just now" in page and "0\xa0minutes ago" not in page
    assert "a.m." not in page and "p.m." not in page
