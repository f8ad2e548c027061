"""The security headers every UI response carries: Content-Security-Policy, X-Frame-Options, nosniff.

The pages load scripts, styles and images from the UI itself only, so the policy allows ``'self'`` and nothing
inline. Framing is the one thing a deployment decides: the Kubeflow dashboard shows the UI in an iframe of a page
at the cluster's own origin (the dashboard and ``/feast/`` sit behind one Istio gateway), which
``frame-ancestors 'self'`` allows and a page on any other site does not. A dashboard served from another origin
is named with ``feast ui --frame-ancestors "'self' https://dashboard.example.com"``.
"""

from __future__ import annotations

import re

from ..errors import ConfigError

DEFAULT_FRAME_ANCESTORS = "'self'"
_SOURCE = re.compile(
    r"(?:'self'|'none'"
    r"|[A-Za-z][A-Za-z0-9+.\-]*:"  # a scheme: https:
    r"|(?:[A-Za-z][A-Za-z0-9+.\-]*://)?(?:\*\.)?(?:[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*|\*)(?::(?:\d{1,5}|\*))?"
    r"(?:/[A-Za-z0-9\-._~/%]*)?)"
)


def check_frame_ancestors(value: str) -> str:
    """``value`` as a CSP source list (``'self'``, ``'none'``, schemes, hosts), or a ConfigError naming the bad part."""
    sources = re.split(r" +", value.strip(" ")) if value.strip(" ") else []
    bad = [s for s in sources if not _SOURCE.fullmatch(s)]
    if not sources or bad or ("'none'" in sources and len(sources) > 1):
        why = f"{bad[0]!r} is not a source" if bad else "'none' stands alone" if sources else "it is empty"
        raise ConfigError(
            f"frame-ancestors {value!r} is not a space-separated list of sources such as "
            f"\"'self' https://dashboard.example.com\" ({why})"
        )
    return value


def security_headers(frame_ancestors: str = DEFAULT_FRAME_ANCESTORS) -> list[tuple[bytes, bytes]]:
    frame_ancestors = check_frame_ancestors(frame_ancestors)
    policy = (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
        f"frame-ancestors {frame_ancestors}"
    )
    headers = [(b"content-security-policy", policy.encode()), (b"x-content-type-options", b"nosniff")]
    # X-Frame-Options cannot name another origin; where CSP allows one, leave the older header out
    legacy = {"'self'": b"SAMEORIGIN", "'none'": b"DENY"}.get(frame_ancestors)
    if legacy is not None:
        headers.append((b"x-frame-options", legacy))
    return headers


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP response (pages, API, static files, errors)."""

    def __init__(self, app, headers: list[tuple[bytes, bytes]]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
