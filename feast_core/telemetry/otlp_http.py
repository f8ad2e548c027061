"""How OTLP/HTTP requests reach the collector: HTTP/1.1 over one kept-alive socket per exporter, under the SDK's
own OTLP HTTP client (which keeps the endpoint, headers, compression, timeout, retries and backoff that the
``OTEL_EXPORTER_OTLP_*`` variables configure). A request goes out in one ``sendall`` (its head and body in one
buffer); the answer's status line and header fields are split as bytes, its body read by ``Content-Length``, as
chunks, or until the connection closes.

Why not the SDK's default transport: it posts through a ``requests.Session``, whose per-request work (merging
settings and environment, preparing the request, adapters, hooks, cookie handling) costs ~0.7-0.9 ms of CPU per
export here whatever the batch's size, on a thread that shares the GIL with the requests being served. Nor
``http.client``: it writes the head a header at a time and parses the answer's head with the ``email`` package;
an export of 80 KB cost ~383k instructions with it (callgrind, the SDK client's ~20k included), ~190k this way,
~83k of which is the one copy of the body into the request's buffer (a ``rep movsb``, which callgrind counts byte
by byte). The SDK's transport is kept where it does something this one does not: a credential provider
(``OTEL_PYTHON_EXPORTER_OTLP_HTTP_*CREDENTIAL_PROVIDER``, which hands it a session) or an HTTP proxy from the
environment that applies to the endpoint.
"""

from __future__ import annotations

import functools
import http.client
import inspect
import os
import re
import socket
import ssl
import threading
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from opentelemetry.exporter.http.transport._base import BaseHTTPResult, BaseHTTPTransport


class ResponseError(http.client.HTTPException):
    """The answer is not HTTP/1.x as RFC 9112 frames it, or the connection closed before it was whole."""


# what went wrong before an answer came: the SDK's client retries these once at once (a stale kept-alive
# connection), then with backoff until its timeout
TRANSPORT_ERRORS = (OSError, http.client.HTTPException)

_MAX_HEAD = 65536  # bytes of an answer's status line and header fields (or of a chunk's size line, or trailers)
_RECEIVE = 65536  # bytes asked of the socket at a time
_FIELD_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+").fullmatch  # RFC 9110 token
_BREAKS_REQUEST_LINE = re.compile(r"[\x00-\x20\x7f]").search  # a control character or a space
_HEX = b"0123456789abcdefABCDEF"


class Fields(Mapping[str, str]):
    """An answer's header fields by lower-cased name, looked up in any case; repeated fields joined by ", "."""

    __slots__ = ("_by_name",)

    def __init__(self, by_name: dict[str, str]) -> None:
        self._by_name = by_name

    def __getitem__(self, name: str) -> str:
        return self._by_name[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)


@dataclass(frozen=True, slots=True)
class Result(BaseHTTPResult):
    body: bytes = b""
    header_map: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)

    def content(self) -> bytes:
        return self.body

    def headers(self) -> Mapping[str, str]:
        return self.header_map  # Fields: case-insensitive, as the SDK asks


@functools.lru_cache(maxsize=16)
def _endpoint(url: str) -> tuple[tuple[str, str, int], str, str]:
    """Where ``url`` is: (scheme, host, port) to connect to, the request target, the Host field's value (with the
    port unless the scheme's default)."""
    parts = urlsplit(url)
    host, default = parts.hostname or "", 443 if parts.scheme == "https" else 80
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if _BREAKS_REQUEST_LINE(target):
        raise ValueError(f"a control character or space in the request target {target!r}")
    named = f"[{host}]" if ":" in host else host
    return (parts.scheme, host, parts.port or default), target, \
        named if parts.port in (None, default) else f"{named}:{parts.port}"


