"""Security headers and cookies as production sends them.

A subprocess runs the real production settings (a SECRET_KEY and ALLOWED_HOSTS, no DEBUG,
no HANDWRITTEN_TESTING) on an in-memory SQLite database, and drives Django's test Client
over HTTPS from ``manage.py shell -c``: no settings are overridden in this process, so
what is checked is what production would do. The one change inside the child is the
static files storage: production expects ``collectstatic``'s manifest, which a test run
does not build, and it has no bearing on headers.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "handwritten.example.com"
PROD_ENV = {
    "SECRET_KEY": "a-long-random-production-key-" + "y" * 40,
    "ALLOWED_HOSTS": HOST,
    "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
    "SQLITE_PATH": ":memory:",
}
SCRUBBED = {
    "SECRET_KEY",
    "DEBUG",
    "HANDWRITTEN_TESTING",
    "DATABASE_URL",
    "REDIS_URL",
    "AXES_ENABLED",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}

SCRIPT = f"""
import json
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.contrib.auth.models import User

assert not settings.DEBUG and not settings.TESTING
call_command("migrate", verbosity=0)
from people.accounts import mark_email_verified
mark_email_verified(user=User.objects.create_user(
    "prod-user", "prod@example.com", password="a-production-password-1"))
static = {{**settings.STORAGES, "staticfiles": {{
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}}}

def cookie(response, name):
    morsel = response.cookies.get(name)
    if morsel is None:
        return None
    return {{"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"]}}

def headers(response):
    return {{name: response.get(name) for name in (
        "Strict-Transport-Security", "X-Frame-Options", "X-Content-Type-Options",
        "Referrer-Policy", "Content-Security-Policy", "Cross-Origin-Opener-Policy",
        "Location")}}

with override_settings(STORAGES=static):
    client = Client(HTTP_HOST="{HOST}")
    plain = client.get("/login/")
    page = client.get("/login/", secure=True)
    login = client.post("/login/", {{"login": "prod-user",
        "password": "a-production-password-1"}}, secure=True)
    home = client.get("/", secure=True)
    missing = client.get("/no-such-page/", secure=True)
print("RESULT " + json.dumps({{
    "plain": {{"status": plain.status_code, **headers(plain)}},
    "page": {{"status": page.status_code, **headers(page),
             "csrf_cookie": cookie(page, settings.CSRF_COOKIE_NAME)}},
    "login": {{"status": login.status_code, **headers(login),
              "session_cookie": cookie(login, settings.SESSION_COOKIE_NAME)}},
    "home": {{"status": home.status_code, **headers(home)}},
    "missing": {{"status": missing.status_code, **headers(missing)}},
}}))
"""


@pytest.fixture(scope="module")
def production():
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED} | PROD_ENV
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert result.returncode == 0 and lines, result.stdout + result.stderr
    return json.loads(lines[-1].removeprefix("RESULT "))


def test_plain_http_is_redirected_to_https(production):
    assert production["plain"]["status"] == 301
    assert production["plain"]["Location"] == f"https://{HOST}/login/"


@pytest.mark.parametrize("response", ["page", "login", "home", "missing"])
def test_every_response_carries_the_security_headers(production, response):
    headers = production[response]
    hsts = headers["Strict-Transport-Security"]
    assert hsts and "max-age=31536000" in hsts and "includeSubDomains" in hsts
    # Preloading is the deployment's choice (SECURE_HSTS_PRELOAD), never a default.
    assert "preload" not in hsts
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_the_pages_answer_as_expected(production):
    assert production["page"]["status"] == 200
    assert production["login"]["status"] == 302
    assert production["home"]["status"] == 200
    assert production["missing"]["status"] == 404


def test_the_csrf_cookie_is_secure(production):
    assert production["page"]["csrf_cookie"]["secure"] is True


def test_the_session_cookie_is_secure_and_http_only(production):
    cookie = production["login"]["session_cookie"]
    assert cookie == {"secure": True, "httponly": True, "samesite": "Lax"}
