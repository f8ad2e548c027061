"""``online_store: type: remote``: the online store behind a feature server, over Feast's HTTP protocol.

Both our ``feast serve`` and upstream Feast's answer it. As Feast's client does:
* ``FeatureStore.get_online_features`` is one ``POST {path}/get-online-features`` per call (features or a
  feature service, entities as columns); the server joins, applies on-demand views and ttl, and the response's
  columns become the OnlineResponse (bytes un-base64'd, timestamps made datetimes again by the declared types);
* writes (``write_to_online_store``, a push's online part, materialization) are ``POST
  {path}/write-to-online-store`` per feature view, with the rows as columns, timestamps as naive-UTC ISO text
  under ``event_timestamp`` / ``created``; large batches go in chunks of ``WRITE_CHUNK_ROWS``;
* tables belong to the server: ``update`` and ``teardown`` do nothing here.

Every request carries ``Authorization: Bearer <token>`` from the ``auth:`` block (auth/client.py) unless it is
``no_auth``. A 401 drops a fetched token and retries once with a new one. A server's Feast error body becomes
the matching FeastError (403 -> FeastPermissionError, unknown view -> FeatureViewNotFoundError, ...).

Connections are pooled (``connection_pool_size``), dropped after ``connection_idle_timeout`` seconds idle, and
a refused connection or a 429/502/503/504 is retried ``connection_retries`` times with backoff. ``cert`` is the
CA (or self-signed certificate) an ``https://`` server is checked against.
"""

from __future__ import annotations

import base64
import threading
import time
from datetime import datetime, timezone

import orjson
import pyarrow as pa
import urllib3

from .. import types
from ..auth.client import TokenSource
from ..auth.config import AuthConfig
from ..definitions import FeatureView
from ..errors import AuthenticationError, FeastError, StoreUnavailableError
from ..response import OnlineResponse, entity_columns
from .base import CREATED_TS, EVENT_TS, OnlineRead

WRITE_CHUNK_ROWS = 10_000
_EPOCH_TEXT = "1970-01-01T00:00:00Z"


class RemoteServerError(FeastError):
    """The feature server answered with an error that names no Feast error class."""


def _error_from_body(status: int, body: bytes, url: str) -> FeastError:
    """The FeastError a server's error answer stands for (Feast's body: a JSON string of module/class/message)."""
    if status == 401:
        return AuthenticationError(f"{url}: the feature server refused the token ({body[:200].decode('utf-8', 'replace')})")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        data = None
    if isinstance(data, str) and '"class"' in data:
        error = FeastError.from_error_detail(data)
        if error is not None and type(error) is not FeastError:
            return error
    if isinstance(data, dict) and "detail" in data:
        text = str(data["detail"])
    elif isinstance(data, str):
        text = data
    else:
        text = body[:500].decode("utf-8", "replace")
    error = RemoteServerError(f"{url} answered {status}: {text}")
    error.http_status = status
    return error


def _json_default(value):
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"cannot send {type(value).__name__} to a feature server")


def _dumps(value) -> bytes:
    return orjson.dumps(value, default=_json_default,
                        option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS)


def _micros(text: str | None) -> int | None:
    if not text or text == _EPOCH_TEXT:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1_000_000) if moment.year > 1970 or moment.timestamp() > 0 else None


def _decoder(dtype):
    """How a JSON value of a declared type becomes the Python value the local stores return."""
    if dtype is types.Bytes:
        return lambda v: base64.b64decode(v) if isinstance(v, str) else v
    if dtype is types.UnixTimestamp:
        return lambda v: datetime.fromtimestamp(v, tz=timezone.utc) if isinstance(v, (int, float)) else v
    base = getattr(dtype, "base_type", None)
    if base is types.Bytes:
        return lambda v: [base64.b64decode(x) if isinstance(x, str) else x for x in v] if isinstance(v, list) else v
    if base is types.UnixTimestamp:
        return lambda v: [datetime.fromtimestamp(x, tz=timezone.utc) if isinstance(x, (int, float)) else x
                          for x in v] if isinstance(v, list) else v
    return None


