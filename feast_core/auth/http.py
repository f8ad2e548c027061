"""Small JSON-over-HTTPS helpers for talking to identity providers (discovery, JWKS, token endpoints)."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

USER_AGENT = "feast-core"


def ssl_context(verify_ssl: bool = True, ca_cert_path: str = "") -> ssl.SSLContext:
    """Certificate checks on (the system's CAs, or ``ca_cert_path``'s), or off when ``verify_ssl`` is false."""
    context = ssl.create_default_context()
    if not verify_ssl:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif ca_cert_path:
        if not Path(ca_cert_path).is_file():
            raise OSError(f"ca_cert_path {ca_cert_path!r} is not a readable file")
        context.load_verify_locations(ca_cert_path)
    return context


class FetchError(Exception):
    """A URL could not be fetched or did not hold a JSON object; the message names the URL and why."""


def _read_json(request: urllib.request.Request, timeout: float, context: ssl.SSLContext) -> dict:
    url = request.full_url
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            body = response.read(4 * 1024 * 1024 + 1)
    except urllib.error.HTTPError as error:
        detail = error.read(500).decode("utf-8", "replace").strip()
        raise FetchError(f"{url} answered {error.code} {error.reason}{': ' + detail if detail else ''}") from None
    except urllib.error.URLError as error:
        raise FetchError(f"{url} cannot be reached: {error.reason}") from None
    except (OSError, ValueError) as error:  # timeouts, resets, malformed URLs
        raise FetchError(f"{url} cannot be reached: {error}") from None
    if len(body) > 4 * 1024 * 1024:
        raise FetchError(f"{url} answered more than 4 MiB")
    try:
        data = json.loads(body)
    except ValueError:
        raise FetchError(f"{url} did not answer JSON") from None
    if not isinstance(data, dict):
        raise FetchError(f"{url} answered JSON that is not an object")
    return data


def get_json(url: str, timeout: float, context: ssl.SSLContext) -> dict:
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    return _read_json(request, timeout, context)


def post_form(url: str, form: dict, timeout: float, context: ssl.SSLContext) -> dict:
    body = urllib.parse.urlencode({k: v for k, v in form.items() if v is not None}).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Accept": "application/json", "User-Agent": USER_AGENT,
        "Content-Type": "application/x-www-form-urlencoded",
    })
    return _read_json(request, timeout, context)
