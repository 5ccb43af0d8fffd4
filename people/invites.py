"""People: admins invite them by email with roles; invitees choose a password to join.

No mail server is assumed. An invitation creates the account straight away (unusable
password) and yields a one-time link to show the admin; it is also sent through Django's
email API, which may only log it. The link carries Django's password-reset token, which
stops working once the password is set (the token covers the password hash and
last_login) or after PASSWORD_RESET_TIMEOUT.

The link the admin sees proves nothing about who holds it (an admin may paste it
anywhere), so an account joining through it acts only once its address is verified through
allauth's confirmation mail (people.views.invites.accept_invite). The mail carries its own
link, with a token the admin never sees: following that one shows the invitee reads mail at
the address, so joining through it verifies the address and signs in at once.
"""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from people.accounts import mark_email_verified, username_reserved, username_taken
from people.events import announce
from people.roles import ADMIN, ROLES, roles_held

log = logging.getLogger(__name__)

_NOT_USERNAME = re.compile(r"[^\w.+-]")
_USERNAME_MAX = User._meta.get_field("username").max_length


class _MailedTokenGenerator(PasswordResetTokenGenerator):
    # Its own salt, so the admin's copy of the link cannot be turned into the mailed one.
    # Like Django's, a token also stops working once the password is set, after
    # PASSWORD_RESET_TIMEOUT, or when the account's address changes.
    key_salt = "people.invites.mailed"


_mailed_tokens = _MailedTokenGenerator()


@dataclass(frozen=True)
class Invitation:
    user: User
    link: str
    again: bool = False  # the account existed, still unaccepted: this is a fresh link


@dataclass
class InviteOutcome:
    invited: list[Invitation] = field(default_factory=list)
    # Addresses that already belong to an account that is in use: nothing was done.
    existing: list[User] = field(default_factory=list)


def user_roles_set(*, user: User, roles: Iterable[str], by: User | None) -> None:
    """Make ``user`` hold exactly ``roles`` among the role groups; other groups stay.

    The admin role comes with staff status (Django's admin); superusers keep theirs.
    """
    roles = sorted(set(roles))
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"Unknown roles: {', '.join(sorted(unknown))}")
    before = roles_held(user)
    with transaction.atomic():
        user.groups.remove(*Group.objects.filter(name__in=ROLES).exclude(name__in=roles))
        user.groups.add(*[Group.objects.get_or_create(name=name)[0] for name in roles])
        staff = ADMIN in roles or user.is_superuser
        if user.is_staff != staff:
            user.is_staff = staff
            user.save(update_fields=["is_staff"])
        if before != roles:
            announce(actor=by, verb="user.roles", user=user, before=before, after=roles)
    user.__dict__.pop("_role_names", None)


def username_for(email: str) -> str:
    """A free username made from the address's local part: ``ann.lee``, ``ann.lee2``...

    Free means neither reserved nor taken after people.accounts.name_key.
    """
    base = _NOT_USERNAME.sub("", email.split("@", 1)[0].lower())[: _USERNAME_MAX - 6] or "user"
    candidate, n = base, 1
    while username_reserved(candidate) or username_taken(candidate):
        n += 1
        candidate = f"{base}{n}"
    return candidate


def invite_link(user: User, *, mailed: bool = False) -> str:
    """The path of a one-time link with which ``user`` sets a password.

    ``mailed``: the copy that goes only to the user's address (see the module's doc).
    """
    tokens = _mailed_tokens if mailed else default_token_generator
    return reverse(
        "people:accept_invite",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": tokens.make_token(user),
        },
    )


def is_pending(user: User) -> bool:
    """Invited but never joined: no password chosen, never signed in."""
    return not user.has_usable_password() and user.last_login is None


def people_invite(*, emails: list[str], roles: list[str], by: User, site_url: str) -> InviteOutcome:
    """Create an account with ``roles`` for every new address and make its invitation link.

    An address whose account was invited but never used gets a fresh link, and its earlier
    links stop working (roles are not changed); one whose account is in use is reported in
    ``existing``. ``site_url`` (e.g. ``https://handwritten.example.com``) makes the links
    absolute.
    """
    outcome = InviteOutcome()
    with transaction.atomic():
        for email in emails:
            user = User.objects.filter(email__iexact=email).order_by("pk").first()
            if user is not None and not is_pending(user):
                outcome.existing.append(user)
                continue
            again = user is not None
            if again:
                # A new unusable password changes what the tokens cover, so every link sent
                # before (a mistyped paste, an old mail) stops working: only the fresh one joins.
                user.set_unusable_password()
                user.save(update_fields=["password"])
            else:
                user = User(username=username_for(email), email=email)
                user.set_unusable_password()
                user.save()
                user_roles_set(user=user, roles=roles, by=by)
            # A fresh link leaves the roles as they were: record those, not the ones asked.
            announce(
                actor=by,
                verb="user.invite",
                user=user,
                email=email,
                roles=roles_held(user),
                again=again,
            )
            link = site_url.rstrip("/") + invite_link(user)
            outcome.invited.append(Invitation(user=user, link=link, again=again))
    for invitation in outcome.invited:
        _send(
            invitation, link=site_url.rstrip("/") + invite_link(invitation.user, mailed=True), by=by
        )
    return outcome


def _send(invitation: Invitation, *, link: str, by: User) -> None:
    inviter = by.get_full_name() or by.get_username()
    body = (
        f"{inviter} invited you to Handwritten, where we write and review "
        f"instruction/response pairs by hand.\n\n"
        f"Your username is {invitation.user.username}. Choose a password here to join:\n"
        f"{link}\n\nThe link works once and expires in a few days."
    )
    # The admin sees every link on the page, so a mail that cannot go out loses nothing.
    try:
        send_mail("You are invited to Handwritten", body, None, [invitation.user.email])
    except OSError:
        log.warning("Could not send the invitation to %s", invitation.user.email, exc_info=True)


def invited_user(*, uidb64: str, token: str) -> User | None:
    """The account an invitation link is for, or None if the link is invalid or used up."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not (
        default_token_generator.check_token(user, token) or invite_mailed(user=user, token=token)
    ):
        return None
    return user


def invite_mailed(*, user: User, token: str) -> bool:
    """Whether ``token`` is a valid one from the link mailed to ``user``'s address."""
    return _mailed_tokens.check_token(user, token)


def invite_accept(*, user: User, password: str, token: str) -> User:
    """The invitee chose a (validated) password with ``token``; the link stops working.

    Through the mailed link the address is verified here; through the admin's copy the
    account acts only after it is verified (the caller sends the mail).
    """
    # Checked before the password changes, which ends every token of the invitation.
    mailed = invite_mailed(user=user, token=token)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        if mailed:
            mark_email_verified(user=user)
        announce(actor=user, verb="user.accept_invite", user=user, address_verified=mailed)
    password_validation.password_changed(password, user)
    return user
