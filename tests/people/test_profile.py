import pytest
from django.urls import reverse

from annotation.models import AuditEvent
from people.models import Profile

URL = reverse("people:profile")


def test_signed_out_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response["Location"].startswith(reverse("login"))


def test_shows_the_setting_off_by_default(as_alice, alice):
    response = as_alice.get(URL)
    assert response.status_code == 200
    assert response.context["form"]["leaderboard_opt_out"].value() is False
    assert not Profile.objects.filter(leaderboard_opt_out=True).exists()


def test_opting_out_and_back_in(as_alice, alice, dan):
    response = as_alice.post(URL, {"leaderboard_opt_out": "on"})

    assert response.status_code == 302 and response["Location"] == URL
    profile = Profile.objects.get(user=alice)
    assert profile.leaderboard_opt_out is True
    event = AuditEvent.objects.get(verb="user.profile")
    assert (event.actor, event.data) == (alice, {"leaderboard_opt_out": True})

    as_alice.post(URL, {})
    profile.refresh_from_db()
    assert profile.leaderboard_opt_out is False


@pytest.mark.parametrize("method", ["get", "post"])
def test_one_person_changes_only_their_own_profile(as_dan, alice, dan, method):
    # Whatever names someone else, the profile changed is the signed-in person's.
    getattr(as_dan, method)(URL, {"leaderboard_opt_out": "on", "user": alice.pk})
    assert not Profile.objects.filter(user=alice).exists()
    opted_out = method == "post"
    assert Profile.objects.filter(user=dan, leaderboard_opt_out=True).exists() is opted_out
