"""Company SSO through allauth's OpenID Connect provider, configured from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
OIDC = {
    "OIDC_SERVER_URL": "https://login.example.com/realms/staff",
    "OIDC_CLIENT_ID": "handwritten",
    "OIDC_CLIENT_SECRET": "s3cret",
    "OIDC_NAME": "Example Corp sign-in",
}
PRINT = (
    "import json; from django.conf import settings; "
    "print('RESULT ' + json.dumps(settings.SOCIALACCOUNT_PROVIDERS))"
)


def settings_with(env: dict) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PRINT],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def providers(result: subprocess.CompletedProcess) -> dict:
    line = [x for x in result.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line.removeprefix("RESULT "))


def test_off_by_default():
    assert providers(settings_with({})) == {}


def test_configured_entirely_from_the_environment():
    (app,) = providers(settings_with(OIDC))["openid_connect"]["APPS"]
    assert app["provider_id"] == "company" and app["name"] == "Example Corp sign-in"
    assert app["client_id"] == "handwritten" and app["secret"] == "s3cret"
    assert app["settings"] == {"server_url": "https://login.example.com/realms/staff"}


def test_a_server_without_client_credentials_refuses_to_start():
    result = settings_with({"OIDC_SERVER_URL": OIDC["OIDC_SERVER_URL"]})
    assert result.returncode != 0
    assert "OIDC_CLIENT_ID" in result.stderr


@pytest.fixture
def sso_on(settings):
    (app,) = providers(settings_with(OIDC))["openid_connect"]["APPS"]
    settings.OIDC_SERVER_URL = OIDC["OIDC_SERVER_URL"]
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [app]}}


def test_the_sign_in_page_offers_the_company_button(client, db, sso_on):
    page = client.get(reverse("login")).content.decode()
    assert "Example Corp sign-in" in page
    assert 'action="/oidc/company/login/' in page


def test_no_button_when_off(client, db):
    assert "/oidc/" not in client.get(reverse("login")).content.decode()
