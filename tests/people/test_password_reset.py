"""Password reset works for every account, whatever the sign-up rule on addresses."""

from django.core import mail
from django.urls import reverse

from tests.factories import make_user


def test_an_address_outside_the_sign_up_domains_can_reset(client, db, settings):
    # Sign-up takes @example.org only; rita was invited at example.com.
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]
    make_user("rita_r", "reviewer")  # rita_r@example.com

    response = client.post(reverse("account_reset_password"), {"email": "rita_r@example.com"})

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["rita_r@example.com"]]
    assert "/password/reset/key/" in mail.outbox[0].body
