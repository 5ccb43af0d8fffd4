"""Accounts: who may sign up, which names may be taken, and the system accounts.

Sign-up, sign-in and email verification are django-allauth's (people/adapter.py hooks this
module into it). Self sign-up is off unless SIGNUP_EMAIL_DOMAINS lists a domain.
"""

import unicodedata

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from people.events import announce
from people.roles import CONTRIBUTOR

IMPORTER = "importer"
SYSTEM = "system"
# Accounts the app itself acts as; a data migration makes them, nobody can sign in as them.
SYSTEM_USERNAMES = (IMPORTER, SYSTEM)


def signup_domains() -> list[str]:
    return list(settings.SIGNUP_EMAIL_DOMAINS)


def signup_enabled() -> bool:
    return bool(signup_domains())


def email_domain_allowed(email: str) -> bool:
    """Exactly one of the listed domains: a subdomain or look-alike is someone else's."""
    _, at, domain = email.rpartition("@")
    return bool(at) and domain.lower() in signup_domains()


def name_key(username: str) -> str:
    """The form two usernames are compared in: NFKC, then case-folded (so "ＡＤＭＩＮ",
    "Admin" and "admin" are one name, and so are "Ålice" and "ålice")."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())


def login_name(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The name django-axes counts failed sign-ins under (AXES_USERNAME_CALLABLE): the
    name_key() of what was typed. Sign-in finds an account whatever the case of its name,
    so a lock kept under the name as typed gave each way of writing it five guesses."""
    typed = (credentials or {}).get("username") or request.POST.get("login")
    typed = typed or request.POST.get("username")
    return name_key(typed) if typed else None


def username_reserved(username: str) -> bool:
    """One of settings.ACCOUNT_USERNAME_BLACKLIST (allauth's list), in any look-alike form."""
    return name_key(username) in {name_key(name) for name in settings.ACCOUNT_USERNAME_BLACKLIST}


def username_taken(username: str, *, exclude_pk: int | None = None) -> bool:
    """Whether an existing account's name is ``username`` after name_key().

    Compared in Python over every username: databases have no NFKC case fold, and a
    company's accounts number in the thousands, which this reads in milliseconds.
    """
    key = name_key(username)
    names = User.objects.exclude(pk=exclude_pk).values_list("username", flat=True)
    return any(name_key(name) == key for name in names.iterator())


def username_validate(username: str, *, exclude_pk: int | None = None) -> None:
    """Refuse reserved names and names that collide with an existing one after name_key().

    One message for both, so the form does not tell which names are held by whom.
    """
    if username_reserved(username) or username_taken(username, exclude_pk=exclude_pk):
        raise ValidationError("This username is not available; choose another.", code="taken")


def mark_email_verified(*, user: User) -> EmailAddress:
    """Record ``user``'s address as verified and primary (demo and system-made accounts)."""
    if not user.email:
        raise ValueError(f"{user.get_username()} has no email address to verify")
    address, _ = EmailAddress.objects.update_or_create(
        user=user,
        email__iexact=user.email,
        defaults={"email": user.email, "verified": True, "primary": True},
    )
    return address


def person_signed_up(*, user: User) -> User:
    """A self-signed-up account starts as a contributor; it acts once its email is verified."""
    with transaction.atomic():
        user.groups.add(Group.objects.get_or_create(name=CONTRIBUTOR)[0])
        announce(
            actor=user,
            verb="user.signup",
            user=user,
            email_domain=user.email.rpartition("@")[2].lower(),
            roles=[CONTRIBUTOR],
        )
    return user


def system_user(username: str) -> User:
    """A system account made by people's migration 0001 (fails loudly if it is missing)."""
    if username not in SYSTEM_USERNAMES:
        raise ValueError(f"{username!r} is not a system account")
    return User.objects.get(username=username)
