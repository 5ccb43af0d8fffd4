from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from annotation.forms import LicenceForm
from annotation.licence import licence_accept
from annotation.models import Dataset
from annotation.roles import CONTRIBUTOR, role_required
from annotation.views.gates import licence_page, next_url, signed_in_for_htmx, url_with


@signed_in_for_htmx
@role_required(CONTRIBUTOR)
def accept(request: HttpRequest, dataset: str) -> HttpResponse:
    dataset = get_object_or_404(Dataset, slug=dataset)
    if request.method != "POST":
        return licence_page(request, dataset)
    form = LicenceForm(request.POST)
    if not form.is_valid():
        return licence_page(request, dataset, form=form)
    licence_accept(user=request.user, dataset=dataset)
    messages.success(request, f"Thank you. You accepted {dataset.licence} for {dataset.name}.")
    return redirect(next_url(request) or url_with("annotation:write", dataset=dataset.slug))
