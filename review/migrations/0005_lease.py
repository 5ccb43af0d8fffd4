"""Review claims and edit leases become one table of leases, one per person and kind."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_leases(apps, schema_editor):
    Claim = apps.get_model("review", "Claim")
    EditProposal = apps.get_model("review", "EditProposal")
    Lease = apps.get_model("review", "Lease")
    # One lease per person and kind from here on: keep each person's latest.
    seen = set()
    for claim in Claim.objects.order_by("-expires_at"):
        if claim.reviewer_id not in seen:
            seen.add(claim.reviewer_id)
            Lease.objects.create(
                kind="review",
                holder_id=claim.reviewer_id,
                pair_id=claim.pair_id,
                taken_at=claim.claimed_at,
                expires_at=claim.expires_at,
            )
    seen = set()
    held = EditProposal.objects.filter(claimed_by__isnull=False, claim_expires_at__isnull=False)
    for proposal in held.order_by("-claim_expires_at"):
        if proposal.claimed_by_id not in seen:
            seen.add(proposal.claimed_by_id)
            Lease.objects.create(
                kind="edit",
                holder_id=proposal.claimed_by_id,
                proposal_id=proposal.pk,
                taken_at=proposal.claim_expires_at,
                expires_at=proposal.claim_expires_at,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("annotation", "0001_initial"),
        ("review", "0004_bulk_action"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Lease",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("review", "Review"), ("edit", "Edit")], max_length=6)),
                ("taken_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField()),
                ("holder", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="leases", to=settings.AUTH_USER_MODEL)),
                ("pair", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="lease", to="annotation.pair")),
                ("proposal", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="lease", to="review.editproposal")),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("holder", "kind"), name="lease_one_per_holder"),
                    models.CheckConstraint(
                        condition=models.Q(("kind", "review"), ("pair__isnull", False), ("proposal__isnull", True))
                        | models.Q(("kind", "edit"), ("pair__isnull", True), ("proposal__isnull", False)),
                        name="lease_holds_one_item_of_its_kind",
                    ),
                ],
            },
        ),
        migrations.RunPython(move_leases, migrations.RunPython.noop),
        migrations.DeleteModel(name="Claim"),
        migrations.RemoveField(model_name="editproposal", name="claim_expires_at"),
        migrations.RemoveField(model_name="editproposal", name="claimed_by"),
    ]
