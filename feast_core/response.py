"""Online reads: entity rows in, a column-oriented response with per-value statuses out."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from operator import itemgetter
from time import perf_counter

import numpy as np
import pandas as pd
import pyarrow as pa

from . import telemetry, types
from .definitions.feature_view import DUMMY_ENTITY_VAL
from .errors import EntityDataError
from .online.base import OnlineStore
from .plans import FeaturePlan
from .transform import run

PRESENT = "PRESENT"
NULL_VALUE = "NULL_VALUE"
NOT_FOUND = "NOT_FOUND"
OUTSIDE_MAX_AGE = "OUTSIDE_MAX_AGE"


class OnlineResponse:
    """Columns of an online read: ``names[i]`` has ``values[i][row]``, ``statuses[i][row]`` and
    ``event_ts[i][row]`` (microseconds since the epoch, None for keys and missing values)."""

    __slots__ = ("names", "values", "statuses", "event_ts")

    def __init__(self, names, values: list[list] | None = None, statuses: list[list[str]] | None = None,
                 event_ts: list[list] | None = None) -> None:
        """``OnlineResponse(names, values, statuses, event_ts)``, or Feast's form: ``OnlineResponse(proto)`` with a
        ``feast.serving.GetOnlineFeaturesResponse`` message."""
        if values is None and statuses is None and event_ts is None and hasattr(names, "results"):
            names, values, statuses, event_ts = _columns_of_proto(names)
        elif values is None or statuses is None or event_ts is None:
            raise TypeError("OnlineResponse takes names, values, statuses and event_ts, or one "
                            "GetOnlineFeaturesResponse message")
        self.names, self.values, self.statuses, self.event_ts = names, values, statuses, event_ts

    @property
    def proto(self):
        """The response as Feast's ``GetOnlineFeaturesResponse`` message (one FeatureVector per name)."""
        from .protos.feast.serving.ServingService_pb2 import FieldStatus, GetOnlineFeaturesResponse
        from .type_map import python_values_to_proto_values

        message = GetOnlineFeaturesResponse()
        message.metadata.feature_names.val.extend(self.names)
        for values, statuses, stamps in zip(self.values, self.statuses, self.event_ts):
            vector = message.results.add()
            present = [v for v in values if v is not None]
            if present:
                vector.values.extend(python_values_to_proto_values(values))
            else:
                vector.values.extend(python_values_to_proto_values([None] * len(values), types.ValueType.NULL))
            vector.statuses.extend(FieldStatus.Value(s) for s in statuses)
            for micros in stamps:
                stamp = vector.event_timestamps.add()
                if micros is not None:
                    stamp.seconds, stamp.nanos = divmod(micros, 1_000_000)
                    stamp.nanos *= 1000
        return message

    def to_dict(self, include_event_timestamps: bool = False) -> dict[str, list]:
        result = dict(zip(self.names, self.values))
        if include_event_timestamps:
            for name, stamps in zip(self.names, self.event_ts):
                result[f"{name}__ts"] = [None if s is None else s // 1_000_000 for s in stamps]
        return result

    def to_df(self, include_event_timestamps: bool = False) -> pd.DataFrame:
        return pd.DataFrame(self.to_dict(include_event_timestamps))

    def to_arrow(self, include_event_timestamps: bool = False) -> pa.Table:
        return pa.table(self.to_dict(include_event_timestamps))

    def statuses_dict(self) -> dict[str, list[str]]:
        return dict(zip(self.names, self.statuses))

    def event_timestamps(self, name: str) -> list[datetime | None]:
        stamps = self.event_ts[self.names.index(name)]
        return [None if s is None else datetime.fromtimestamp(s / 1e6, tz=timezone.utc) for s in stamps]


def _columns_of_proto(message) -> tuple[list[str], list[list], list[list[str]], list[list]]:
    from .protos.feast.serving.ServingService_pb2 import FieldStatus
    from .type_map import feast_value_type_to_python_type

    names = list(message.metadata.feature_names.val)
    values, statuses, stamps = [], [], []
    for vector in message.results:
        values.append([feast_value_type_to_python_type(v) for v in vector.values])
        statuses.append([FieldStatus.Name(s) for s in vector.statuses])
        stamps.append([t.seconds * 1_000_000 + t.nanos // 1000 if (t.seconds or t.nanos) else None
                       for t in vector.event_timestamps])
    return names, values, statuses, stamps


def entity_columns(entity_rows: list[dict] | dict[str, list]) -> tuple[dict[str, list], int]:
    """Entity rows as columns (Feast accepts both a list of dicts and a dict of lists)."""
    if isinstance(entity_rows, dict):
        for name, values in entity_rows.items():
            if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
                raise EntityDataError(f"entity column {name!r} must be a list of values, got {values!r}")
        columns = {k: list(v) if not isinstance(v, list) else v for k, v in entity_rows.items()}
        lengths = {len(v) for v in columns.values()}
        if len(lengths) > 1:
            raise EntityDataError(f"entity columns have different lengths: { {k: len(v) for k, v in columns.items()} }")
        return columns, lengths.pop() if lengths else 0
    if not isinstance(entity_rows, (list, tuple)):
        raise EntityDataError(f"entity_rows must be a list of dicts or a dict of lists, got {type(entity_rows).__name__}")
    if not entity_rows:
        return {}, 0
    first = entity_rows[0]
    # the usual case, checked in C: plain dicts with as many keys as the first, each holding the first's keys
    if type(first) is dict and set(map(type, entity_rows)) == {dict} and set(map(len, entity_rows)) == {len(first)}:
        try:
            return {n: list(map(itemgetter(n), entity_rows)) for n in first}, len(entity_rows)
        except KeyError:
            pass  # a row lacks a key: the loop below names it
    names = list(first)
    for i, row in enumerate(entity_rows):
        if not isinstance(row, dict) or list(row) != names and set(row) != set(names):
            raise EntityDataError(f"entity row {i} has keys {sorted(row) if isinstance(row, dict) else row!r}; "
                                  f"row 0 has {sorted(names)}")
    return {n: [row[n] for row in entity_rows] for n in names}, len(entity_rows)


_INT_RANGES = {
    types.Int32: (-(2**31), 2**31 - 1), types.Int64: (-(2**63), 2**63 - 1), types.UnixTimestamp: (-(2**63), 2**63 - 1),
}


_INT_ONLY, _STR_ONLY = frozenset({int}), frozenset({str})


def checked_keys(name: str, values: list, dtype: types.FeastType) -> list:
    """Entity key values of the declared type (numpy scalars made plain); an error names the key otherwise."""
    limits = _INT_RANGES.get(dtype)
    if limits is not None:
        low, high = limits
        if set(map(type, values)) <= _INT_ONLY:
            if values and (min(values) < low or max(values) > high):
                i, bad = next((i, v) for i, v in enumerate(values) if not low <= v <= high)
                raise _out_of_range(name, dtype, i, bad)
            return values
        fixed = []
        for i, v in enumerate(values):
            if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
                fixed.append(int(v))
            elif isinstance(v, float) and v.is_integer() and not low <= v <= high:
                raise _out_of_range(name, dtype, i, v)  # a JSON integer too large for 64 bits arrives as a float
            else:
                raise _wrong_type(name, dtype, i, v)
        return checked_keys(name, fixed, dtype)
    if dtype is types.String:
        if set(map(type, values)) <= _STR_ONLY:
            return values
        fixed = []
        for i, v in enumerate(values):
            if isinstance(v, str):
                fixed.append(v)
            elif isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
                fixed.append(str(v))  # as Feast: an integer given for a String key is its decimal text
            else:
                raise _wrong_type(name, dtype, i, v)
        return fixed
    if dtype is types.Bytes:
        for i, v in enumerate(values):
            if not isinstance(v, (bytes, bytearray)):
                raise _wrong_type(name, dtype, i, v)
        return values
    return values


def _out_of_range(name: str, dtype, row: int, value) -> EntityDataError:
    low, high = _INT_RANGES[dtype]
    return EntityDataError(
        f"entity key {name!r} is {dtype}; row {row} has {value!r}, which does not fit in {dtype} ({low} to {high})"
    )


def _wrong_type(name: str, dtype, row: int, value) -> EntityDataError:
    return EntityDataError(
        f"entity key {name!r} expects {dtype} values; row {row} has {value!r} ({type(value).__name__})"
    )


DB_SYSTEMS = {"sqlite": "sqlite", "postgres": "postgresql"}  # OpenTelemetry's db.system.name values


_read_shapes: dict[tuple, telemetry.SpanShape] = {}


def _read_shape(part, store_type: str) -> telemetry.SpanShape:
    """The span of one view's online read (its entity count varies)."""
    key = (part.view.name, store_type, len(part.features))
    shape = _read_shapes.get(key)
    if shape is None:
        shape = telemetry.SpanShape("feast.online_store.read", {
            "feast.feature_view": key[0], "feast.online_store": store_type,
            "db.system.name": DB_SYSTEMS.get(store_type, store_type), "feast.feature_count": key[2],
        }, "feast.entity_count")
        if len(_read_shapes) < 1024:
            _read_shapes[key] = shape
    return shape


def read_online(
    online: OnlineStore, project: str, plan: FeaturePlan, entity_rows, strict: bool, store_type: str = ""
) -> OnlineResponse:
    columns, count = entity_columns(entity_rows)
    needed = plan.key_columns
    missing = [k for k in needed if k not in columns]
    if missing:
        raise EntityDataError(f"entity rows lack join key(s) {missing}; the requested features need {needed}")
    missing = [f for f in plan.request_fields if f not in columns]
    if missing:
        raise EntityDataError(f"entity rows lack request data field(s) {missing} needed by on-demand feature views")
    if strict:
        extra = [k for k in columns if k not in needed and k not in plan.request_fields]
        if extra:
            raise EntityDataError(f"entity rows carry key(s) {extra} that no requested feature view uses; "
                                  f"expected {needed + list(plan.request_fields)}")

    names: list[str] = []
    values: list[list] = []
    statuses: list[list[str]] = []
    stamps: list[list] = []
    key_statuses = [PRESENT] * count
    no_stamps = [None] * count
    checked: dict[str, list] = {}
    for part in plan.views:
        for column, dtype in zip(part.key_columns, part.key_types):
            if column not in checked:
                checked[column] = checked_keys(column, columns[column], dtype)
    for name, column in columns.items():
        if name in checked or name in plan.request_fields:
            names.append(name)
            values.append(checked.get(name, column))
            statuses.append(key_statuses)
            stamps.append(no_stamps)

    now_us = time.time_ns() // 1000
    joined: dict[str, list] = {}
    timed = telemetry.flags.online_features
    spans = telemetry.spans  # None when tracing is off
    if spans is not None and not spans.recording():  # a trace the sampler declined: its reads are not spans either
        spans = None
    if timed:  # telemetry.metrics was imported by telemetry.configure before any flag was set
        views_read = telemetry.metrics.views_read[store_type]
        phase_started = perf_counter()
    for part in plan.views:
        key_lists = [checked[c] for c in part.key_columns]
        if not key_lists:  # an entity-less view: every row reads Feast's placeholder key
            keys = [(DUMMY_ENTITY_VAL,)] * count
        else:
            keys = list(zip(*key_lists))
        if timed:
            read_started = perf_counter()
        if spans is None:
            read = online.read(project, part.view, keys, part.features)
        else:  # the read is a leaf span of the current one
            shape, read_from = _read_shape(part, store_type), time.time_ns()
            try:
                read = online.read(project, part.view, keys, part.features)
            except BaseException as error:
                spans.leaf(shape, count, read_from, error)
                raise
            spans.leaf(shape, count, read_from)
        if timed:
            read_seconds = perf_counter() - read_started
            outside = not_found = 0
        ttl_us = int(part.view.ttl_seconds * 1_000_000)
        cutoff = now_us - ttl_us if ttl_us > 0 else None
        complete, oldest = read.complete, read.oldest
        for feature, output, hidden in zip(part.features, part.outputs, part.hidden):
            column = read.values[feature]
            event_ts = read.event_ts[feature]
            if feature in complete and oldest is not None and (cutoff is None or oldest[feature] >= cutoff):
                status = [PRESENT] * count  # a row and a value at every key, none older than the ttl
            else:
                column, status = _statuses(column, event_ts, cutoff, feature in complete)
                if timed:  # the rest of the view's values count as present (Feast's: a stored null value is)
                    outside += status.count(OUTSIDE_MAX_AGE)
                    not_found += status.count(NOT_FOUND)
            joined[output] = column
            if not hidden:
                names.append(output)
                values.append(column)
                statuses.append(status)
                stamps.append(event_ts)
        if timed:  # hidden features (on-demand inputs) count too
            views_read[part.view.name].read((read_seconds, count * len(part.features), outside, not_found))
    if timed:
        telemetry.metrics.online_read(perf_counter() - phase_started)
    if plan.on_demand:
        for field in plan.request_fields:
            joined[field] = columns[field]
        for key, column in checked.items():  # join keys, for the functions that see them
            joined.setdefault(key, column)
        for part in plan.on_demand:
            for output, column in run(part, joined).items():
                column = [None if _is_missing(v) else _plain(v) for v in column]
                names.append(output)
                values.append(column)
                statuses.append([PRESENT if v is not None else NULL_VALUE for v in column])
                stamps.append(no_stamps)
    return OnlineResponse(names, values, statuses, stamps)


def _statuses(column: list, event_ts: list, cutoff: int | None, complete: bool = False) -> tuple[list, list[str]]:
    """Each value's status: NOT_FOUND without a row, OUTSIDE_MAX_AGE (value withheld) when older than the
    view's ttl, NULL_VALUE for a stored null, else PRESENT. ``complete``: the store found a row and a value at
    every key (no need to look for missing ones)."""
    if complete and (cutoff is None or not event_ts or min(event_ts) >= cutoff):
        return column, [PRESENT] * len(column)
    if None not in event_ts and (cutoff is None or not event_ts or min(event_ts) >= cutoff):
        if None not in column:
            return column, [PRESENT] * len(column)
        return column, [PRESENT if v is not None else NULL_VALUE for v in column]
    status = [
        NOT_FOUND if ts is None else OUTSIDE_MAX_AGE if cutoff is not None and ts < cutoff
        else PRESENT if v is not None else NULL_VALUE
        for v, ts in zip(column, event_ts)
    ]
    return [v if s is PRESENT else None for v, s in zip(column, status)], status


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value
