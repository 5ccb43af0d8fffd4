from django.contrib.auth.models import User
from django.db import transaction

from people.events import announce
from people.models import Profile


def profile_for(*, user: User) -> Profile:
    return Profile.objects.get_or_create(user=user)[0]


def profile_update(*, user: User, leaderboard_opt_out: bool) -> Profile:
    with transaction.atomic():
        profile = Profile.objects.select_for_update().get_or_create(user=user)[0]
        if profile.leaderboard_opt_out != leaderboard_opt_out:
            profile.leaderboard_opt_out = leaderboard_opt_out
            profile.save(update_fields=["leaderboard_opt_out", "updated_at"])
            announce(
                actor=user, verb="user.profile", user=user, leaderboard_opt_out=leaderboard_opt_out
            )
    return profile