class RemoteOnlineStore:
    def __init__(self, config, auth: AuthConfig) -> None:
        self.config = config
        self.url = config.path.rstrip("/")
        self.tokens = TokenSource(auth) if auth.type != "no_auth" else None
        self._pool: urllib3.PoolManager | None = None
        self._last_used = 0.0
        self._lock = threading.Lock()

    # ---- HTTP -----------------------------------------------------------------------------------

    def _manager(self) -> urllib3.PoolManager:
        with self._lock:
            now = time.monotonic()
            idle = self.config.connection_idle_timeout
            if self._pool is not None and idle > 0 and now - self._last_used > idle:
                self._pool.clear()
            if self._pool is None:
                retries = urllib3.Retry(
                    total=self.config.connection_retries, backoff_factor=0.5, allowed_methods=None,
                    status_forcelist=(429, 502, 503, 504), raise_on_status=False,
                )
                options = {"maxsize": self.config.connection_pool_size, "retries": retries, "block": False}
                if self.config.cert:
                    options["ca_certs"] = self.config.cert
                self._pool = urllib3.PoolManager(**options)
            self._last_used = now
            return self._pool

    def post(self, path: str, payload: dict) -> bytes:
        """POST ``payload`` as JSON; the response body, or the FeastError the server's answer stands for."""
        body = _dumps(payload)
        url = f"{self.url}{path}"
        for attempt in (1, 2):
            headers = {"Content-Type": "application/json", "Accept": "application/json"}
            if self.tokens is not None:
                headers["Authorization"] = f"Bearer {self.tokens()}"
            try:
                response = self._manager().request("POST", url, body=body, headers=headers, timeout=urllib3.Timeout(
                    connect=10.0, read=600.0))
            except urllib3.exceptions.HTTPError as error:
                raise StoreUnavailableError(f"the feature server at {self.url} cannot be reached: {error}") from None
            if response.status == 200:
                return response.data
            if response.status == 401 and attempt == 1 and self.tokens is not None:
                self.tokens.forget()  # a fetched token may have been revoked: one more try with a new one
                continue
            raise _error_from_body(response.status, response.data, url)
        raise AssertionError("unreachable")

    # ---- reads ----------------------------------------------------------------------------------

    def get_online_features(self, plan, features, entity_rows, full_feature_names: bool) -> OnlineResponse:
        """One request for the whole read; ``features`` is a list of references or a FeatureService."""
        columns, _ = entity_columns(entity_rows)
        payload: dict = {"entities": columns, "full_feature_names": full_feature_names}
        if isinstance(features, (list, tuple)):
            payload["features"] = list(features)
        else:
            payload["feature_service"] = features.name
        data = orjson.loads(self.post("/get-online-features", payload))
        names = data["metadata"]["feature_names"]
        decoders = self._decoders(plan)
        values, statuses, stamps = [], [], []
        for name, result in zip(names, data["results"]):
            column = result.get("values", [])
            decode = decoders.get(name)
            if decode is not None:
                column = [None if v is None else decode(v) for v in column]
            values.append(column)
            statuses.append(result.get("statuses", []))
            stamps.append([_micros(t) for t in result.get("event_timestamps", [None] * len(column))])
        return OnlineResponse(names, values, statuses, stamps)

    @staticmethod
    def _decoders(plan) -> dict:
        decoders = {}
        for part in plan.views:
            dtypes = {f.name: f.dtype for f in part.view.features}
            for feature, output in zip(part.features, part.outputs):
                decode = _decoder(dtypes.get(feature))
                if decode is not None:
                    decoders[output] = decode
        for part in plan.on_demand:
            dtypes = {f.name: f.dtype for f in part.view.features}
            for feature, output in zip(part.features, part.outputs):
                decode = _decoder(dtypes.get(feature))
                if decode is not None:
                    decoders[output] = decode
        return decoders

    def read(self, project: str, view: FeatureView, keys: list[tuple], features: list[str]) -> OnlineRead:
        """One view's rows for ``keys`` (every join key sent, unlike Feast's client which sends only the first)."""
        entities = {k: [key[i] for key in keys] for i, k in enumerate(view.join_keys)}
        payload = {"features": [f"{view.name}:{f}" for f in features], "entities": entities,
                   "full_feature_names": True}
        data = orjson.loads(self.post("/get-online-features", payload))
        by_name = dict(zip(data["metadata"]["feature_names"], data["results"]))
        dtypes = {f.name: f.dtype for f in view.features}
        values, event_ts = {}, {}
        for feature in features:
            result = by_name.get(f"{view.name}__{feature}") or by_name.get(feature) or {}
            column = list(result.get("values", [None] * len(keys)))
            decode = _decoder(dtypes.get(feature))
            statuses = result.get("statuses", [])
            stamps = result.get("event_timestamps", [])
            times: list = [None] * len(keys)
            for i, status in enumerate(statuses):
                # a value the server found keeps its time (the ttl is checked again here, to the same answer)
                if status in ("PRESENT", "NULL_VALUE", "OUTSIDE_MAX_AGE") and i < len(stamps):
                    times[i] = _micros(stamps[i])
                if status not in ("PRESENT",):
                    column[i] = None
            event_ts[feature] = times
            values[feature] = [None if v is None or decode is None else decode(v) for v in column] \
                if decode is not None else column
        return OnlineRead(event_ts, values)

    # ---- writes ---------------------------------------------------------------------------------

    def write(self, project: str, view: FeatureView, batch: pa.Table) -> int:
        if isinstance(batch, pa.RecordBatch):
            batch = pa.Table.from_batches([batch])
        wire_names = {EVENT_TS: "event_timestamp", CREATED_TS: "created"}
        for offset in range(0, batch.num_rows, WRITE_CHUNK_ROWS):
            chunk = batch.slice(offset, WRITE_CHUNK_ROWS)
            columns = {wire_names.get(name, name): chunk.column(name).to_pylist() for name in chunk.column_names}
            self.post("/write-to-online-store", {"feature_view_name": view.name, "df": columns,
                                                 "allow_registry_cache": False})
        return batch.num_rows

    def update(self, project: str, keep: list[FeatureView], delete: list[FeatureView]) -> None:
        """The server's online store keeps its own tables."""

    def check(self, project: str, views: list[FeatureView]) -> None:
        """The server's online store checks its own tables."""

    def migrate(self, project: str, views: list[FeatureView], dry_run: bool = False) -> list:
        """Nothing here to migrate: run ``feast migrate`` where the server's online store is configured."""
        return []

    def teardown(self, project: str, views: list[FeatureView]) -> None:
        """The server's online store keeps its own tables."""

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.clear()
                self._pool = None
