"""A bulk action's result page: at an address of its own (a reload shows it again and
does nothing), listing the pairs the action changed, a page at a time, each linked to its
moderation record."""

from django.test import override_settings
from django.urls import reverse

from annotation.workflow import S
from review.models import BulkAction
from review.moderation import bulk_action_create, bulk_action_run
from tests.factories import make_pair


def _url(bulk: BulkAction, **query: str) -> str:
    url = reverse("review:moderate_bulk_result", args=[bulk.public_id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_result_lists_the_pairs_changed_not_those_refused(as_ada, alice, ada, open_qa):
    approved = [make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada) for _ in "ab"]
    waiting = make_pair(author=alice, category=open_qa)
    response = as_ada.post(
        reverse("review:moderate_bulk"),
        {
            "action": "retract",
            "retract_confirmed": "on",
            "selection": "selected",
            "pairs": [p.public_id for p in [*approved, waiting]],
            "text": "Names a customer.",
        },
    )
    assert response.status_code == 302
    bulk = BulkAction.objects.get()
    assert sorted(bulk.done_ids) == sorted(p.pk for p in approved)

    # Reloading the result asks for the page again; it does not post the action again.
    for _ in range(2):
        page = as_ada.get(response["Location"])
    assert page.status_code == 200 and BulkAction.objects.count() == 1
    listed = page.context["done"].object_list
    assert {p.pk for p in listed} == {p.pk for p in approved}
    html = page.content.decode()
    done_part = html[html.index('id="bulk-done"') : html.index('id="bulk-refused"')]
    for pair in approved:
        assert reverse("review:moderate_pair", args=[pair.public_id]) in done_part
    assert reverse("review:moderate_pair", args=[waiting.public_id]) not in done_part
    assert "now retracted" in done_part


@override_settings(HANDWRITTEN_PAGE_SIZE=2)
def test_the_pairs_changed_and_the_refusals_are_paged(as_ada, alice, ada, open_qa):
    notes = [make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada) for _ in "abc"]
    bulk = bulk_action_create(by=ada, kind="note", pair_ids=[p.pk for p in notes], text="Seen.")
    bulk_action_run(bulk_id=bulk.pk)
    first = as_ada.get(_url(bulk, q="seen"))
    assert len(first.context["done"].object_list) == 2
    html = first.content.decode()
    # The next page keeps the list's filters, for the way back.
    assert 'href="?q=seen&amp;page=2#bulk-done"' in html
    assert f'href="{reverse("review:moderate")}?q=seen"' in html
    second = as_ada.get(_url(bulk, q="seen", page="2"), headers={"HX-Request": "true"})
    assert b"<html" not in second.content
    assert str(notes[2].public_id) in second.content.decode()
    assert str(notes[0].public_id) not in second.content.decode()
    assert (
        f'href="{reverse("review:moderate")}?q=seen"'
        in as_ada.get(_url(bulk, q="seen", page="2")).content.decode()
    )

    retract = bulk_action_create(
        by=ada,
        kind="retract",
        pair_ids=[make_pair(author=alice, category=open_qa).pk for _ in "abc"],
        text="Spam.",
    )
    bulk_action_run(bulk_id=retract.pk)
    refused = as_ada.get(_url(retract))
    assert len(refused.context["refusals"].object_list) == 2
    assert len(as_ada.get(_url(retract, refused="2")).context["refusals"].object_list) == 1


@override_settings(HANDWRITTEN_PAGE_SIZE=1)
def test_both_lists_page_through_one_pager(as_ada, alice, ada, open_qa):
    pairs = [make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada) for _ in "ab"]
    pairs += [make_pair(author=alice, category=open_qa) for _ in "ab"]
    bulk = bulk_action_create(by=ada, kind="retract", pair_ids=[p.pk for p in pairs], text="Spam.")
    bulk_action_run(bulk_id=bulk.pk)
    response = as_ada.get(_url(bulk, q="x", page="2", refused="1"))
    # One template for the two pagers, each with its own parameter, heading and name.
    assert [t.name for t in response.templates].count("review/_pager.html") == 2
    html = response.content.decode()
    done = html[html.index('aria-label="Pages of pairs done"') :]
    done = done[: done.index("</nav>")]
    assert 'href="?q=x&amp;page=1&amp;refused=1#bulk-done"' in done
    assert 'hx-get="?q=x&amp;page=1&amp;refused=1" hx-target="#bulk-progress"' in done
    assert 'rel="prev">← Previous</a>' in done and "Next →" not in done
    refused = html[html.index('aria-label="Pages of refusals"') :]
    refused = refused[: refused.index("</nav>")]
    assert 'href="?q=x&amp;page=2&amp;refused=2#bulk-refused"' in refused
    assert 'rel="next">Next →</a>' in refused and "Previous" not in refused
    assert "Page 1 of 2" in refused