def _message(method: str, target: str, host: str, headers: Mapping[str, str], body: bytes) -> bytes:
    """The request as one buffer: its head, then ``body`` (copied once). ``headers`` win over the Host,
    Content-Length and Accept-Encoding fields made here, in any case; a method or header that would break the head
    raises ValueError, before anything is sent."""
    if _BREAKS_REQUEST_LINE(method):
        raise ValueError(f"a control character or space in the method {method!r}")
    fields = {"host": f"Host: {host}\r\n", "content-length": f"Content-Length: {len(body)}\r\n",
              "accept-encoding": "Accept-Encoding: identity\r\n"}  # the answer is read as sent: not compressed
    for name, value in headers.items():
        if not _FIELD_NAME(name) or "\r" in value or "\n" in value:
            raise ValueError(f"header {name!r}: {value!r} would break the request's head")
        fields[name.lower()] = f"{name}: {value}\r\n"
    head = f"{method} {target} HTTP/1.1\r\n{''.join(fields.values())}\r\n".encode("latin-1")
    return b"".join((head, body))


class _Reader:
    """An answer's bytes, received as they are asked for."""

    __slots__ = ("_socket", "_buffer")

    def __init__(self, sock: socket.socket) -> None:
        self._socket, self._buffer = sock, bytearray()

    def _receive(self) -> None:
        received = self._socket.recv(_RECEIVE)
        if not received:
            raise ResponseError("the connection closed before the answer was whole")
        self._buffer += received

    def until(self, end: bytes) -> bytes:
        """The bytes before ``end`` (which is read too)."""
        while (at := self._buffer.find(end)) < 0:
            if len(self._buffer) > _MAX_HEAD:
                raise ResponseError(f"no {end!r} in the answer's first {_MAX_HEAD} bytes")
            self._receive()
        taken = bytes(self._buffer[:at])
        del self._buffer[:at + len(end)]
        return taken

    def exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._receive()
        taken = bytes(self._buffer[:size])
        del self._buffer[:size]
        return taken

    def until_closed(self) -> bytes:
        while received := self._socket.recv(_RECEIVE):
            self._buffer += received
        taken = bytes(self._buffer)
        self._buffer.clear()
        return taken

    @property
    def done(self) -> bool:
        """Whether every byte received was part of the answer (else the connection is in an unknown state)."""
        return not self._buffer


def _status(line: bytes) -> tuple[bytes, int, str]:
    """HTTP version, status code and reason of a status line."""
    version, _, rest = line.partition(b" ")
    code, _, reason = rest.partition(b" ")
    if version not in (b"HTTP/1.1", b"HTTP/1.0") or len(code) != 3 or not code.isdigit():
        raise ResponseError(f"not an HTTP/1.x status line: {line[:100]!r}")
    return version, int(code), reason.strip().decode("latin-1")


def _fields(lines: list[bytes]) -> dict[str, str]:
    """Header (or trailer) field lines by lower-cased name; a line that starts with a space or tab continues the
    previous field's value (obsolete line folding)."""
    fields: dict[str, str] = {}
    name = ""
    for line in lines:
        if line[:1] in (b" ", b"\t") and name:
            fields[name] += " " + line.strip().decode("latin-1")
            continue
        raw_name, colon, value = line.partition(b":")
        if not colon or not raw_name or raw_name != raw_name.strip():
            raise ResponseError(f"not a header field: {line[:100]!r}")
        name, text = raw_name.decode("latin-1").lower(), value.strip().decode("latin-1")
        fields[name] = f"{fields[name]}, {text}" if name in fields else text
    return fields


def _content_length(value: str) -> int:
    lengths = {length.strip() for length in value.split(",")}  # repeated, as "10, 10", is allowed if equal
    length = lengths.pop()
    if lengths or not (length.isascii() and length.isdigit()):
        raise ResponseError(f"Content-Length: {value!r}")
    return int(length)


