import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from annotation.models import Pair, Revision


class Review(models.Model):
    """One reviewer's decision on one revision of a pair."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        APPROVE_WITH_EDIT = "approve_with_edit", "Approve with an edit"
        REQUEST_CHANGES = "request_changes", "Request changes"
        REJECT = "reject", "Reject"

    class Reason(models.TextChoices):
        OFF_GUIDELINE = "off_guideline", "Does not follow the category's guidelines"
        FACTUALLY_WRONG = "factually_wrong", "Factually wrong"
        COPIED = "copied", "Copied or machine-generated"
        PERSONAL_DATA = "personal_data", "Contains personal data"
        HARMFUL = "harmful", "Harmful"
        DUPLICATE = "duplicate", "Duplicate"
        OTHER = "other", "Other"

    pair = models.ForeignKey(Pair, on_delete=models.PROTECT, related_name="reviews")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    # The pair's review_round when this was given; a reopened pair starts a new round.
    round = models.PositiveIntegerField(default=0)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    comment = models.TextField(blank=True)
    helpfulness = models.PositiveSmallIntegerField(null=True, blank=True)
    correctness = models.PositiveSmallIntegerField(null=True, blank=True)
    writing = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "reviewer", "round"], name="review_once_per_revision"
            ),
            models.CheckConstraint(
                condition=Q(helpfulness__isnull=True) | Q(helpfulness__range=(1, 5)),
                name="review_helpfulness_1_5",
            ),
            models.CheckConstraint(
                condition=Q(correctness__isnull=True) | Q(correctness__range=(1, 5)),
                name="review_correctness_1_5",
            ),
            models.CheckConstraint(
                condition=Q(writing__isnull=True) | Q(writing__range=(1, 5)),
                name="review_writing_1_5",
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "created_at"])]

    def __str__(self) -> str:
        return f"{self.reviewer_id} {self.decision} {self.revision_id}"


class EditProposal(models.Model):
    """New text proposed against a base revision; accepted, it becomes a new revision."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        STALE = "stale", "Stale"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pair = models.ForeignKey(Pair, on_delete=models.PROTECT, related_name="edit_proposals")
    base_revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="edit_proposals"
    )
    review = models.OneToOneField(
        Review, on_delete=models.PROTECT, null=True, blank=True, related_name="edit_proposal"
    )
    instruction = models.TextField()
    context = models.TextField(blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    response = models.TextField()
    comment = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    result_revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="edit_queue",
                condition=Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class Lease(models.Model):
    """A reviewer's hold on one item of a queue, so two people never work one item: a pair
    in the review queue or a proposed edit in the edit queue. The rules are review.leases.

    A person holds at most one lease of each kind: the database refuses a second one, so
    two tabs or a double click can never hide a second item from everyone else. A lease
    past ``expires_at`` is nobody's; its row stays until its holder or its item is leased
    again.
    """

    class Kind(models.TextChoices):
        REVIEW = "review", "Review"
        EDIT = "edit", "Edit"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="leases"
    )
    # Exactly one of these, per kind: the item held.
    pair = models.OneToOneField(
        Pair, on_delete=models.PROTECT, null=True, blank=True, related_name="lease"
    )
    proposal = models.OneToOneField(
        EditProposal, on_delete=models.PROTECT, null=True, blank=True, related_name="lease"
    )
    taken_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["holder", "kind"], name="lease_one_per_holder"),
            models.CheckConstraint(
                condition=(
                    Q(kind="review", pair__isnull=False, proposal__isnull=True)
                    | Q(kind="edit", pair__isnull=True, proposal__isnull=False)
                ),
                name="lease_holds_one_item_of_its_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} lease of {self.pair_id or self.proposal_id} to {self.holder_id}"


class InProgress(models.Model):
    """A pair whose current revision has reviews this round but no verdict yet.

    The queue hands these out first so started pairs are finished before new ones are
    opened. It is a small table (bounded by reviewer throughput, not by the backlog), so
    looking here first never sorts the whole queue. Rows are written and deleted by the
    decision services; a row whose pair has since moved on (withdrawn, resubmitted) no
    longer matches the pair's revision or round and is ignored, then pruned.
    """

    # Derived data: it goes with its pair.
    pair = models.OneToOneField(
        Pair, on_delete=models.CASCADE, primary_key=True, related_name="review_in_progress"
    )
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="+")
    round = models.PositiveIntegerField()
    # A copy of the pair's submitted_at, so the oldest started pair is found from this
    # table's own index.
    submitted_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["submitted_at"], name="review_in_progress_age")]

    def __str__(self) -> str:
        return f"{self.pair_id} r{self.revision_id} in progress"


class BulkAction(models.Model):
    """An admin's action on many pairs at once, applied pair by pair, with its outcome.

    The selection is fixed when the admin presses the button (``pair_ids``), so pairs that
    start or stop matching the filters meanwhile do not change what is done. ``position``
    counts the pairs dealt with; it is committed with their changes, so a worker that dies
    and is redelivered the task carries on where the last commit left off.
    """

    class Kind(models.TextChoices):
        RETRACT = "retract", "Retract for good (never ships again)"
        REOPEN = "reopen", "Reopen for review"
        MOVE = "move", "Move to another category"
        NOTE = "note", "Add a note"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The reason (retract, reopen) or the note.
    text = models.TextField(blank=True)
    # Where a move goes.
    category = models.ForeignKey(
        "annotation.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pair_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # The pairs it changed, in the order it changed them, for the result page: the
    # selection less the refusals, which are kept only in part.
    done_ids = models.JSONField(default=list)
    refused = models.PositiveIntegerField(default=0)
    # [{"pair": public id, "instruction": start of it, "why": message}], the first few
    # hundred; ``refused`` counts them all.
    refusals = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.total} pairs"

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.position * 100 // self.total

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class InsightsSnapshot(models.Model):
    """A dataset's insights figures as last computed.

    At a million pairs and three million reviews the figures took 77 s of the database's
    time (tests/bench/insights.py), so the page serves this copy (15 ms) and a worker
    refreshes it when a visit finds it older than INSIGHTS_STALE_SECONDS.
    """

    dataset = models.OneToOneField("annotation.Dataset", on_delete=models.CASCADE, related_name="+")
    figures = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    # How long the last computation took.
    seconds = models.FloatField(default=0)
    # Set while a refresh is queued or running; cleared when it is stored.
    requested_at = models.DateTimeField(null=True, blank=True)
    # Progress of the running refresh: parts done of parts_total.
    parts_done = models.PositiveSmallIntegerField(default=0)
    parts_total = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"insights of {self.dataset_id} as of {self.computed_at}"
