"""Groups and their model permissions: what each role may do in Django's admin."""

from django.contrib.auth.models import Group, Permission

from annotation.roles import ADMIN, CONTRIBUTOR, REVIEWER

# Admins manage datasets, categories and people in Django's admin; pairs, revisions and the
# audit trail are read-only there (they change only through the app's services).
ADMIN_PERMISSIONS = [
    ("annotation", "dataset", ["add", "change", "view"]),
    ("annotation", "category", ["add", "change", "view"]),
    ("annotation", "pair", ["view"]),
    ("annotation", "revision", ["view"]),
    ("annotation", "assignment", ["view"]),
    ("annotation", "openprompt", ["view"]),
    ("annotation", "licenceacceptance", ["view"]),
    ("annotation", "auditevent", ["view"]),
    # Confirmed through an admin action that calls the service; never edited.
    ("annotation", "finding", ["view"]),
    ("auth", "user", ["add", "change", "view"]),
    ("auth", "group", ["view"]),
]


def roles_setup() -> None:
    """Create the three role groups and give admins their permissions. Idempotent."""
    for name in (CONTRIBUTOR, REVIEWER):
        Group.objects.get_or_create(name=name)
    admins, _ = Group.objects.get_or_create(name=ADMIN)
    for app_label, model, actions in ADMIN_PERMISSIONS:
        codenames = [f"{action}_{model}" for action in actions]
        admins.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
