from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from config.fragments import render_page
from people.forms import InviteForm
from people.invites import invite_accept, invite_mailed, invited_user, people_invite
from people.roles import ADMIN, role_required


def _pending_page(request: HttpRequest) -> Page:
    """Invited people who have not joined yet, newest first."""
    pending = (
        User.objects.filter(password__startswith=UNUSABLE_PASSWORD_PREFIX, last_login=None)
        .exclude(email="")
        .prefetch_related("groups")
        .order_by("-date_joined", "-pk")
    )
    return Paginator(pending, settings.HANDWRITTEN_PAGE_SIZE).get_page(request.GET.get("page"))


@role_required(ADMIN)
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST if request.method == "POST" else None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = people_invite(
            emails=form.cleaned_data["emails"],
            roles=form.cleaned_data["roles"],
            by=request.user,
            site_url=request.build_absolute_uri("/"),
        )
        form = InviteForm(initial={"roles": form.cleaned_data["roles"]})
    context = {"form": form, "outcome": outcome, "pending": _pending_page(request)}
    # An invalid form answers 422, as every form of the site does (htmx swaps it in).
    status = 422 if form.errors else 200
    return render_page(request, "people/invite.html", "panel", context, status=status)


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def accept_invite(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = invited_user(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "people/accept_invite.html", {"invalid": True}, status=400)
    mailed = invite_mailed(user=user, token=token)
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        invite_accept(user=user, password=form.cleaned_data["new_password1"], token=token)
        if mailed:
            messages.success(request, "Welcome to Handwritten: your address is confirmed.")
        # Signs in only once the invited address is verified (the mailed link did that);
        # otherwise allauth mails the confirmation link there and says "check your email".
        return perform_login(
            request,
            user,
            email_verification=settings.ACCOUNT_EMAIL_VERIFICATION,
            redirect_url=resolve_url(settings.LOGIN_REDIRECT_URL),
        )
    context = {"form": form, "invitee": user, "mailed": mailed}
    return render(request, "people/accept_invite.html", context, status=422 if form.errors else 200)
