"""What each endpoint does, independent of HTTP plumbing: a request body in, (status, JSON bytes) out.

Where the work runs, so that a slow thing never holds up the others:
* online reads: in the event loop thread when the online store is SQLite (a read is ~100 us of local I/O and a
  thread hop would cost as much again), otherwise on a read thread pool (a network round trip to PostgreSQL);
* writes (push, write-to-online-store): on a small write pool (SQLite writers may queue on the file lock);
* materialization: on its own pool (``FEAST_MATERIALIZE_MAX_WORKERS``, default 2), so requests keep being served.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pandas as pd

from .. import telemetry
from ..auth.enforce import Guard
from ..errors import EntityDataError, FeastError
from ..plans import parse_reference
from ..store import FeatureStore, PushMode
from . import wire
from .access import Access
from .limits import OnlineLimits
from .problems import RequestError, feast_error_response

log = logging.getLogger(__name__)

# Feast's feature_count and feature_view_count labels of the request latency metric. When request metrics are on,
# the Dispatcher hands each endpoint a one-item list holding these, and an endpoint that has labels replaces the item
# (a list item store: no contextvar round trip); endpoints without labels ignore the list.
NO_LABELS = ("", "")

NULL = b"null"
PUSH_MODES = {"online": PushMode.ONLINE, "offline": PushMode.OFFLINE, "online_and_offline": PushMode.ONLINE_AND_OFFLINE}


def reads_inline(store: FeatureStore) -> bool:
    online = store.config.online_store
    return online is not None and online.type == "sqlite"


class Endpoints:
    """The feature server's endpoints over one FeatureStore: each takes the request body, its query parameters, the
    authenticated user and the request's metric labels (see NO_LABELS) and returns (HTTP status, JSON bytes)."""

    def __init__(self, store: FeatureStore, inline_reads: bool | None = None, guard: Guard | None = None,
                 limits: OnlineLimits | None = None) -> None:
        self.store = store
        self.access = Access(store, guard if guard is not None else Guard(store.config.auth).start())
        self.inline_reads = reads_inline(store) if inline_reads is None else inline_reads
        self.limits = limits or OnlineLimits()
        self._stamps = wire.TimestampText()
        self._reads = ThreadPoolExecutor(16, thread_name_prefix="feast-read")
        self._writes = ThreadPoolExecutor(4, thread_name_prefix="feast-write")
        self._materializer = ThreadPoolExecutor(
            int(os.environ.get("FEAST_MATERIALIZE_MAX_WORKERS", "2")), thread_name_prefix="feast-materialize"
        )
        self._materializing: set[str] = set()
        self._materializing_lock = threading.Lock()
        self._labels: dict[tuple, tuple[str, str]] = {}

    def close(self) -> None:
        self._reads.shutdown(wait=True, cancel_futures=True)
        self._writes.shutdown(wait=True, cancel_futures=True)
        self._materializer.shutdown(wait=True, cancel_futures=True)

    # ---- reads --------------------------------------------------------------------------------

    async def get_online_features(
        self, body: bytes, query: dict, user=None, labels: list | None = None
    ) -> tuple[int, bytes]:
        request = wire.online_request(body, self.limits)
        self.access.online_read(user, request.features, request.feature_service)
        if request.feature_service is not None:  # the registry snapshot in memory: no I/O here
            features = self.store.get_feature_service(request.feature_service, allow_cache=True)
            count = sum(len(p.features) for p in features.projections)
        else:
            features = request.features
            count = len(features)
        self.limits.check_response(request.rows, count + len(request.entities))
        if labels is not None:
            labels[0] = self._feature_labels(features)
        if telemetry.flags.audit_logging:
            return 200, await self._audited_read(request, features)
        return 200, await self._read_where_it_belongs(request, features)

    async def _read_where_it_belongs(self, request: wire.OnlineRequest, features) -> bytes:
        if self.inline_reads:
            return self._read(request, features)
        read = telemetry.in_context(self._read)
        return await asyncio.get_running_loop().run_in_executor(self._reads, read, request, features)

    async def _audited_read(self, request: wire.OnlineRequest, features) -> bytes:
        from ..telemetry import audit

        started, status = time.perf_counter(), "error"
        try:
            answer = await self._read_where_it_belongs(request, features)
            status = "success"
            return answer
        finally:
            if isinstance(features, list):
                views = sorted({ref.split(":", 1)[0] for ref in features})
                count = len(features)
            else:
                views = [p.name_to_use() for p in features.projections]
                count = sum(len(p.feature_names) for p in features.projections)
            rows = len(next(iter(request.entities.values()), []))
            audit.online_request(list(request.entities), rows, views, count, status,
                                 (time.perf_counter() - started) * 1000)

    def _feature_labels(self, features) -> tuple[str, str]:
        """Feast's labels: the binned count of features asked for and the number of feature views they are from."""
        if isinstance(features, list):
            key = tuple(features)
            labels = self._labels.get(key)
            if labels is not None:
                return labels
            try:
                count, views = len(features), len({parse_reference(ref)[0] for ref in features})
            except FeastError:
                return NO_LABELS
        else:
            key = None
            count, views = sum(len(p.feature_names) for p in features.projections), len(features.projections)
        from ..telemetry.metrics import bin_feature_count

        labels = (bin_feature_count(count, telemetry.flags.feature_count_bins), str(views))
        if key is not None and len(self._labels) < 1024:
            self._labels[key] = labels
        return labels

    def _read(self, request: wire.OnlineRequest, features) -> bytes:
        response = self.store.read_online_features(  # the request's span stands for the SDK call's
            features, request.entities, full_feature_names=request.full_feature_names, strict_entity_keys=True
        )
        if telemetry.flags.online_features:  # flags are only ever set after telemetry.metrics was imported
            telemetry.metrics.entity_count(len(response.values[0]) if response.values else 0)  # counts the request too
        return wire.online_response(response, self._stamps)

    def health(self) -> tuple[int, bytes]:
        try:
            self.store.registry.snapshot(allow_cache=True)
        except FeastError as error:
            return feast_error_response(error)
        return 200, b""

    # ---- writes -------------------------------------------------------------------------------

    async def push(
        self, body: bytes, query: dict, user=None, labels: list | None = None
    ) -> tuple[int, bytes]:
        data = wire.parse_object(body)
        name = wire.required_str(data, "push_source_name")
        rows = wire.columns(data, "df")
        to = data.get("to", "online")
        mode = PUSH_MODES.get(to) if isinstance(to, str) else None
        if mode is None:
            raise RequestError(f"'to' must be one of {sorted(PUSH_MODES)}, not {to!r}", ("body", "to"), "enum")
        allow_cache = wire.optional_bool(data, "allow_registry_cache", True)
        self.access.push(user, name, to)

        def work() -> None:
            source = self.store.registry.snapshot().project(self.store.project).objects["data_sources"].get(name)
            stamps = (source.timestamp_field, source.created_timestamp_column) if source is not None else ()
            self.store.push(name, _frame(rows, stamps), allow_registry_cache=allow_cache, to=mode)

        await asyncio.get_running_loop().run_in_executor(self._writes, telemetry.in_context(work))
        if telemetry.flags.push:
            from ..telemetry.metrics import PUSHES

            PUSHES.labels(name, to).inc()
        return 200, b""

    async def write_to_online_store(
        self, body: bytes, query: dict, user=None, labels: list | None = None
    ) -> tuple[int, bytes]:
        data = wire.parse_object(body)
        name = wire.required_str(data, "feature_view_name")
        self.access.write_online(user, [name])
        rows = wire.columns(data, "df")
        allow_cache = wire.optional_bool(data, "allow_registry_cache", True)

        def work() -> None:
            view = self.store.get_feature_view(name, allow_registry_cache=allow_cache)
            source = view.batch_source
            frame = _frame(_remote_client_names(rows, source), (source.timestamp_field, source.created_timestamp_column))
            self.store.write_to_online_store(name, frame, allow_registry_cache=True)

        await asyncio.get_running_loop().run_in_executor(self._writes, telemetry.in_context(work))
        return 200, NULL

    # ---- materialization -------------------------------------------------------------------------

    async def materialize(
        self, body: bytes, query: dict, user=None, labels: list | None = None
    ) -> tuple[int, bytes]:
        data = wire.parse_object(body)
        if wire.optional_bool(data, "disable_event_timestamp", False):
            start = wire.timestamp(data, "start_ts", required=False) or datetime(1970, 1, 1, tzinfo=timezone.utc)
            end = wire.timestamp(data, "end_ts", required=False) or datetime.now(timezone.utc)
        else:
            start, end = wire.timestamp(data, "start_ts"), wire.timestamp(data, "end_ts")
        if start > end:
            raise RequestError(f"'start_ts' {start.isoformat()} is after 'end_ts' {end.isoformat()}", ("body", "start_ts"))
        names = self._views(data)
        self.access.write_online(user, names)

        def run(name: str) -> None:
            self.store.materialize(start, end, feature_views=[name], progress=False)

        return await self._materialize(names, run, query)

    async def materialize_incremental(
        self, body: bytes, query: dict, user=None, labels: list | None = None
    ) -> tuple[int, bytes]:
        data = wire.parse_object(body)
        end = wire.timestamp(data, "end_ts")
        names = self._views(data)
        self.access.write_online(user, names)

        def run(name: str) -> None:
            self.store.materialize_incremental(end, feature_views=[name], progress=False)

        return await self._materialize(names, run, query)

    def _views(self, data: dict) -> list[str]:
        """The feature views a materialization request names (all online views when it names none)."""
        requested = wire.optional_str_list(data, "feature_views")
        objects = self.store.registry.snapshot().project(self.store.project)
        if requested is None:
            return [v.name for v in objects.list("feature_views") if v.online]
        for name in requested:
            if not objects.get("feature_views", name).online:
                raise RequestError(f"feature view {name!r} has online=False; it cannot be materialized",
                                   ("body", "feature_views"))
        return list(dict.fromkeys(requested))

    async def _materialize(self, names: list[str], run, query: dict) -> tuple[int, bytes]:
        with self._materializing_lock:
            busy = sorted(self._materializing.intersection(names))
            if busy and query.get("force") != "true":
                return 409, wire.dumps({
                    "error": f"feature view(s) {busy} are being materialized already; retry later or pass force=true",
                    "feature_views": busy,
                })
            self._materializing.update(names)
        future = self._materializer.submit(telemetry.in_context(self._run_materialization), names, run)
        if query.get("async") == "true":
            return 202, wire.dumps({"status": "accepted", "feature_views": names})
        await asyncio.wrap_future(future)
        return 200, NULL

    def _run_materialization(self, names: list[str], run) -> None:
        try:
            for name in names:
                try:
                    run(name)  # FeatureStore records the materialization metrics
                except BaseException:
                    log.warning("materialization of feature view %s failed", name, exc_info=True)
                    raise
        finally:
            with self._materializing_lock:
                self._materializing.difference_update(names)


def _remote_client_names(rows: dict[str, list], source) -> dict[str, list]:
    """Feast's remote online store sends its rows' timestamps as ``event_timestamp`` and ``created`` whatever the
    source calls them; give them the source's names when the source's own are absent."""
    renames = {"event_timestamp": source.timestamp_field, "created": source.created_timestamp_column}
    if not any(wire in rows and ours and ours not in rows for wire, ours in renames.items()):
        return rows
    return {(renames[k] if k in renames and renames[k] and renames[k] not in rows else k): v for k, v in rows.items()}


def _frame(rows: dict[str, list], timestamp_columns) -> pd.DataFrame:
    """Rows sent as JSON columns, with ISO 8601 timestamp strings (naive = UTC) turned into timestamps."""
    frame = pd.DataFrame(rows)
    for name in timestamp_columns:
        if name and name in frame.columns and (frame[name].dtype == object or pd.api.types.is_string_dtype(frame[name])):
            try:
                frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
            except (ValueError, TypeError) as error:
                raise EntityDataError(f"column {name!r} must hold ISO 8601 timestamps: {str(error).splitlines()[0]}") from None
    return frame
