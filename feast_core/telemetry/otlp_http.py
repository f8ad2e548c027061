"""How OTLP/HTTP requests reach the collector: one kept-alive ``http.client`` connection per exporter, under the
SDK's own OTLP HTTP client (which keeps the endpoint, headers, compression, timeout, retries and backoff that the
``OTEL_EXPORTER_OTLP_*`` variables configure).

Why not the SDK's default transport: it posts through a ``requests.Session``, whose per-request work (merging
settings and environment, preparing the request, adapters, hooks, cookie handling) costs ~0.7-0.9 ms of CPU per
export here whatever the batch's size, on a thread that shares the GIL with the requests being served; the same
POST over a kept-alive ``http.client`` connection costs ~0.1 ms. The SDK's transport is kept where it does
something this one does not: a credential provider (``OTEL_PYTHON_EXPORTER_OTLP_HTTP_*CREDENTIAL_PROVIDER``, which
hands it a session) or an HTTP proxy from the environment that applies to the endpoint.
"""

from __future__ import annotations

import http.client
import inspect
import os
import ssl
import threading
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from opentelemetry.exporter.http.transport._base import BaseHTTPResult, BaseHTTPTransport

# what went wrong before an answer came: the SDK's client retries these once at once (a stale kept-alive
# connection), then with backoff until its timeout
TRANSPORT_ERRORS = (OSError, http.client.HTTPException)


@dataclass(frozen=True, slots=True)
class Result(BaseHTTPResult):
    body: bytes = b""
    header_map: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)

    def content(self) -> bytes:
        return self.body

    def headers(self) -> Mapping[str, str]:
        return self.header_map  # an http.client HTTPMessage: case-insensitive, as the SDK asks


class KeepAliveTransport(BaseHTTPTransport):
    """HTTP/1.1 requests over one kept-alive connection, opened on first use and again after any failure or a
    ``Connection: close`` answer. ``verify``: False, True (the system's CAs) or a CA file; ``cert``: a client
    certificate file, or (certificate, key) files."""

    def __init__(self, *, verify: bool | str = True, cert: str | tuple[str, str] | None = None) -> None:
        self._verify, self._cert = verify, cert
        self._context: ssl.SSLContext | None = None
        self._connection: http.client.HTTPConnection | None = None
        self._origin: tuple | None = None
        self._lock = threading.Lock()  # one request at a time on the connection (export, flush and shutdown race)

    def _tls(self) -> ssl.SSLContext:
        if self._context is None:
            context = ssl.create_default_context(cafile=self._verify if isinstance(self._verify, str) else None)
            if self._verify is False:
                context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            if isinstance(self._cert, tuple):
                context.load_cert_chain(*self._cert)
            elif self._cert:
                context.load_cert_chain(self._cert)
            self._context = context
        return self._context

    def _connect(self, scheme: str, host: str, port: int | None, timeout: float | None) -> http.client.HTTPConnection:
        origin = (scheme, host, port)
        if self._connection is None or self._origin != origin:
            self._close()
            if scheme == "https":
                self._connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=self._tls())
            else:
                self._connection = http.client.HTTPConnection(host, port, timeout=timeout)
            self._origin = origin
        elif self._connection.sock is not None:
            self._connection.sock.settimeout(timeout)
        self._connection.timeout = timeout
        return self._connection

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(self, method: str, url: str, *, headers: dict[str, str] | None = None, timeout: float | None = None,
                data: bytes | None = None) -> BaseHTTPResult:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        with self._lock:
            try:
                connection = self._connect(parts.scheme, parts.hostname or "", parts.port, timeout)
                connection.request(method, target, body=data, headers=headers or {})
                response = connection.getresponse()
                body = response.read()
            except TRANSPORT_ERRORS as error:
                self._close()
                return Result(error=error)
            if response.will_close:
                self._close()
        return Result(status_code=response.status, reason=response.reason, body=body, header_map=response.headers)

    def is_connection_error(self, exception: Exception | None) -> bool:
        return isinstance(exception, TRANSPORT_ERRORS)

    def close(self) -> None:
        with self._lock:
            self._close()


_VARIABLES = {  # per signal: (CA file, client certificate, client key, credential provider)
    "traces": ("OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE",
               "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY", "OTEL_PYTHON_EXPORTER_OTLP_HTTP_TRACES_CREDENTIAL_PROVIDER"),
    "metrics": ("OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE", "OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE",
                "OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY", "OTEL_PYTHON_EXPORTER_OTLP_HTTP_METRICS_CREDENTIAL_PROVIDER"),
}


def _setting(signal_variable: str, general: str) -> str | None:
    return os.environ.get(signal_variable) or os.environ.get(general) or None


def exporter(signal: str, exporter_class):
    """The SDK's OTLP HTTP exporter ``exporter_class`` (span or metric exporter, sending ``signal``) over a
    ``KeepAliveTransport`` with the TLS files the variables name; over the SDK's own transport where that one must
    be kept (see the module docstring) or the installed exporter takes no transport."""
    ca, client_cert, client_key, provider = _VARIABLES[signal]
    if "_transport" not in inspect.signature(exporter_class.__init__).parameters or \
            os.environ.get("OTEL_PYTHON_EXPORTER_OTLP_HTTP_CREDENTIAL_PROVIDER") or os.environ.get(provider):
        return exporter_class()
    cert_file = _setting(client_cert, "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE")
    key_file = _setting(client_key, "OTEL_EXPORTER_OTLP_CLIENT_KEY")
    made = exporter_class(_transport=KeepAliveTransport(
        verify=_setting(ca, "OTEL_EXPORTER_OTLP_CERTIFICATE") or True,
        cert=(cert_file, key_file) if cert_file and key_file else cert_file))
    if _proxied(getattr(made, "_endpoint", "")):
        made.shutdown()
        return exporter_class()
    return made


def _proxied(endpoint: str) -> bool:
    """Whether the environment's HTTP(S)_PROXY / NO_PROXY send ``endpoint`` through a proxy (requests honours them)."""
    parts = urlsplit(endpoint)
    return bool(urllib.request.getproxies().get(parts.scheme)) and not urllib.request.proxy_bypass(parts.hostname or "")
