from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import replace_url

from annotation.models import Dataset
from annotation.pairs import shipped_pairs
from annotation.roles import ADMIN, role_required
from config.fragments import render_page
from exports.archive import archive_name, zip_chunks
from exports.forms import ReleaseForm
from exports.models import Release
from exports.selectors import (
    attach_latest,
    dataset_releases,
    datasets_with_latest_release,
    latest_full_release,
    release_by_ref,
)
from exports.services import (
    NotRestartable,
    ReleaseImmutable,
    can_restart,
    release_request,
    release_restart,
)
from exports.storage import download_link, release_storage


def _page(request: HttpRequest, items: QuerySet) -> Page:
    return Paginator(items, settings.HANDWRITTEN_PAGE_SIZE).get_page(request.GET.get("page"))


@role_required(ADMIN)
def dataset_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, datasets_with_latest_release())
    attach_latest(page.object_list)
    return render(request, "exports/datasets.html", {"page": page})


@role_required(ADMIN)
def release_list(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = get_object_or_404(Dataset, slug=slug)
    form = ReleaseForm(request.POST if request.method == "POST" else None, dataset=dataset)
    if request.method == "POST" and form.is_valid():
        release, created = release_request(dataset=dataset, by=request.user, **form.cleaned_data)
        if not created:
            messages.info(request, "The same release was already asked for: here it is.")
        release.refresh_from_db()  # built already, if tasks run in-process: named by version
        return redirect("exports:release", slug=dataset.slug, ref=release.ref)
    context = {
        "dataset": dataset,
        "form": form,
        "page": _page(request, dataset_releases(dataset)),
        "shippable": shipped_pairs(dataset=dataset).count(),
        "latest": latest_full_release(dataset),
    }
    return render(request, "exports/releases.html", context, status=422 if form.errors else 200)


@role_required(ADMIN)
def release_detail(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    release = release_by_ref(slug=slug, ref=ref)
    names = dict(release.dataset.categories.values_list("slug", "name"))
    context = {
        "release": release,
        # By name, with the slug the files name it by.
        "category_counts": [
            (names.get(slug, slug), slug, count)
            for slug, count in sorted((release.counts.get("categories") or {}).items())
        ],
        "files": release.files.all() if release.state == Release.State.READY else [],
        "can_restart": can_restart(release),
    }
    response = render_page(request, "exports/release.html", "status", context)
    if request.htmx and release.ref != str(ref):
        # Polled until it became ready: the address and the tab name it by its version now.
        replace_url(response, reverse("exports:release", args=[slug, release.ref]))
    return response


@role_required(ADMIN)
@require_POST
def restart(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    release = release_by_ref(slug=slug, ref=ref)
    try:
        release_restart(release=release, by=request.user)
    except (NotRestartable, ReleaseImmutable) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Release {release.label} was handed to the worker again.")
    return redirect("exports:release", slug=slug, ref=release.ref)


def _ready(slug: str, ref: str) -> Release:
    release = release_by_ref(slug=slug, ref=ref)
    if release.state != Release.State.READY:
        raise Http404("This release has no files yet.")
    return release


@role_required(ADMIN)
def download(request: HttpRequest, slug: str, ref: str, name: str) -> HttpResponseBase:
    release = _ready(slug, ref)
    # Only a name the release lists; the storage path comes from the row, never the URL.
    # (A NUL byte names no file, and PostgreSQL refuses it in a query.)
    if "\x00" in name:
        raise Http404("No such file.")
    file = get_object_or_404(release.files, name=name)
    filename = f"{archive_name(release)}-{file.name.rsplit('/', 1)[-1]}"
    link = download_link(file.storage_path, filename=filename)
    if link is not None:
        return redirect(link)
    return FileResponse(
        release_storage().open(file.storage_path, "rb"), as_attachment=True, filename=filename
    )


@role_required(ADMIN)
def download_zip(request: HttpRequest, slug: str, ref: str) -> StreamingHttpResponse:
    release = _ready(slug, ref)
    response = StreamingHttpResponse(zip_chunks(release), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive_name(release)}.zip"'
    return response
