"""Signing in through the login form, as a person does, with the test password."""

from urllib.parse import urlsplit

from tests.factories import PASSWORD


def submit_login(page, username: str) -> None:
    """On a login page: ``username`` and the test password, sent; waits until the browser
    has left the login page (for wherever its ``next`` leads)."""
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: urlsplit(url).path != "/login/")


def sign_in(page, live_server, username: str, next_path: str = "") -> None:
    """Sign ``username`` in from the login page, then on to ``next_path`` if given."""
    query = f"?next={next_path}" if next_path else ""
    page.goto(f"{live_server.url}/login/{query}")
    submit_login(page, username)
