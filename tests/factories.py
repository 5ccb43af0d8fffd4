"""Building blocks for tests: users with roles, and pairs driven through the real services."""

import itertools
import uuid

from django.contrib.auth.models import Group, User
from django.utils import timezone

from annotation.drafts import DraftText, draft_save, pair_start
from annotation.models import Assignment, Category, Pair
from annotation.submission import pair_submit
from annotation.workflow import S, transition
from people.accounts import mark_email_verified

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_user(username: str, *roles: str, verified: bool = True, **extra) -> User:
    """A user with ``roles`` whose address is verified (so they can sign in) unless told."""
    user = User.objects.create_user(
        username=username, email=f"{username}@example.com", password=PASSWORD, **extra
    )
    if verified:
        mark_email_verified(user=user)
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def make_assignment(*, contributor: User, category: Category) -> Assignment:
    return Assignment.objects.create(
        contributor=contributor,
        category=category,
        expires_at=timezone.now() + timezone.timedelta(hours=24),
    )


_HEX_TO_LETTERS = str.maketrans("0123456789abcdef", "ghijklmnopqrstuv")


def unique_token(length: int = 12) -> str:
    """A random token of letters only.

    A hex token sometimes holds a run of digits the personal-data check reads as a phone
    number (CI once drew one), which made a test's pair refuse to submit.
    """
    return uuid.uuid4().hex[:length].translate(_HEX_TO_LETTERS)


def unique_text(prefix: str = "Instruction") -> str:
    return f"{prefix} number {next(_counter)}: what should a careful writer explain here?"


def make_pair(
    *,
    author: User,
    category: Category,
    status: str = S.SUBMITTED,
    instruction: str | None = None,
    context: str | None = None,
    response: str = "A complete, hand-written response that answers the instruction.",
    by: User | None = None,
) -> Pair:
    """A pair in ``status``, reached through the same services the app uses.

    ``approved`` is reached the way an import with --status approved does it, without
    reviews; tests of review itself should use the review services instead.
    """
    if context is None:
        context = (
            "A reference passage that the response is grounded in, long enough to count."
            if category.context_policy == Category.ContextPolicy.REQUIRED
            else ""
        )
    pair = pair_start(assignment=make_assignment(contributor=author, category=category), by=author)
    draft_save(
        pair=pair,
        by=author,
        text=DraftText(
            instruction=instruction or unique_text(), context=context, response=response
        ),
        base_version=0,
        typed_chars=len(response),
    )
    if status == S.DRAFT:
        return Pair.objects.get(pk=pair.pk)
    pair_submit(pair=pair, by=author)
    pair.refresh_from_db()
    if status == S.SUBMITTED:
        return pair
    if status == S.APPROVED:
        return transition(
            pair=pair,
            to=S.APPROVED,
            by=by,
            verb="pair.approve",
            fields={"approved_revision": pair.current_revision, "approved_at": timezone.now()},
        )
    return transition(pair=pair, to=status, by=by, verb=f"pair.{status}")


def resubmit(pair: Pair, *, response: str) -> Pair:
    """The author saves ``response`` as the pair's answer and submits it as a new revision."""
    pair.refresh_from_db()
    draft = pair.draft
    draft.refresh_from_db()
    draft_save(
        pair=pair,
        by=pair.author,
        text=DraftText(
            instruction=draft.instruction,
            context=draft.context,
            response=response,
            source_url=draft.source_url,
        ),
        base_version=draft.version,
        typed_chars=len(response),
    )
    pair_submit(pair=pair, by=pair.author)
    pair.refresh_from_db()
    return pair
