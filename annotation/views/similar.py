"""The write page's near-duplicate panel: the pairs most like the instruction being typed."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from annotation.forms import NearDuplicateForm
from annotation.models import Pair
from annotation.roles import CONTRIBUTOR, role_required
from annotation.similar import near_duplicates_context
from annotation.views.gates import signed_in_for_htmx


@signed_in_for_htmx
@role_required(CONTRIBUTOR)
@require_POST
def near_duplicates(request: HttpRequest, public_id: UUID) -> HttpResponse:
    # Only the author's own pair: the list is about what they are writing.
    pair = get_object_or_404(
        Pair.objects.select_related("dataset"), public_id=public_id, author=request.user
    )
    form = NearDuplicateForm(request.POST)
    instruction = form.cleaned_data["instruction"] if form.is_valid() else ""
    context = near_duplicates_context(
        instruction=instruction,
        dataset=pair.dataset,
        viewer=request.user,
        exclude=pair,
        url=reverse("annotation:near_duplicates", args=[pair.public_id]),
    )
    return render(request, "annotation/_near_duplicates.html#list", context)
