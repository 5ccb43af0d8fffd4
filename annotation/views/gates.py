"""What the writing views check before they do anything: sign-in for htmx, the licence."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.core.validators import slug_re
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import reswap, retarget

from annotation.forms import LicenceForm
from annotation.licence import licence_acceptance, licence_accepted
from annotation.models import Dataset


def _current_path(request: HttpRequest) -> str:
    """The page the htmx request came from, or the request's own path."""
    try:
        return request.htmx.current_url_abs_path or request.get_full_path()
    except ValueError:  # an HX-Current-URL that is no address ("http://[x")
        return request.get_full_path()


def signed_in_for_htmx(view: Callable) -> Callable:
    """An htmx request from a signed-out browser gets 401 and a note, not a login page.

    The note goes into the page's save status: the text stays where it is (and in the
    browser's storage), and the person is offered a sign-in link back to this page.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.htmx and not request.user.is_authenticated:
            back = _current_path(request)
            response = render(
                request,
                "annotation/write.html#savestate",
                {"state": "signedout", "login_url": url_with("login", next=back)},
                status=401,
            )
            return reswap(retarget(response, "#savestate"), "outerHTML")
        return view(request, *args, **kwargs)

    return wrapper


def is_slug(value: str) -> bool:
    """Whether ``value`` could name a slug; anything else (a NUL byte, which PostgreSQL
    refuses in a query, included) names nothing."""
    return bool(slug_re.match(value))


def dataset_chosen(request: HttpRequest) -> Dataset:
    """``?dataset=slug`` (or the posted field), else the first dataset."""
    slug = request.POST.get("dataset") or request.GET.get("dataset")
    if slug:
        if not is_slug(slug):
            raise Http404("No such dataset.")
        return get_object_or_404(Dataset, slug=slug)
    dataset = Dataset.objects.order_by("name", "pk").first()
    if dataset is None:
        raise Http404("There is no dataset to write for yet.")
    return dataset


def licence_refusal(request: HttpRequest, dataset: Dataset) -> HttpResponse | None:
    """None once the licence is accepted; otherwise the response that refuses.

    Pages send the person to the licence page and back; a POST changes nothing and gets
    403 with the licence page (or, for htmx, a note in the save status).
    """
    if licence_accepted(user=request.user, dataset=dataset):
        return None
    url = reverse("annotation:licence", args=[dataset.slug])
    if request.method == "GET":
        return redirect(url_with("annotation:licence", dataset.slug, next=request.get_full_path()))
    if request.htmx:
        response = render(
            request,
            "annotation/write.html#savestate",
            {"state": "licence", "licence_url": url},
            status=403,
        )
        return reswap(retarget(response, "#savestate"), "outerHTML")
    # Back to the page the refused form was on, once the licence is accepted.
    back = request.META.get("HTTP_REFERER", "")
    return licence_page(request, dataset, refused=True, back=back)


def url_with(name: str, *args, **query: str) -> str:
    """``reverse(name, args)`` with a query string, e.g. ``?dataset=dolly``."""
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def licence_page(
    request: HttpRequest,
    dataset: Dataset,
    *,
    form: LicenceForm | None = None,
    refused: bool = False,
    back: str = "",
) -> HttpResponse:
    """The licence explained, with the form to accept it (403 when a write was refused)."""
    context = {
        "dataset": dataset,
        "form": form or LicenceForm(),
        "acceptance": licence_acceptance(user=request.user, dataset=dataset),
        "next": next_url(request, fallback=back),
        "refused": refused,
    }
    # An invalid form answers 422, as every form of the site does.
    status = 403 if refused else 422 if form is not None and form.errors else 200
    return render(request, "annotation/licence.html", context, status=status)


def next_url(request: HttpRequest, fallback: str = "") -> str:
    """Where to go after the licence: ``next`` (or ``fallback``) if it stays on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or fallback
    # A path or address on this site: redirect() would read a bare word ("foo") as the
    # name of a view, and fail.
    try:
        absolute = candidate.startswith("/") or urlsplit(candidate).scheme in ("http", "https")
    except ValueError:  # no address at all ("http://[x")
        return ""
    if absolute and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""
