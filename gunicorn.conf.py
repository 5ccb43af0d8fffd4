"""gunicorn's settings for `web` (read from the working directory by default: the
Dockerfile's, compose's and the tests' gunicorn all start in the project's root).

Command-line flags still win; this file holds what no flag can say.
"""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _without_server_banner(response: wsgi.Response) -> list[str]:
    # gunicorn names itself in a Server header on every response and has no setting to stop
    # it; the name and its version help nobody but someone matching exploits to servers.
    return [line for line in _default_headers(response) if not line.startswith("Server:")]


wsgi.Response.default_headers = _without_server_banner
