"""Near-duplicate bands of 7 rows (48 bands) instead of 5 (32): a third of the candidates
per query at 1M pairs (annotation.similar says how it was measured). Every pair's bands
are computed again; a threshold under the new floor of 0.65 is raised to it."""

import django.core.validators
from django.db import migrations, models

from annotation.similar import lsh_bands

BATCH = 2_000


def recompute(apps, schema_editor):
    Pair = apps.get_model("annotation", "Pair")
    Dataset = apps.get_model("annotation", "Dataset")
    Dataset.objects.filter(near_duplicate_threshold__lt=0.65).update(near_duplicate_threshold=0.65)
    pending = []
    pairs = Pair.objects.only("id", "instruction_normalised").order_by("id")
    for pair in pairs.iterator(chunk_size=BATCH):
        pair.instruction_bands = lsh_bands(pair.instruction_normalised)
        pending.append(pair)
        if len(pending) >= BATCH:
            Pair.objects.bulk_update(pending, ["instruction_bands"])
            pending.clear()
    Pair.objects.bulk_update(pending, ["instruction_bands"])


class Migration(migrations.Migration):
    dependencies = [
        ("annotation", "0005_pair_instruction_normalised"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dataset",
            name="near_duplicate_threshold",
            field=models.FloatField(
                default=0.7,
                help_text="Trigram similarity (0.65-1) from which an instruction is shown as "
                "a near-duplicate of another.",
                validators=[
                    django.core.validators.MinValueValidator(0.65),
                    django.core.validators.MaxValueValidator(1.0),
                ],
            ),
        ),
        migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True),
    ]
