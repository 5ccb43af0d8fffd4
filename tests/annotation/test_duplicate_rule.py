"""The duplicate rule held by the database: one live pair per normalised instruction and
dataset (Pair.instruction_key, constraint pair_unique_live_instruction), issue 12.8/12.9."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from annotation import checks
from annotation.models import Pair
from annotation.normalisation import instruction_key, normalise
from annotation.submission import pair_reopen, pair_submit
from annotation.workflow import IllegalTransition, S, transition
from tests.annotation.writing_helpers import accept_licence
from tests.factories import make_pair, make_user

TIDES = "How do tides work on Earth?"


def test_a_submitted_pair_holds_its_normalised_instruction(alice, open_qa):
    pair = make_pair(author=alice, category=open_qa, instruction=TIDES)
    pair.refresh_from_db()
    assert pair.instruction_key == instruction_key(TIDES)
    assert pair.instruction_normalised == "how do tides work on earth?"
    assert pair.current_revision.instruction == TIDES  # stored as written


def test_the_database_refuses_a_second_live_pair_with_the_same_key(alice, dan, open_qa):
    first = make_pair(author=alice, category=open_qa, instruction=TIDES)
    second = make_pair(author=dan, category=open_qa, status=S.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pair.objects.filter(pk=second.pk).update(
            status=S.SUBMITTED, instruction_key=first.instruction_key
        )


def test_a_duplicate_the_checks_missed_is_refused_by_the_constraint(
    alice, dan, open_qa, monkeypatch
):
    """A concurrent submit commits between our check and our write: the check sees
    nothing, the database does."""
    make_pair(author=alice, category=open_qa, instruction=TIDES)
    pair = make_pair(
        author=dan, category=open_qa, status=S.DRAFT, instruction="How do tides w\u043erk on Earth?"
    )
    monkeypatch.setattr(checks, "duplicate_keys", lambda **kwargs: set())

    with pytest.raises(ValidationError) as refused:
        pair_submit(pair=pair, by=dan)

    assert refused.value.message_dict == {"instruction": [checks.DUPLICATE_MESSAGE]}
    pair.refresh_from_db()
    assert pair.status == S.DRAFT and pair.revisions.count() == 0
    assert pair.draft.instruction == "How do tides w\u043erk on Earth?"


def test_the_rule_is_per_dataset_and_for_live_pairs_only(alice, dan, open_qa, ada):
    withdrawn = make_pair(author=alice, category=open_qa, instruction=TIDES)
    transition(pair=withdrawn, to=S.WITHDRAWN, by=alice, verb="pair.withdraw")
    again = make_pair(author=dan, category=open_qa, instruction=TIDES)
    assert again.status == S.SUBMITTED


def test_a_rejected_pair_whose_instruction_was_taken_is_not_reopened(alice, dan, ada, open_qa):
    rejected = make_pair(author=alice, category=open_qa, instruction=TIDES, status=S.REJECTED)
    make_pair(author=dan, category=open_qa, instruction="how do TIDES work on earth?")
    with pytest.raises(IllegalTransition, match="its instruction is now another live pair's"):
        pair_reopen(pair=rejected, by=ada)
    rejected.refresh_from_db()
    assert rejected.status == S.REJECTED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_writers_submitting_one_instruction_at_once_one_wins(open_qa):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions")
    writers = [make_user(f"writer{i}", "contributor") for i in range(6)]
    accept_licence(*writers, dataset=open_qa.dataset)
    variants = [TIDES, "how do tides work on earth?", "How do tides w\u043erk on Earth?"]
    pairs = [
        make_pair(author=w, category=open_qa, status=S.DRAFT, instruction=variants[i % 3])
        for i, w in enumerate(writers)
    ]
    start = threading.Barrier(len(pairs))
    won, refused, errors = [], [], []

    def submit(pair) -> None:
        try:
            start.wait()
            won.append(pair_submit(pair=Pair.objects.get(pk=pair.pk), by=pair.author))
        except ValidationError as error:
            refused.append(error)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(pair,)) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(won) == 1 and len(refused) == len(pairs) - 1
    live = Pair.objects.filter(status=S.SUBMITTED)
    assert live.count() == 1
    assert live.get().instruction_normalised == normalise(TIDES)
