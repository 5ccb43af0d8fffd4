"""The duplicate rule's one normalisation, kept by the database (issue 12.8), and
near-duplicates on it (issue 15): pg_trgm for similarity, MinHash LSH bands in a GIN
index to find the candidates (annotation.similar says why).

Existing pairs get their key and normalised instruction from their current revision. Two
live pairs of a dataset that only now turn out to be the same instruction (a homoglyph
or zero-width disguise that the old rule missed) cannot both hold the key: the older one
keeps it, the newer one is left without it, and is listed by this migration so an admin
can look at it; nothing is changed in its text or status.
"""

import django.core.validators
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from annotation.normalisation import instruction_key, normalise
from annotation.similar import lsh_bands

LIVE = ("submitted", "changes_requested", "approved")
BATCH = 2_000
FIELDS = ["instruction_key", "instruction_normalised", "instruction_bands"]


class PostgresOnly(migrations.operations.base.Operation):
    """Runs ``operation`` on PostgreSQL only; the model state changes on every database, so
    the migration graph stays the same for SQLite (which has no pg_trgm or GIN)."""

    reduces_to_sql = False
    reversible = True

    def __init__(self, operation):
        self.operation = operation

    def deconstruct(self):
        return (self.__class__.__name__, [self.operation], {})

    def state_forwards(self, app_label, state):
        self.operation.state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"{self.operation.describe()} (PostgreSQL only)"


def fill_keys(apps, schema_editor):
    Pair = apps.get_model("annotation", "Pair")
    Revision = apps.get_model("annotation", "Revision")
    taken: set[tuple[int, str]] = set()
    pending: list = []
    pairs = (
        Pair.objects.filter(current_revision__isnull=False)
        .select_related("current_revision")
        .order_by("created_at", "id")
    )
    for pair in pairs.iterator(chunk_size=BATCH):
        text = pair.current_revision.instruction
        key = instruction_key(text)
        if pair.status in LIVE:
            if (pair.dataset_id, key) in taken:
                print(f"\n  pair {pair.public_id}: same instruction as an older live pair")
                key = None
            else:
                taken.add((pair.dataset_id, key))
        pair.instruction_key, pair.instruction_normalised = key, normalise(text)
        pair.instruction_bands = lsh_bands(pair.instruction_normalised)
        pending.append(pair)
        if len(pending) >= BATCH:
            Pair.objects.bulk_update(pending, FIELDS)
            pending.clear()
    Pair.objects.bulk_update(pending, FIELDS)
    # Revisions keep the key their text has under today's rule (QuerySet.update: rows
    # stay immutable through the model).
    revisions = Revision.objects.only("id", "instruction").order_by("id")
    for revision in revisions.iterator(chunk_size=BATCH):
        Revision.objects.filter(pk=revision.pk).update(
            instruction_key=instruction_key(revision.instruction)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("annotation", "0004_assignment_outcome_switched"),
    ]

    operations = [
        PostgresOnly(TrigramExtension()),
        migrations.AddField(
            model_name="dataset",
            name="near_duplicate_threshold",
            field=models.FloatField(
                default=0.7,
                help_text="Trigram similarity (0.6-1) from which an instruction is shown as "
                "a near-duplicate of another.",
                validators=[
                    django.core.validators.MinValueValidator(0.6),
                    django.core.validators.MaxValueValidator(1.0),
                ],
            ),
        ),
        migrations.AddField(
            model_name="pair",
            name="instruction_key",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="pair",
            name="instruction_normalised",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="pair",
            name="instruction_bands",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
        # Written out as annotation.similar queries it: string_to_array(..., ' ') && bands.
        PostgresOnly(
            migrations.RunSQL(
                "CREATE INDEX pair_instruction_lsh ON annotation_pair "
                "USING gin (string_to_array(instruction_bands, ' '))",
                "DROP INDEX pair_instruction_lsh",
            )
        ),
        migrations.AddConstraint(
            model_name="pair",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ("submitted", "changes_requested", "approved"))),
                fields=("dataset", "instruction_key"),
                name="pair_unique_live_instruction",
            ),
        ),
    ]
