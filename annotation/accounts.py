"""Self sign-up: people with an address at one of the configured domains make their own
account and start as contributors. Off unless SIGNUP_EMAIL_DOMAINS lists a domain."""

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from annotation.audit import audit
from annotation.roles import CONTRIBUTOR


def signup_domains() -> list[str]:
    return list(settings.SIGNUP_EMAIL_DOMAINS)


def signup_enabled() -> bool:
    return bool(signup_domains())


def email_domain_allowed(email: str) -> bool:
    """Exactly one of the listed domains: a subdomain or look-alike is someone else's."""
    _, at, domain = email.rpartition("@")
    return bool(at) and domain.lower() in signup_domains()


def user_signup(*, username: str, email: str, password: str) -> User:
    """Create an active account with the contributor role; callers checked uniqueness."""
    if not email_domain_allowed(email):
        raise PermissionDenied("Sign-up is not open to this email address.")
    with transaction.atomic():
        user = User.objects.create_user(username=username, email=email, password=password)
        user.groups.add(Group.objects.get_or_create(name=CONTRIBUTOR)[0])
        audit(
            actor=user,
            verb="user.signup",
            obj=user,
            email_domain=email.rpartition("@")[2].lower(),
            roles=[CONTRIBUTOR],
        )
    return user
