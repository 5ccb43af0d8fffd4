import hashlib
import logging
import uuid
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from annotation.normalisation import instruction_key  # noqa: F401  (re-exported)
from annotation.validators import validate_examples

logger = logging.getLogger(__name__)

# Statuses whose instruction still "exists": the duplicate rule and near-duplicates see them.
LIVE_STATUSES = ("submitted", "changes_requested", "approved")

# Full-text search over a revision (moderation's search): the fields and the text search
# configuration, which the GIN index below and every search query must use alike.
SEARCH_FIELDS = ("instruction", "context", "response")
SEARCH_CONFIG = "english"


class Dataset(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    licence = models.CharField(max_length=100, default="CC BY-SA 3.0")
    licence_url = models.URLField(default="https://creativecommons.org/licenses/by-sa/3.0/")
    # Bumped when the licence terms change, so everyone accepts the new version once.
    licence_version = models.CharField(max_length=20, default="3.0")
    language = models.CharField(max_length=20, default="en")
    # 0.7, not lower: at 0.6, 4 of the 305 real databricks-dolly-15k instructions in
    # tests/data are flagged as siblings of a template ("Which is a species of fish? Tope
    # or Rope" / "... Mola mola or Molar", 68%); none are at 0.7.
    near_duplicate_threshold = models.FloatField(
        default=0.7,
        # The floor is where the candidates' search still finds nine in ten (annotation.similar).
        validators=[MinValueValidator(0.65), MaxValueValidator(1.0)],
        help_text="Trigram similarity (0.65-1) from which an instruction is shown as a "
        "near-duplicate of another.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    class ContextPolicy(models.TextChoices):
        REQUIRED = "required", "Required"
        OPTIONAL = "optional", "Optional"
        NONE = "none", "None"

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="categories")
    slug = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    guidelines = models.TextField(blank=True, help_text="Markdown; sanitized when rendered.")
    examples = models.JSONField(default=list, blank=True, validators=[validate_examples])
    context_policy = models.CharField(
        max_length=10, choices=ContextPolicy.choices, default=ContextPolicy.NONE
    )
    target_share = models.FloatField(
        default=0.125, help_text="Wanted fraction of the dataset, 0-1."
    )
    target_count = models.PositiveIntegerField(null=True, blank=True)
    reviews_required = models.PositiveSmallIntegerField(default=2)
    allows_open_prompts = models.BooleanField(
        default=False, help_text="Contributors may submit an instruction for others to answer."
    )
    allowed_groups = models.ManyToManyField(
        Group, blank=True, help_text="Empty: everyone may be assigned this category."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["dataset", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "slug"], name="category_unique_slug"),
            models.CheckConstraint(
                condition=Q(target_share__gte=0) & Q(target_share__lte=1),
                name="category_target_share_range",
            ),
        ]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.dataset.slug}/{self.slug}"

    @cached_property
    def shown_examples(self) -> list[dict]:
        """The examples the write page shows: none if they are not examples. Saving checks
        them, but examples saved before that check may be anything, and the write page
        must not break for every contributor of the category over them. Kept: the page
        shows the guidelines twice (folded on a phone), and warns once."""
        try:
            validate_examples(self.examples)
        except ValidationError as invalid:
            logger.warning("Category %s: examples not shown: %s", self.pk, invalid.messages[0])
            return []
        return self.examples


class LicenceAcceptance(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT)
    licence = models.CharField(max_length=100)
    licence_version = models.CharField(max_length=20)
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dataset", "licence_version"], name="licence_accepted_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} accepted {self.licence} v{self.licence_version}"


class Assignment(models.Model):
    class Outcome(models.TextChoices):
        OPEN = "open", "Open"
        WRITTEN = "written", "Written"
        SKIPPED = "skipped", "Skipped"
        EXPIRED = "expired", "Expired"
        # The writer chose another category instead (not a skip: no reason, no limit).
        SWITCHED = "switched", "Switched to another category"

    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="assignments")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    skip_reason = models.CharField(max_length=500, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["contributor", "outcome"])]

    def __str__(self) -> str:
        return f"{self.category_id} for {self.contributor_id} ({self.outcome})"


