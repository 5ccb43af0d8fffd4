"""Roles are Django groups. One person may hold several."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.http import url_has_allowed_host_and_scheme

CONTRIBUTOR = "contributor"
REVIEWER = "reviewer"
ADMIN = "admin"
ROLES = (CONTRIBUTOR, REVIEWER, ADMIN)


def roles_held(user: User) -> list[str]:
    """The roles ``user``'s groups give, sorted, as the database has them now."""
    return sorted(user.groups.filter(name__in=ROLES).values_list("name", flat=True))


def has_role(user: User | AnonymousUser, role: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = user._role_names = set(roles_held(user))
    return role in cached


def is_contributor(user: User | AnonymousUser) -> bool:
    return has_role(user, CONTRIBUTOR)


def is_reviewer(user: User | AnonymousUser) -> bool:
    return has_role(user, REVIEWER)


def is_admin(user: User | AnonymousUser) -> bool:
    return has_role(user, ADMIN)


def _sign_in_first(request: HttpRequest) -> HttpResponseBase:
    """What a signed-out request gets: htmx, a 401 it does not swap in (the page says so,
    static/js/signed-out.js), rather than the login page inside the page; a form sent
    after the session ended, the login page leading back to the page the form was on
    (the form's own address answers POST only), where static/js/keep-form.js gives back
    what was typed."""
    if request.htmx:
        return HttpResponse("You were signed out.", status=401, content_type="text/plain")
    back = request.get_full_path()
    if request.method == "POST":
        referer = request.headers.get("Referer", "")
        host_ok = url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        back = urlsplit(referer)._replace(scheme="", netloc="").geturl() if host_ok else "/"
    return redirect_to_login(back)


def role_required(role: str) -> Callable:
    """Signed in (else see :func:`_sign_in_first`) and holding ``role`` (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return _sign_in_first(request)
            if not has_role(request.user, role):
                raise PermissionDenied(f"This page is for the {role} role.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
