import pytest
from django.urls import reverse

from annotation.models import Category
from annotation.setup import roles_setup
from tests.factories import make_pair


@pytest.fixture
def as_staff_ada(ada, as_ada):
    """ada as seeded: the admin group with its permissions, staff, not a superuser."""
    roles_setup()
    return as_ada


def category_form(category: Category, **changes) -> dict:
    data = {
        "dataset": category.dataset_id,
        "slug": category.slug,
        "name": category.name,
        "active": "on" if category.active else None,
        "guidelines": category.guidelines,
        "examples": "[]",
        "context_policy": category.context_policy,
        "reviews_required": category.reviews_required,
        "target_share": category.target_share,
        "target_count": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    "model",
    [
        "annotation_dataset",
        "annotation_category",
        "auth_user",
        "annotation_pair",
        "annotation_revision",
        "annotation_assignment",
        "annotation_auditevent",
        "annotation_openprompt",
        "annotation_licenceacceptance",
    ],
)
def test_admins_open_the_changelists(as_staff_ada, dolly, alice, model):
    assert as_staff_ada.get(reverse(f"admin:{model}_changelist")).status_code == 200


def test_non_admins_are_kept_out(as_alice):
    response = as_alice.get(reverse("admin:annotation_category_changelist"))
    assert response.status_code == 302


def test_category_page_opens_and_refuses_shares_over_one(as_staff_ada, open_qa):
    url = reverse("admin:annotation_category_change", args=[open_qa.pk])
    assert as_staff_ada.get(url).status_code == 200

    response = as_staff_ada.post(url, category_form(open_qa, target_share="0.5"))

    assert response.status_code == 200
    error = str(response.context["adminform"].form.errors["target_share"])
    assert "add up to 125%" in error and "at most 25%" in error
    open_qa.refresh_from_db()
    assert open_qa.target_share == 0.25


def test_an_inactive_category_does_not_count_towards_the_shares(as_staff_ada, open_qa):
    url = reverse("admin:annotation_category_change", args=[open_qa.pk])
    response = as_staff_ada.post(url, category_form(open_qa, target_share="0.9", active=None))
    assert response.status_code == 302
    open_qa.refresh_from_db()
    assert open_qa.target_share == 0.9 and not open_qa.active


def dataset_form(response) -> dict:
    """The POST a browser would send for the dataset page as rendered."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        data[name] = form[name].value()
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if value is None or value is False:
                    continue
                data[sub.add_prefix(name)] = "on" if value is True else value
    return data


def test_dataset_page_checks_the_shares_of_all_its_categories_together(as_staff_ada, dolly):
    url = reverse("admin:annotation_dataset_change", args=[dolly.pk])
    data = dataset_form(as_staff_ada.get(url))
    slugs = {value: key[: -len("-slug")] for key, value in data.items() if key.endswith("-slug")}

    data[f"{slugs['open_qa']}-target_share"] = "0.45"
    response = as_staff_ada.post(url, data)
    assert response.status_code == 200
    assert "add up to 120%" in str(
        response.context["inline_admin_formsets"][0].formset.non_form_errors()
    )

    # Moving share from one category to another in one go is fine.
    data[f"{slugs['general_qa']}-target_share"] = "0.0"
    data[f"{slugs['brainstorming']}-target_share"] = "0.07"
    response = as_staff_ada.post(url, data)
    assert response.status_code == 302
    assert dolly.categories.get(slug="open_qa").target_share == 0.45


def test_pair_page_links_to_its_revisions_and_stays_read_only(as_staff_ada, alice, open_qa):
    pair = make_pair(author=alice, category=open_qa)
    other = make_pair(author=alice, category=open_qa)
    url = reverse("admin:annotation_pair_change", args=[pair.pk])
    page = as_staff_ada.get(url).content.decode()
    revisions_url = reverse("admin:annotation_revision_changelist") + f"?pair__id__exact={pair.pk}"
    assert revisions_url in page
    assert pair.current_revision.instruction in page

    listed = as_staff_ada.get(revisions_url).context["cl"].result_list
    assert [r.pair_id for r in listed] == [pair.pk]
    assert other.pk != pair.pk
    assert as_staff_ada.post(url, {"status": "approved"}).status_code == 403
    pair.refresh_from_db()
    assert pair.status == "submitted"


@pytest.mark.parametrize(
    "examples, error",
    [
        ("5", "Give a list of examples"),
        ('{"instruction": "a"}', "Give a list of examples"),
        ('"text"', "Give a list of examples"),
        ("[1]", "Example 1 is not an object"),
        ('[{"instruction": "a", "response": "b", "reply": "c"}]', "fields an example does not"),
        ('[{"instruction": "a", "response": NaN}]', "response must be text"),
        ('[{"instruction": "a", "response": 1e309}]', "response must be text"),
        ('[{"instruction": " ", "response": "b"}]', "Example 1 needs its instruction"),
    ],
)
def test_category_examples_must_be_examples(as_staff_ada, open_qa, examples, error):
    url = reverse("admin:annotation_category_change", args=[open_qa.pk])
    before = open_qa.examples

    response = as_staff_ada.post(url, category_form(open_qa, examples=examples))

    assert response.status_code == 200
    assert error in str(response.context["adminform"].form.errors["examples"])
    open_qa.refresh_from_db()
    assert open_qa.examples == before


def test_emptying_the_examples_box_leaves_no_examples(as_staff_ada, open_qa, alice):
    url = reverse("admin:annotation_category_change", args=[open_qa.pk])
    example = '[{"instruction": "Why?", "context": "", "response": "Because."}]'
    assert as_staff_ada.post(url, category_form(open_qa, examples=example)).status_code == 302
    open_qa.refresh_from_db()
    assert open_qa.examples == [{"instruction": "Why?", "context": "", "response": "Because."}]

    response = as_staff_ada.post(url, category_form(open_qa, examples=""))

    assert response.status_code == 302
    open_qa.refresh_from_db()
    assert open_qa.examples == []
