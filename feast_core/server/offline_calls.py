"""The calls of Feast's offline-server protocol, run against a FeatureStore with the caller's permissions.

A call is a JSON command (``{"command_id", "api", ...parameters}``, feast-wire-formats §5.2) plus an uploaded
Arrow table: the entity rows of a retrieval, the rows of a write, or the one-column placeholder ``{key:
["mock_key"]}`` Feast's clients send when there is nothing to upload. Reads answer a stream of record batches
(``Result``); writes answer nothing.

Permissions, as Feast's offline server checks them (feast-semantics §8): READ_OFFLINE on every feature view a
retrieval reads (on-demand views' inputs included) and on the data source of a pull, schema read or
validation; WRITE_OFFLINE on the feature view of a write. A data source sent in a call (schema reads and
validation) is checked as the registered source of that name when there is one (and read as registered); a
source not registered yet needs CREATE on it as well: inspecting a new source is the first step of applying it,
and nobody may make this server read an arbitrary path just by naming a source they may read.

Registry lookups use the server's cached registry snapshot; a name not found there is looked up once more in a
fresh read, so objects applied since the last refresh are found at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

import pandas as pd
import pyarrow as pa
from google.protobuf import json_format

from .. import plans
from ..auth.enforce import Guard
from ..auth.user import User
from ..definitions import AuthzedAction, DataSource, FeatureView, FeatureViewProjection, from_proto
from ..errors import FeastObjectNotFoundException, FeatureNameCollisionError, InvalidRequestError
from ..offline.base import PullQuery
from ..protos.feast.core.DataSource_pb2 import DataSource as DataSourceProto
from ..store import FeatureStore
from ..timestamps import to_utc

log = logging.getLogger(__name__)

READ_OFFLINE = (AuthzedAction.READ_OFFLINE,)
WRITE_OFFLINE = (AuthzedAction.WRITE_OFFLINE,)
CREATE = (AuthzedAction.CREATE,)

HISTORICAL = "get_historical_features"
PULL_LATEST = "pull_latest_from_table_or_query"
PULL_ALL = "pull_all_from_table_or_query"
COLUMNS = "get_table_column_names_and_types_from_data_source"
WRITE_BATCH = "offline_write_batch"
WRITE_LOGS = "write_logged_features"
PERSIST = "persist"
VALIDATE = "validate_data_source"
READS = (HISTORICAL, PULL_LATEST, PULL_ALL, COLUMNS)
WRITES = (WRITE_BATCH, WRITE_LOGS, PERSIST, VALIDATE)

PLACEHOLDER_COLUMN = "key"  # Feast's clients upload {key: ["mock_key"]} when a call has no rows to send
BATCH_ROWS = 65_536  # rows per streamed record batch at most
BATCH_BYTES = 64 << 20  # and about this many bytes at most (wide rows get fewer per batch)


@dataclass
class Result:
    """A read's answer: its schema and its record batches, produced as they are streamed."""

    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]


def parse_command(raw: bytes | None) -> dict:
    if not raw:
        raise InvalidRequestError("the Flight descriptor carries no command (expected Feast's JSON command)")
    try:
        command = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidRequestError(f"the Flight command is not JSON: {error}") from None
    if not isinstance(command, dict) or not isinstance(command.get("api"), str):
        raise InvalidRequestError("the Flight command names no 'api'")
    return command