class OpenPrompt(models.Model):
    """An instruction written alone, waiting for someone else to rephrase and answer it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        TAKEN = "taken", "Taken"
        WITHDRAWN = "withdrawn", "Withdrawn"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="open_prompts")
    category = models.ForeignKey(Category, on_delete=models.PROTECT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="open_prompts"
    )
    instruction = models.TextField()
    context = models.TextField(blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["dataset", "status", "created_at"])]

    def __str__(self) -> str:
        return str(self.public_id)


class Pair(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        RETRACTED = "retracted", "Retracted"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="pairs")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="pairs")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pairs"
    )
    assignment = models.OneToOneField(
        Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="pair"
    )
    # Set when the instruction came from someone else's open prompt: both are credited.
    prompt = models.OneToOneField(
        OpenPrompt, on_delete=models.PROTECT, null=True, blank=True, related_name="pair"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # The newest revision; for a pair under review it is the one being reviewed.
    # Indexed with the pair's id (pair_current_revision_pk), which also serves lookups by
    # revision alone: a search joins matching revisions to pairs from that index without
    # reading the pairs, then sorts their ids.
    current_revision = models.ForeignKey(
        "Revision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # What releases ship. Stays in place while a newer revision is reviewed.
    approved_revision = models.ForeignKey(
        "Revision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The current revision's instruction as the duplicate rule sees it (annotation.normalisation):
    # the key is unique among live pairs of a dataset, the text feeds trigram similarity.
    # Null only for a pair with no revision yet, or one whose key collided when the rule
    # changed (see migration 0005): the rule then holds from its next revision on.
    instruction_key = models.CharField(max_length=64, null=True, blank=True, editable=False)
    instruction_normalised = models.TextField(blank=True, editable=False)
    # Its MinHash LSH band keys (annotation.similar.lsh_bands): how near-duplicates are
    # found on PostgreSQL, through the GIN index pair_instruction_lsh (migration 0005).
    instruction_bands = models.TextField(blank=True, editable=False)
    # Bumped when an admin reopens a rejected pair, so earlier votes no longer count.
    review_round = models.PositiveIntegerField(default=0)
    # When the current revision entered the review queue (oldest first).
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["author", "status"]),
            models.Index(fields=["current_revision", "id"], name="pair_current_revision_pk"),
            models.Index(
                fields=["dataset", "submitted_at"],
                name="pair_review_queue",
                condition=Q(status="submitted"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "instruction_key"],
                condition=Q(status__in=LIVE_STATUSES),
                name="pair_unique_live_instruction",
            )
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class Draft(models.Model):
    """The author's working copy of a pair's text; autosaved, never reviewed, never shipped."""

    pair = models.OneToOneField(Pair, on_delete=models.PROTECT, related_name="draft")
    instruction = models.TextField(blank=True)
    context = models.TextField(blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    response = models.TextField(blank=True)
    # Optimistic concurrency: every save must name the version it was based on.
    version = models.PositiveIntegerField(default=0)
    active_seconds = models.PositiveIntegerField(default=0)
    typed_chars = models.PositiveIntegerField(default=0)
    pasted_chars = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"draft of {self.pair_id} v{self.version}"


def content_hash(*, instruction: str, context: str, response: str, category_slug: str) -> str:
    payload = "\x1f".join([category_slug, instruction, context, response])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class Revision(models.Model):
    """An immutable snapshot of a pair's text. New text means a new revision."""

    class Kind(models.TextChoices):
        ORIGINAL = "original", "Original"
        AUTHOR_REVISION = "author_revision", "Author revision"
        ACCEPTED_EDIT = "accepted_edit", "Accepted edit"
        IMPORTED = "imported", "Imported"
        MOVED = "moved", "Moved by an admin"

    pair = models.ForeignKey(Pair, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="revisions"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    instruction = models.TextField()
    context = models.TextField(blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    response = models.TextField()
    content_hash = models.CharField(max_length=64)
    instruction_key = models.CharField(max_length=64)
    active_seconds = models.PositiveIntegerField(default=0)
    typed_chars = models.PositiveIntegerField(default=0)
    pasted_chars = models.PositiveIntegerField(default=0)
    # Non-blocking findings at submit time (e.g. mostly pasted), shown to reviewers.
    warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pair", "number"]
        constraints = [
            models.UniqueConstraint(fields=["pair", "number"], name="revision_unique_number")
        ]
        indexes = [
            models.Index(fields=["instruction_key"]),
            # PostgreSQL only (the migration skips it elsewhere).
            GinIndex(SearchVector(*SEARCH_FIELDS, config=SEARCH_CONFIG), name="revision_search"),
        ]

    def __str__(self) -> str:
        return f"{self.pair_id} r{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Revisions are immutable; create a new one.")
        super().save(*args, **kwargs)

    @property
    def typed_percent(self) -> int | None:
        """Share of the entered characters that were typed rather than pasted; None when
        the editor recorded neither (imported pairs, accepted edits)."""
        entered = self.typed_chars + self.pasted_chars
        return round(100 * self.typed_chars / entered) if entered else None

    @property
    def authenticity(self) -> str:
        """How the text came about, for a reviewer: "typed 96%, 7 min active"."""
        parts = []
        if self.typed_percent is not None:
            parts.append(f"typed {self.typed_percent}%")
        if self.active_seconds >= 60:
            parts.append(f"{round(self.active_seconds / 60)} min active")
        elif self.active_seconds:
            parts.append("under a minute active")
        return ", ".join(parts) or "not recorded"


class Finding(models.Model):
    """Personal data or a credential found in a revision's text, and who confirmed it.

    Holds the span, never the value: the value stays only in the revision's own text.
    A finding with no confirmation keeps its pair out of releases (annotation.pairs).
    """

    class Category(models.TextChoices):
        PERSONAL = "personal", "Personal data"
        CREDENTIAL = "credential", "Credential"

    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="findings")
    field = models.CharField(max_length=20)
    kind = models.CharField(max_length=50)
    category = models.CharField(max_length=20, choices=Category.choices)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    # Confirmed fictional or public, by the writer at submit or a reviewer or admin later.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["revision", "field", "start"]
        indexes = [
            # The shipping rule asks, for each approved revision, whether any is unconfirmed.
            models.Index(
                fields=["revision"],
                name="finding_unconfirmed",
                condition=Q(confirmed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} in {self.revision_id} {self.field}[{self.start}:{self.end}]"


class AuditEvent(models.Model):
    """Who did what to which object, when. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    verb = models.CharField(max_length=50)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.verb} {self.object_type}:{self.object_id}"
