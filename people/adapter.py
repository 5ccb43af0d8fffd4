"""django-allauth, fitted to this site: who may sign up, which names may be taken, and
what a new account starts with. The rules themselves live in people.accounts."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest

from people.accounts import (
    person_signed_up,
    signup_enabled,
    username_validate,
)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Only the sign-up page asks (company SSO has its own adapter below); closed, the
        # page does not exist.
        if not signup_enabled():
            raise Http404("Self sign-up is not enabled on this site.")
        return True

    def is_safe_url(self, url: str | None) -> bool:
        # allauth parses ``next`` before it checks it; an address that does not parse
        # ("http://[x") raised, and signing in failed with a server error.
        try:
            return super().is_safe_url(url)
        except ValueError:
            return False

    def clean_username(self, username: str, shallow: bool = False) -> str:
        # Ours first: one message for reserved, taken and look-alike names alike.
        if not shallow:
            username_validate(username)
        return super().clean_username(username, shallow=shallow)

    def clean_email(self, email: str) -> str:
        # Sign-up's own rule on the domain is in people.signup_form.
        return super().clean_email(email).lower()

    def save_user(
        self, request: HttpRequest, user: User, form: forms.Form, commit: bool = True
    ) -> User:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            person_signed_up(user=user)
        return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Company SSO (OIDC) may create accounts when it is configured; nothing else may."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return bool(settings.OIDC_SERVER_URL)

    def save_user(
        self, request: HttpRequest, sociallogin: SocialLogin, form: forms.Form | None = None
    ) -> User:
        user = super().save_user(request, sociallogin, form=form)
        person_signed_up(user=user)
        return user