def table_batches(table: pa.Table) -> Iterator[pa.RecordBatch]:
    """A table as record batches of at most BATCH_ROWS rows and about BATCH_BYTES bytes (zero-copy slices)."""
    rows = BATCH_ROWS
    if table.num_rows and table.nbytes:
        rows = max(1, min(BATCH_ROWS, BATCH_BYTES * table.num_rows // table.nbytes))
    return iter(table.to_batches(max_chunksize=rows))


def _is_placeholder(table: pa.Table | None) -> bool:
    return table is None or (table.num_columns == 1 and table.column_names[0] == PLACEHOLDER_COLUMN) \
        or table.num_columns == 0


# ---- parameters ------------------------------------------------------------------------------------------


def _param(command: dict, name: str, kinds: type | tuple, optional: bool = False):
    if name not in command or command[name] is None:
        if optional:
            return None
        raise InvalidRequestError(f"{command['api']}: parameter {name!r} is missing")
    value = command[name]
    if not isinstance(value, kinds):
        raise InvalidRequestError(f"{command['api']}: parameter {name!r} has the wrong type ({type(value).__name__})")
    return value


def _strings(command: dict, name: str, optional: bool = False, nullable: bool = False) -> list:
    value = _param(command, name, list, optional)
    if value is None:
        return []
    if not all(isinstance(v, str) or (nullable and v is None) for v in value):
        raise InvalidRequestError(f"{command['api']}: parameter {name!r} must be a list of strings")
    return value


def _time(command: dict, name: str, optional: bool) -> datetime | None:
    text = _param(command, name, str, optional)
    if text is None:
        return None
    try:
        return to_utc(datetime.fromisoformat(text))
    except ValueError:
        raise InvalidRequestError(f"{command['api']}: parameter {name!r} is not an ISO 8601 time: {text!r}") from None


# ---- the calls -------------------------------------------------------------------------------------------


class OfflineCalls:
    def __init__(self, store: FeatureStore, guard: Guard) -> None:
        self.store = store
        self.guard = guard

    # ---- registry lookups ----------------------------------------------------------------------------

    def _objects(self, project: str, fresh: bool = False):
        return self.store.registry.snapshot(allow_cache=not fresh).project(project)

    def _resolved(self, project: str, resolve):
        """``resolve(objects)`` against the cached registry, then once against a fresh read if a name was
        missing (the object may have been applied since the cache was filled)."""
        try:
            return resolve(self._objects(project))
        except FeastObjectNotFoundException:
            return resolve(self._objects(project, fresh=True))

    # ---- dispatch ------------------------------------------------------------------------------------

    def read(self, command: dict, upload: pa.Table | None, user: User | None) -> Result:
        api = command["api"]
        if api == HISTORICAL:
            return self.historical(command, upload, user)
        if api in (PULL_LATEST, PULL_ALL):
            return self.pull(command, user, latest=api == PULL_LATEST)
        if api == COLUMNS:
            return self.columns(command, user)
        if api in WRITES:
            self.write(command, upload, user)
            return Result(pa.schema([]), iter(()))
        raise InvalidRequestError(f"unknown offline-server call {api!r}; this server answers {', '.join(READS + WRITES)}")

    def write(self, command: dict, upload: pa.Table | None, user: User | None) -> None:
        api = command["api"]
        if api == WRITE_BATCH:
            self.write_batch(command, upload, user)
        elif api == VALIDATE:
            self.validate(command, user)
        elif api == WRITE_LOGS:
            raise InvalidRequestError("write_logged_features: feast_core does not log served features")
        elif api == PERSIST:
            raise InvalidRequestError("persist: feast_core's offline server does not save retrieval results as "
                                      "datasets; read them with to_df()/to_arrow() and write them yourself")
        elif api in READS:
            raise InvalidRequestError(f"{api} is a read: call it with do_exchange, or do_put then do_get")
        else:
            raise InvalidRequestError(f"unknown offline-server call {api!r}")

    # ---- get_historical_features ---------------------------------------------------------------------

    def historical(self, command: dict, upload: pa.Table | None, user: User | None) -> Result:
        names = _strings(command, "feature_view_names")
        aliases = _strings(command, "name_aliases", nullable=True)
        refs = _strings(command, "feature_refs")
        project = _param(command, "project", str)
        full = _param(command, "full_feature_names", bool)
        if len(aliases) != len(names):
            raise InvalidRequestError("get_historical_features: name_aliases must have one entry per feature view name")
        start, end = _time(command, "start_date", True), _time(command, "end_date", True)
        entity_df: pd.DataFrame | str | None = None
        if not _is_placeholder(upload):
            entity_df = upload.to_pandas()
        elif command.get("entity_df_sql") is not None:
            entity_df = _param(command, "entity_df_sql", str)
        if entity_df is not None and (start is not None or end is not None):
            raise InvalidRequestError("get_historical_features: send entity rows or start_date/end_date, not both")

        def resolve(objects):
            requested = _requested(objects, refs, list(zip(names, aliases)))
            try:
                return objects, plans.build_requested(objects, requested, full)
            except FeatureNameCollisionError:
                # Feast's clients send the inputs of on-demand views as references too; where showing them
                # collides with a requested column, they are read as inputs only (as a local call reads them)
                inputs = _on_demand_inputs(objects, requested)
                kept = [(p, f) for p, f in requested if (p.name_to_use(), f) not in inputs]
                if len(kept) == len(requested):
                    raise
                return objects, plans.build_requested(objects, kept, full)

        objects, plan = self._resolved(project, resolve)
        views = list({id(p.view): p.view for p in plan.views}.values())
        self.guard.require(user, objects, views, READ_OFFLINE)
        table = self.store.retrieve(plan, entity_df, start, end).to_arrow()
        return Result(table.schema, table_batches(table))

    # ---- pulls ----------------------------------------------------------------------------------------

    def pull(self, command: dict, user: User | None, latest: bool) -> Result:
        name = _param(command, "data_source_name", str)
        join_keys = _strings(command, "join_key_columns")
        columns = _strings(command, "feature_name_columns")
        timestamp_field = _param(command, "timestamp_field", str)
        created = _param(command, "created_timestamp_column", str, optional=True) or ""
        start, end = _time(command, "start_date", not latest), _time(command, "end_date", not latest)
        objects, source = self._resolved(self.store.project, lambda o: (o, o.get("data_sources", name)))
        self.guard.require(user, objects, [source], READ_OFFLINE)
        query = PullQuery(source, tuple(join_keys), tuple(columns), timestamp_field, created, start, end)
        offline = self.store.offline_store
        if not latest and not hasattr(offline, "pull_all"):
            raise InvalidRequestError(f"{PULL_ALL}: the {self.store.config.offline_store.type} offline store behind "
                                      "this server does not pull every row of a source")
        batches = offline.pull_latest(query, BATCH_ROWS) if latest else offline.pull_all(query, BATCH_ROWS)
        first = next(batches, None)
        if first is None:  # nothing in range: the columns still have their types
            schema = offline.source_schema(source)
            wanted = list(dict.fromkeys(c for c in (*join_keys, *columns, timestamp_field, created) if c))
            schema = pa.schema([schema.field(c) for c in wanted if c in schema.names])
            return Result(schema, iter(()))
        return Result(first.schema, chain((first,), batches))

    # ---- data sources ---------------------------------------------------------------------------------

    def _sent_source(self, command: dict, user: User | None) -> DataSource:
        text = _param(command, "data_source_proto", str)
        proto = DataSourceProto()
        try:
            json_format.Parse(text, proto)
        except json_format.ParseError as error:
            raise InvalidRequestError(f"{command['api']}: data_source_proto is not a DataSource message: {error}") from None
        sent = from_proto("data_sources", proto)
        objects = self._objects(self.store.project, fresh=True)
        registered = objects.objects["data_sources"].get(sent.name)
        if registered is not None:
            self.guard.require(user, objects, [registered], READ_OFFLINE)
            return registered
        self.guard.require(user, objects, [sent], READ_OFFLINE + CREATE)
        return sent

    def columns(self, command: dict, user: User | None) -> Result:
        source = self._sent_source(command, user)
        schema = self.store.offline_store.source_schema(source)
        table = pa.table({"name": pa.array(schema.names, pa.string()),
                          "type": pa.array([str(f.type) for f in schema], pa.string())})
        return Result(table.schema, table_batches(table))

    def validate(self, command: dict, user: User | None) -> None:
        source = self._sent_source(command, user)
        self.store.offline_store.source_schema(source)  # DataSourceError / DataSourceNotFoundException when unreadable

    # ---- writes ---------------------------------------------------------------------------------------

    def write_batch(self, command: dict, upload: pa.Table | None, user: User | None) -> None:
        names = _strings(command, "feature_view_names")
        aliases = _strings(command, "name_aliases", nullable=True)
        if len(names) != 1 or len(aliases) != 1:
            raise InvalidRequestError("offline_write_batch: feature_view_names and name_aliases need exactly one entry")
        objects, view = self._resolved(self.store.project, lambda o: (o, o.get("feature_views", names[0])))
        self.guard.require(user, objects, [view], WRITE_OFFLINE)
        if _is_placeholder(upload) or upload.num_rows == 0:
            return
        self.store.offline_store.write(view.batch_source, upload)


def _requested(objects, refs: list[str], pairs: list[tuple[str, str | None]]) -> list[tuple[FeatureViewProjection, str]]:
    """Feast's references as (projection, feature): a name is an alias the request declares for one of its feature
    views (joined as the feature service holding that projection joins it), a feature view, or an on-demand view."""
    aliased: dict[str, str] = {alias: view for view, alias in pairs if alias}
    requested = []
    for ref in refs:
        name, feature = plans.parse_reference(ref)
        if name in aliased:
            requested.append((_aliased_projection(objects, aliased[name], name), feature))
            continue
        views = objects.objects["feature_views"]
        target = views.get(name) or objects.objects["on_demand_feature_views"].get(name)
        if target is None:
            objects.get("feature_views", name)  # the not-found error, naming the views there are
        requested.append((target.projection, feature))
    return requested


def _on_demand_inputs(objects, requested: list[tuple[FeatureViewProjection, str]]) -> set[tuple[str, str]]:
    """(projection name, feature) of every input of the on-demand views among ``requested``."""
    odfvs = objects.objects["on_demand_feature_views"]
    inputs = set()
    for projection, _ in requested:
        odfv = odfvs.get(projection.name)
        if odfv is not None:
            inputs.update((source.name_to_use(), f) for source in odfv.view_sources for f in source.feature_names)
    return inputs


def _aliased_projection(objects, view_name: str, alias: str) -> FeatureViewProjection:
    view: FeatureView = objects.get("feature_views", view_name)
    for service in objects.list("feature_services"):
        for projection in service.projections:
            if projection.name == view_name and projection.name_alias == alias:
                return projection
    return FeatureViewProjection(name=view.name, name_alias=alias, features=list(view.features))


__all__ = ["OfflineCalls", "READS", "Result", "WRITES", "parse_command", "table_batches"]
