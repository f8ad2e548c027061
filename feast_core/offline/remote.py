"""``offline_store: type: remote``: the offline store behind an offline server, over Feast's Arrow Flight protocol.

Both our ``feast serve_offline`` and upstream Feast's (0.67) answer it. As Feast 0.67's client does, every read
is one ``do_exchange`` stream: the JSON command in the descriptor, the upload (entity rows, or Feast's one-row
placeholder), then the answer's record batches on the same stream; writes are one ``do_put``.

* ``FeatureStore.get_historical_features`` sends the whole request (``retrieve``): the views and aliases the
  plan reads, the references (those on-demand views need included, as Feast's client sends them, so a Feast
  server can join them), the entity rows, an entity SQL or the date range. The server joins and applies the
  on-demand views; the answer loses the columns that were only sent as on-demand inputs, so it is the table a
  local call gives.
* Materialization pulls stream (``pull_latest``): batch by batch as the server sends them, re-cut to the
  caller's chunk size, so memory stays bounded by the chunk, not the data.
* ``write_view`` (``write_to_offline_store``, a push's offline part) is ``offline_write_batch`` through the
  feature view, as in Feast; ``source_schema`` asks ``get_table_column_names_and_types_from_data_source``.

Every call carries ``authorization: Bearer <token>`` from the ``auth:`` block (auth/client.py) unless it is
``no_auth``; a refused token is dropped and the call tried once more with a new one. ``scheme: https`` speaks
``grpc+tls`` (``cert``: the CA or self-signed certificate to trust). An unreachable server is retried
``connection_retries`` times with Feast's backoff (0.5 s, 1 s, 2 s, ...). A server's Feast error comes back as
the typed FeastError (a refused permission as FeastPermissionError, an unknown view as
FeatureViewNotFoundException, ...).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone

import pandas as pd
import pyarrow as pa
import pyarrow.flight as fl
from google.protobuf import json_format

from ..auth.client import TokenSource
from ..auth.config import AuthConfig
from ..config import RemoteOfflineStoreConfig
from ..definitions import DataSource, FeatureView
from ..errors import (
    AuthenticationError,
    ConfigError,
    FeastError,
    FeastPermissionError,
    StoreUnavailableError,
)
from ..timestamps import to_utc
from .base import PullQuery

log = logging.getLogger(__name__)

DEFAULT_PORT = 8815
BACKOFF_SECONDS = 0.5
UPLOAD_ROWS = 65_536
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class RemoteOfflineError(FeastError):
    """The offline server answered with an error that names no Feast error class."""


def placeholder() -> pa.Table:
    """What Feast's clients upload when a call has no rows: one column ``key`` holding ``mock_key``."""
    return pa.table({"key": pa.array(["mock_key"], pa.string())})


# ---- errors ---------------------------------------------------------------------------------------------------

_MARK = "Flight error: "


def error_detail(text: str) -> str | None:
    """The ``{"module", "class", "message"}`` JSON inside a Flight error's text, if there is one."""
    start = text.find(_MARK)
    start = text.find("{", start + len(_MARK)) if start >= 0 else text.find('{"module"')
    if start < 0:
        return None
    try:
        detail, _ = json.JSONDecoder().raw_decode(text, start)
    except ValueError:
        return None
    if isinstance(detail, dict) and {"module", "class", "message"} <= detail.keys():
        return json.dumps(detail)
    return None


def _short(text: str) -> str:
    """A Flight error's message without gRPC's debug context or a server's traceback."""
    first = text.strip().splitlines()[0] if text.strip() else text
    return re.split(r"\. (?:Detail|gRPC client debug context):", first, maxsplit=1)[0].strip()


def feast_error(error: fl.FlightError, endpoint: str) -> FeastError:
    """The FeastError a Flight error stands for."""
    text = str(error)
    detail = error_detail(text)
    if detail is not None:
        rebuilt = FeastError.from_error_detail(detail)
        if rebuilt is not None and type(rebuilt) is not FeastError:
            return rebuilt
    if isinstance(error, fl.FlightUnauthenticatedError):
        return AuthenticationError(f"the offline server at {endpoint} refused the token ({_short(text)})")
    if isinstance(error, fl.FlightUnauthorizedError):
        return FeastPermissionError(_short(text))
    if isinstance(error, fl.FlightUnavailableError):
        return StoreUnavailableError(f"the offline server at {endpoint} cannot be reached: {_short(text)}")
    message = json.loads(detail)["message"] if detail is not None else _short(text)
    return RemoteOfflineError(f"the offline server at {endpoint} answered: {message}")


