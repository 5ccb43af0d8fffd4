"""A plain-HTTP client for a production-mode server, from the standard library only.

Production cookies are marked Secure. A browser, like http.cookiejar, would not send them
back over plain http, so this client keeps the cookies itself and sends them back as a
Cookie header: the server under test is configured exactly as in production, and the
test still talks to it without TLS.
"""

import http.client
import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

TIMEOUT_SECONDS = 30


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


@dataclass
class Client:
    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookie_headers: list[str] = field(default_factory=list)

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_SECONDS)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            response = Response(status=raw.status, headers=raw.headers, body=raw.read())
        finally:
            connection.close()
        self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Response:
        return self.request("POST", path, form)

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


def links(html: str, pattern: str) -> list[str]:
    """The hrefs in ``html`` matching the regular expression ``pattern``."""
    return [href for href in re.findall(r'href="([^"]+)"', html) if re.fullmatch(pattern, href)]


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in ``html``, as a browser would submit it."""
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
