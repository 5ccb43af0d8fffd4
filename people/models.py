from django.conf import settings
from django.db import models


class Profile(models.Model):
    """What a person chooses about themselves; made on first use (profile_for)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    leaderboard_opt_out = models.BooleanField(
        "Leave me off the leaderboard",
        default=False,
        help_text="Your pairs still count; your name is not shown among the top writers.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"profile of {self.user_id}"
