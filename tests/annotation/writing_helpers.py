"""Shared by the writing-flow tests: licence acceptance and the editor's POST data."""

from annotation.licence import licence_accept
from annotation.models import Dataset, Pair

HTMX = {"HTTP_HX_REQUEST": "true"}


def accept_licence(*users, dataset: Dataset) -> None:
    for user in users:
        licence_accept(user=user, dataset=dataset)


def editor_data(pair: Pair, **overrides) -> dict:
    """What the edit form posts: the draft's current text and version, then ``overrides``."""
    draft = pair.draft
    draft.refresh_from_db()
    data = {
        "instruction": draft.instruction,
        "context": draft.context,
        "source_url": draft.source_url,
        "response": draft.response,
        "version": draft.version,
    }
    data.update(overrides)
    return data