# ---- arrow type names -----------------------------------------------------------------------------------------

_PRIMITIVES = {
    "bool": pa.bool_(), "int8": pa.int8(), "int16": pa.int16(), "int32": pa.int32(), "int64": pa.int64(),
    "uint8": pa.uint8(), "uint16": pa.uint16(), "uint32": pa.uint32(), "uint64": pa.uint64(),
    "halffloat": pa.float16(), "float": pa.float32(), "double": pa.float64(), "string": pa.string(),
    "large_string": pa.large_string(), "binary": pa.binary(), "large_binary": pa.large_binary(),
    "date32[day]": pa.date32(), "date64[ms]": pa.date64(), "null": pa.null(),
    # PostgreSQL's names, as an upstream server over a PostgreSQL offline store answers them
    "boolean": pa.bool_(), "smallint": pa.int16(), "integer": pa.int32(), "bigint": pa.int64(), "real": pa.float32(),
    "double precision": pa.float64(), "numeric": pa.float64(), "text": pa.string(), "character varying": pa.string(),
    "varchar": pa.string(), "bytea": pa.binary(), "date": pa.date32(),
    "timestamp with time zone": pa.timestamp("us", tz="UTC"), "timestamp without time zone": pa.timestamp("us"),
}


def arrow_type(name: str) -> pa.DataType:
    """An Arrow type from the name a server gives it (``str(type)`` for Arrow, or PostgreSQL's); null if unknown."""
    name = name.strip()
    found = _PRIMITIVES.get(name.lower())
    if found is not None:
        return found
    stamp = re.fullmatch(r"timestamp\[(s|ms|us|ns)(?:, tz=(.+))?\]", name)
    if stamp:
        return pa.timestamp(stamp.group(1), tz=stamp.group(2))
    listed = re.fullmatch(r"(large_)?list<[^:]+: (.+)>", name)
    if listed:
        inner = arrow_type(listed.group(2))
        return pa.large_list(inner) if listed.group(1) else pa.list_(inner)
    if name.endswith("[]"):
        return pa.list_(arrow_type(name[:-2]))
    if re.fullmatch(r"decimal(128|256)?\(\d+, ?\d+\)", name):
        return pa.float64()
    log.warning("the offline server names a column type %r this client does not know; read as null", name)
    return pa.null()


def _close(writer) -> None:
    """Close a stream whose call already failed (the call's own error is the one to report)."""
    with contextlib.suppress(pa.ArrowException, fl.FlightError):
        writer.close()


def _next_chunk(reader):
    try:
        return reader.read_chunk()
    except StopIteration:
        return None


# ---- the store ------------------------------------------------------------------------------------------------


