from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address behind settings.TRUSTED_PROXY_COUNT reverse proxies.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so the client is the N-th entry from the right; entries further left
    came from the client and are not believed. With no proxies, or a header shorter than
    the proxies configured (a request that bypassed them), REMOTE_ADDR is the answer.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if count > 0 and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
