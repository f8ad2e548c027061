"""Feast's HTTP JSON protocol, by hand: request bodies checked field by field, responses encoded straight to bytes.

No pydantic on the hot path: a request body is parsed once with orjson and checked here with messages that
name the field; an online response goes from ``OnlineResponse`` columns to bytes in one ``orjson.dumps``.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

import orjson

from ..response import OnlineResponse
from .limits import OnlineLimits
from .problems import RequestError

EPOCH_RFC3339 = "1970-01-01T00:00:00Z"


def parse_object(body: bytes) -> dict:
    """The request body as a JSON object, or a 422 naming what is wrong with it."""
    if not body:
        raise RequestError("the request body is empty; send a JSON object", kind="missing")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise RequestError(f"the request body is not valid JSON: {error}", kind="json_invalid") from None
    if not isinstance(data, dict):
        raise RequestError(f"the request body must be a JSON object, not {_json_kind(data)}", kind="dict_type")
    return data


def _json_kind(value) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array",
            dict: "an object"}.get(type(value), type(value).__name__)


def optional_bool(data: dict, key: str, default: bool) -> bool:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise RequestError(f"{key!r} must be true or false, not {_json_kind(value)}", ("body", key), "bool_type")
    return value


def required_str(data: dict, key: str) -> str:
    value = data.get(key)
    if value is None:
        raise RequestError(f"{key!r} is required", ("body", key), "missing")
    if not isinstance(value, str) or not value:
        raise RequestError(f"{key!r} must be a non-empty string, not {_json_kind(value)}", ("body", key), "string_type")
    return value


def optional_str_list(data: dict, key: str) -> list[str] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RequestError(f"{key!r} must be an array of strings", ("body", key), "list_type")
    return value


def columns(data: dict, key: str) -> dict[str, list]:
    """A column-oriented table: ``{"column": [values...], ...}`` with columns of one length."""
    value = data.get(key)
    if value is None:
        raise RequestError(f"{key!r} is required: an object of columns, e.g. {{\"driver_id\": [1001, 1002]}}",
                           ("body", key), "missing")
    if not isinstance(value, dict):
        raise RequestError(f"{key!r} must be an object of columns, not {_json_kind(value)}", ("body", key), "dict_type")
    length = None
    for name, column in value.items():
        if not isinstance(column, list):
            raise RequestError(f"column {name!r} of {key!r} must be an array of values, not {_json_kind(column)}",
                               ("body", key, name), "list_type")
        if length is None:
            length = len(column)
        elif len(column) != length:
            lengths = {n: len(c) for n, c in value.items() if isinstance(c, list)}
            raise RequestError(f"the columns of {key!r} have different lengths: {lengths}", ("body", key))
    return value


def timestamp(data: dict, key: str, required: bool = True) -> datetime | None:
    """An ISO 8601 timestamp; naive means UTC, as in Feast."""
    value = data.get(key)
    if value is None:
        if required:
            raise RequestError(f"{key!r} is required: an ISO 8601 timestamp", ("body", key), "missing")
        return None
    if not isinstance(value, str):
        raise RequestError(f"{key!r} must be an ISO 8601 timestamp string, not {_json_kind(value)}",
                           ("body", key), "string_type")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise RequestError(f"{key!r} is not an ISO 8601 timestamp: {value!r}", ("body", key), "datetime_parsing") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


@dataclass(frozen=True)
class OnlineRequest:
    features: list[str] | None
    feature_service: str | None
    entities: dict[str, list]
    full_feature_names: bool

    @property
    def rows(self) -> int:
        return len(next(iter(self.entities.values()), ()))


def online_request(body: bytes, limits: OnlineLimits | None = None) -> OnlineRequest:
    """The request, or a 413 (before parsing, when the body's size gives it away) when it asks for more than
    ``limits`` allow."""
    limits = limits or OnlineLimits()
    limits.check_body(body)
    data = parse_object(body)
    service = data.get("feature_service")
    features = data.get("features")
    if service is not None:
        if not isinstance(service, str) or not service:
            raise RequestError("'feature_service' must be a feature service name", ("body", "feature_service"),
                               "string_type")
        features = None
    elif features is None:
        raise RequestError("give 'features' (e.g. [\"driver_hourly_stats:conv_rate\"]) or 'feature_service'",
                           ("body", "features"), "missing")
    elif not isinstance(features, list) or not all(isinstance(f, str) for f in features):
        raise RequestError("'features' must be an array of \"view:feature\" strings", ("body", "features"), "list_type")
    request = OnlineRequest(features, service, columns(data, "entities"), optional_bool(data, "full_feature_names", False))
    limits.check_rows(request.rows)
    return request


# ---- responses --------------------------------------------------------------------------------


def _rfc3339(micros: int) -> str:
    """RFC 3339 in UTC with 0, 3 or 6 fraction digits, as protobuf's JSON form of a Timestamp prints it."""
    seconds, fraction = divmod(micros, 1_000_000)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    if fraction == 0:
        return text + "Z"
    if fraction % 1000 == 0:
        return f"{text}.{fraction // 1000:03d}Z"
    return f"{text}.{fraction:06d}Z"


class TimestampText:
    """Event timestamps as RFC 3339 strings; most rows share a few timestamps, so formatted ones are remembered."""

    def __init__(self, capacity: int = 65536) -> None:
        self._cache: dict[int, str] = {}
        self._capacity = capacity

    def column(self, stamps: list) -> list[str]:
        cache = self._cache
        out = []
        for micros in stamps:
            if micros is None:
                out.append(EPOCH_RFC3339)
                continue
            text = cache.get(micros)
            if text is None:
                if len(cache) >= self._capacity:
                    cache.clear()
                text = cache[micros] = _rfc3339(micros)
            out.append(text)
        return out


def _json_default(value):
    """Values orjson does not encode itself: bytes as base64 (as Feast), timestamps as epoch seconds
    (Feast's unix_timestamp_val), Decimal as a number, sets as arrays."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return int(value.timestamp())
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


_DUMPS_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def dumps(value) -> bytes:
    return orjson.dumps(value, default=_json_default, option=_DUMPS_OPTIONS)


def online_response(response: OnlineResponse, stamps: TimestampText) -> bytes:
    """Feast's column-oriented response: results[i] belongs to metadata.feature_names[i]."""
    results = []
    epoch_column = None
    for values, statuses, event_ts in zip(response.values, response.statuses, response.event_ts):
        if all(s is None for s in event_ts):
            if epoch_column is None:
                epoch_column = [EPOCH_RFC3339] * len(event_ts)
            text = epoch_column
        else:
            text = stamps.column(event_ts)
        results.append({"values": values, "statuses": statuses, "event_timestamps": text})
    return dumps({"metadata": {"feature_names": response.names}, "results": results})