def _chunked(reader: _Reader) -> bytes:
    """A chunked body's data. Its trailer fields are read and checked, then left: the SDK reads none."""
    chunks = []
    while size := _chunk_size(reader.until(b"\r\n")):
        chunks.append(reader.exactly(size))
        if reader.exactly(2) != b"\r\n":
            raise ResponseError("a chunk longer than its size")
    trailers = []
    while line := reader.until(b"\r\n"):
        trailers.append(line)
    _fields(trailers)
    return b"".join(chunks)


def _chunk_size(line: bytes) -> int:
    size = line.partition(b";")[0].strip()  # a chunk extension, after ";", is ignored
    if not size or size.strip(_HEX) or len(size) > 16:
        raise ResponseError(f"not a chunk size: {line[:100]!r}")
    return int(size, 16)


def _body(reader: _Reader, method: str, status: int, fields: dict[str, str]) -> bytes | None:
    """The answer's body, framed as RFC 9112 section 6.3 says; None when it ran until the connection closed."""
    if method == "HEAD" or status in (204, 304):
        return b""
    if "transfer-encoding" in fields:
        chunked = fields["transfer-encoding"].rpartition(",")[2].strip().lower() == "chunked"
        return _chunked(reader) if chunked else None
    if "content-length" in fields:
        return reader.exactly(_content_length(fields["content-length"]))
    return None


def _answer(sock: socket.socket, method: str) -> tuple[Result, bool]:
    """Read one answer from ``sock``: the result, and whether the connection can carry the next request."""
    reader = _Reader(sock)
    while True:
        status_line, _, head = reader.until(b"\r\n\r\n").partition(b"\r\n")
        version, status, reason = _status(status_line)
        fields = _fields(head.split(b"\r\n") if head else [])
        if not 100 <= status < 200:
            break  # else an interim answer (as 100 Continue): the final one follows
    body = _body(reader, method, status, fields)
    if body is None:
        body, reusable = reader.until_closed(), False
    else:
        tokens = {token.strip() for token in fields.get("connection", "").lower().split(",")}
        reusable = reader.done and "close" not in tokens and (version == b"HTTP/1.1" or "keep-alive" in tokens)
    return Result(status_code=status, reason=reason, body=body, header_map=Fields(fields)), reusable


class KeepAliveTransport(BaseHTTPTransport):
    """HTTP/1.1 requests over one kept-alive connection, opened on first use and again after any failure or an
    answer that ends it (``Connection: close``, HTTP/1.0 without keep-alive, a body that runs until the
    connection closes). ``verify``: False, True (the system's CAs) or a CA file; ``cert``: a client certificate
    file, or (certificate, key) files."""

    def __init__(self, *, verify: bool | str = True, cert: str | tuple[str, str] | None = None) -> None:
        self._verify, self._cert = verify, cert
        self._context: ssl.SSLContext | None = None
        self._socket: socket.socket | None = None
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

    def _connect(self, origin: tuple[str, str, int], timeout: float | None) -> socket.socket:
        """The kept connection to ``origin`` (scheme, host, port), or a new one; ``timeout`` bounds each operation
        on it."""
        if self._socket is not None and self._origin == origin:
            self._socket.settimeout(timeout)
            return self._socket
        self._close()
        scheme, host, port = origin
        context = self._tls() if scheme == "https" else None
        sock = socket.create_connection((host, port), timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if context is not None:
                sock = context.wrap_socket(sock, server_hostname=host)
        except OSError:  # ssl.SSLError, a timeout
            sock.close()
            raise
        self._socket, self._origin = sock, origin
        return sock

    def _close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def request(self, method: str, url: str, *, headers: dict[str, str] | None = None, timeout: float | None = None,
                data: bytes | None = None) -> BaseHTTPResult:
        origin, target, host = _endpoint(url)
        message = _message(method, target, host, headers or {}, data or b"")
        with self._lock:
            try:
                sock = self._connect(origin, timeout)
                sock.sendall(message)
                result, reusable = _answer(sock, method)
            except TRANSPORT_ERRORS as error:
                self._close()
                return Result(error=error)
            if not reusable:
                self._close()
        return result

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