class RemoteOfflineStore:
    serves_plans = True  # FeatureStore sends whole retrievals (retrieve) and writes through views (write_view)
    # Feast's protocol cannot ask for rows in event-time order (and Feast's server does not give them so): a
    # materialization through it records its window when it completes, not per chunk
    pulls_in_order = False

    def __init__(self, config: RemoteOfflineStoreConfig, auth: AuthConfig) -> None:
        self.config = config
        scheme = "grpc+tls" if config.scheme == "https" else "grpc+tcp"
        host = f"[{config.host}]" if ":" in config.host else config.host
        self.endpoint = f"{scheme}://{host}:{config.port or DEFAULT_PORT}"
        self.tokens = TokenSource(auth) if auth.type != "no_auth" else None
        self._client: fl.FlightClient | None = None
        self._lock = threading.Lock()

    # ---- transport ------------------------------------------------------------------------------------

    def client(self) -> fl.FlightClient:
        with self._lock:
            if self._client is None:
                options: dict = {}
                if self.config.cert:
                    try:
                        with open(self.config.cert, "rb") as handle:
                            options["tls_root_certs"] = handle.read()
                    except OSError as error:
                        raise ConfigError(f"offline_store.cert {self.config.cert}: cannot read: {error.strerror}") \
                            from None
                self._client = fl.FlightClient(self.endpoint, **options)
            return self._client

    def _options(self) -> fl.FlightCallOptions:
        """The call's headers: ``authorization: Bearer <token>`` unless the auth block is no_auth (a token that
        cannot be had raises AuthConfigError here, before anything is sent)."""
        if self.tokens is None:
            return fl.FlightCallOptions()
        return fl.FlightCallOptions(headers=[(b"authorization", f"Bearer {self.tokens()}".encode())])

    def _call(self, attempt: Callable):
        """``attempt(client, options)``, retried while the server is unreachable and once after a refused token."""
        refreshed = False
        tries = 0
        while True:
            try:
                return attempt(self.client(), self._options())
            except fl.FlightUnavailableError as error:
                if tries >= self.config.connection_retries or error_detail(str(error)) is not None:
                    raise feast_error(error, self.endpoint) from None
                wait = BACKOFF_SECONDS * 2 ** tries
                tries += 1
                log.warning("offline server %s unavailable (try %d of %d), retrying in %.1f s", self.endpoint, tries,
                            self.config.connection_retries + 1, wait)
                time.sleep(wait)
            except fl.FlightUnauthenticatedError as error:
                if refreshed or self.tokens is None:
                    raise feast_error(error, self.endpoint) from None
                self.tokens.forget()  # a fetched token may have been revoked: one more try with a new one
                refreshed = True
            except fl.FlightError as error:
                raise feast_error(error, self.endpoint) from None
            except pa.ArrowException as error:  # a stream cut short, an unreadable answer
                raise RemoteOfflineError(f"the offline server at {self.endpoint}: {error}") from None

    @staticmethod
    def _descriptor(api: str, params: dict) -> fl.FlightDescriptor:
        return fl.FlightDescriptor.for_command(json.dumps({"command_id": str(uuid.uuid4()), "api": api, **params}))

    def exchange(self, api: str, params: dict, upload: pa.Table | None = None) -> pa.Table:
        """One read: the answer as a table."""
        descriptor = self._descriptor(api, params)
        upload = upload if upload is not None else placeholder()

        def attempt(client: fl.FlightClient, options: fl.FlightCallOptions) -> pa.Table:
            writer, reader = client.do_exchange(descriptor, options)
            try:
                writer.begin(upload.schema)
                writer.write_table(upload, max_chunksize=UPLOAD_ROWS)
                writer.done_writing()
                return reader.read_all()
            finally:
                _close(writer)

        return self._call(attempt)

    def exchange_batches(self, api: str, params: dict) -> Iterator[pa.RecordBatch]:
        """One read whose answer is consumed batch by batch as it arrives (nothing uploaded)."""
        descriptor = self._descriptor(api, params)
        upload = placeholder()

        def attempt(client: fl.FlightClient, options: fl.FlightCallOptions):
            writer, reader = client.do_exchange(descriptor, options)
            try:
                writer.begin(upload.schema)
                writer.write_table(upload)
                writer.done_writing()
                return writer, reader, _next_chunk(reader)  # the first batch: errors of the call show up here
            except BaseException:
                _close(writer)
                raise

        writer, reader, chunk = self._call(attempt)
        try:
            while chunk is not None:
                if chunk.data is not None and chunk.data.num_rows:
                    yield chunk.data
                chunk = _next_chunk(reader)
        except fl.FlightError as error:
            raise feast_error(error, self.endpoint) from None
        finally:
            _close(writer)

    def put(self, api: str, params: dict, table: pa.Table) -> None:
        descriptor = self._descriptor(api, params)

        def attempt(client: fl.FlightClient, options: fl.FlightCallOptions) -> None:
            writer, _ = client.do_put(descriptor, table.schema, options)
            try:
                writer.write_table(table, max_chunksize=UPLOAD_ROWS)
            except BaseException:
                _close(writer)
                raise
            writer.close()  # the server's answer (an error of the write) comes here

        self._call(attempt)

    # ---- historical retrieval -------------------------------------------------------------------------

    def retrieve(self, project: str, plan, entity_df, start_date: datetime | None,
                 end_date: datetime | None) -> pa.Table:
        refs = [f"{p.projection.name_to_use()}:{f}" for p in plan.views for f in p.features]
        refs += [f"{p.projection.name_to_use()}:{f}" for p in plan.on_demand for f in p.features]
        params: dict = {
            "feature_view_names": [p.view.name for p in plan.views],
            "feature_refs": refs,
            "project": project,
            "full_feature_names": plan.full_feature_names,
            "name_aliases": [p.projection.name_alias or None for p in plan.views],
        }
        upload = None
        if isinstance(entity_df, str):
            params["entity_df_sql"] = entity_df
        elif entity_df is not None:
            try:
                upload = pa.Table.from_pandas(entity_df, preserve_index=False)
            except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
                from ..errors import EntityDataError

                raise EntityDataError(f"entity_df cannot be converted to Arrow: {error}") from None
        else:
            params["end_date"] = to_utc(end_date).isoformat() if end_date is not None else \
                datetime.now(timezone.utc).isoformat()
            if start_date is not None:
                params["start_date"] = to_utc(start_date).isoformat()
        table = self.exchange("get_historical_features", params, upload)
        # on-demand inputs were sent as references (a Feast server needs them so); a local call does not show them
        shown = set(plan.output_names)
        inputs = {(f"{p.projection.name_to_use()}__{f}" if plan.full_feature_names else f)
                  for p in plan.views for f, hidden in zip(p.features, p.hidden) if hidden}
        entity_columns = set(entity_df.columns) if isinstance(entity_df, pd.DataFrame) else set()
        drop = [c for c in table.column_names if c in inputs and c not in shown and c not in entity_columns]
        return table.drop_columns(drop) if drop else table

    # ---- pulls ----------------------------------------------------------------------------------------

    @staticmethod
    def _pull_params(query: PullQuery) -> dict:
        return {
            "data_source_name": query.source.name,
            "join_key_columns": list(query.join_keys),
            "feature_name_columns": list(query.columns),
            "timestamp_field": query.timestamp_field,
            "created_timestamp_column": query.created_timestamp_column or None,
            # open bounds are sent as the epoch and now: Feast 0.67's server cannot read null dates
            "start_date": to_utc(query.start if query.start is not None else EPOCH).isoformat(),
            "end_date": to_utc(query.end if query.end is not None else datetime.now(timezone.utc)).isoformat(),
        }

    def _pull(self, api: str, query: PullQuery, chunk_rows: int) -> Iterator[pa.RecordBatch]:
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}")
        for batch in self.exchange_batches(api, self._pull_params(query)):
            for offset in range(0, batch.num_rows, chunk_rows):
                yield batch.slice(offset, chunk_rows)

    def pull_latest(self, query: PullQuery, chunk_rows: int) -> Iterator[pa.RecordBatch]:
        return self._pull("pull_latest_from_table_or_query", query, chunk_rows)

    def pull_all(self, query: PullQuery, chunk_rows: int) -> Iterator[pa.RecordBatch]:
        return self._pull("pull_all_from_table_or_query", query, chunk_rows)

    def entity_rows_in_range(self, source: DataSource, key_columns: tuple[str, ...], timestamp_field: str,
                             start: datetime, end: datetime) -> pa.Table:
        query = PullQuery(source, tuple(key_columns), (), timestamp_field, "", start, end)
        batches = list(self.pull_all(query, 1 << 20))
        if not batches:
            schema = self.source_schema(source)
            return pa.table({c: pa.array([], schema.field(c).type) for c in (*key_columns, timestamp_field)})
        table = pa.Table.from_batches(batches).select([*key_columns, timestamp_field])
        return table.group_by(table.column_names, use_threads=False).aggregate([])

    # ---- sources and writes -----------------------------------------------------------------------------

    def source_schema(self, source: DataSource) -> pa.Schema:
        proto = json_format.MessageToJson(source.to_proto())
        table = self.exchange("get_table_column_names_and_types_from_data_source", {"data_source_proto": proto})
        return pa.schema([pa.field(n, arrow_type(t)) for n, t in zip(table.column("name").to_pylist(),
                                                                     table.column("type").to_pylist())])

    def validate_data_source(self, source: DataSource) -> None:
        self.put("validate_data_source", {"data_source_proto": json_format.MessageToJson(source.to_proto())},
                 placeholder())

    def write_view(self, view: FeatureView, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        self.put("offline_write_batch", {"feature_view_names": [view.name],
                                         "name_aliases": [view.projection.name_alias or None], "progress": None}, table)

    def write(self, source: DataSource, table: pa.Table) -> None:
        raise ConfigError(f"the offline server at {self.endpoint} writes rows through a feature view "
                          f"(write_to_offline_store), not straight to data source {source.name!r}")

    def get_historical_features(self, entity_df, timestamp_column, views):
        raise ConfigError(f"the offline server at {self.endpoint} answers whole retrievals: call "
                          "FeatureStore.get_historical_features")

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


__all__ = ["RemoteOfflineStore", "arrow_type", "error_detail", "feast_error"]
