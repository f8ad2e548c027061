"""Conversions between Python values, ``feast.types.Value`` messages, value types and the column types of
Arrow and the warehouses (Feast's ``feast.type_map``).

feast_core's own read and write paths do not go through these per-value conversions (online/encoding.py writes
Value bytes column-wise); they are for code written against Feast's API: building Value messages for an online
store, inferring a value type from data, and naming a warehouse column's type. Declared types and their
Arrow/SQLite/PostgreSQL storage stay in types.py.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .protos.feast.types import Value_pb2
from .protos.feast.types.Value_pb2 import Map, MapList, RepeatedValue
from .protos.feast.types.Value_pb2 import Value as ValueProto
from .types import ValueType, from_value_type

# a null inside a list of timestamps, as Feast writes it (the smallest int64)
NULL_TIMESTAMP_INT_VALUE: int = -(1 << 63)

_FIELDS = ValueProto.DESCRIPTOR.fields_by_number
# the Value field that holds each kind of value -> its value type (the field numbers are the ValueType numbers)
PROTO_VALUE_TO_VALUE_TYPE_MAP: dict[str, ValueType] = {
    field.name: ValueType(number) for number, field in _FIELDS.items() if number in ValueType._value2member_map_
}
_ELEMENT_OF_COLLECTION: dict[ValueType, ValueType] = {
    collection: ValueType[collection.name.rsplit("_", 1)[0]]
    for collection in ValueType if collection.name.endswith(("_LIST", "_SET"))
    and collection.name.rsplit("_", 1)[0] in ValueType.__members__
}
_STRINGLIKE = (ValueType.STRING, ValueType.JSON, ValueType.UUID, ValueType.TIME_UUID, ValueType.DECIMAL)
_BYTESLIKE = (ValueType.BYTES, ValueType.PDF_BYTES, ValueType.IMAGE_BYTES)


# ---- Value messages -> Python ------------------------------------------------------------------------------------


def _timestamp(seconds: int) -> dt.datetime | None:
    return None if seconds == NULL_TIMESTAMP_INT_VALUE else dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)


def feast_value_type_to_python_type(field_value_proto: ValueProto) -> Any:
    """The Python value a Value message holds: None when it holds none, datetimes (UTC) for timestamps,
    dicts for maps and structs, lists for lists, sets for sets."""
    kind = field_value_proto.WhichOneof("val")
    if kind is None or kind == "null_val":
        return None
    value = getattr(field_value_proto, kind)
    if kind in ("map_val", "struct_val"):
        return {key: feast_value_type_to_python_type(item) for key, item in value.val.items()}
    if kind in ("map_list_val", "struct_list_val"):
        return [{key: feast_value_type_to_python_type(item) for key, item in m.val.items()} for m in value.val]
    if kind in ("list_val", "set_val"):
        return [feast_value_type_to_python_type(item) for item in value.val]
    if kind == "scalar_map_val":
        return {_map_key(entry.key): feast_value_type_to_python_type(entry.value) for entry in value.val}
    if kind == "zoned_timestamp_val":
        from zoneinfo import ZoneInfo

        moment = dt.datetime.fromtimestamp(value.unix_timestamp, tz=dt.timezone.utc)
        return moment.astimezone(ZoneInfo(value.zone)) if value.zone else moment
    if kind == "unix_timestamp_val":
        return _timestamp(value)
    if kind in ("unix_timestamp_list_val", "unix_timestamp_set_val"):
        moments = [_timestamp(v) for v in value.val]
        return set(moments) if kind.endswith("_set_val") else moments
    if kind.endswith("_set_val"):
        return set(value.val)
    if kind.endswith("_list_val"):
        return list(value.val)
    return value


def _map_key(key) -> Any:
    which = key.WhichOneof("key")
    return None if which is None else getattr(key, which)


def feast_value_type_to_pandas_type(value_type: ValueType) -> str:
    """The pandas dtype a column of this value type takes (``object`` for collections and maps)."""
    scalars = {
        ValueType.FLOAT: "float", ValueType.DOUBLE: "float", ValueType.INT32: "int", ValueType.INT64: "int",
        ValueType.STRING: "str", ValueType.BYTES: "bytes", ValueType.BOOL: "bool",
        ValueType.UNIX_TIMESTAMP: "datetime64[ns]",
    }
    if value_type in scalars:
        return scalars[value_type]
    if value_type.name.endswith(("_LIST", "_SET")) or value_type in (ValueType.MAP, ValueType.STRUCT):
        return "object"
    raise TypeError(f"value type {value_type.name} has no pandas type")


# ---- Python -> value types ---------------------------------------------------------------------------------------

_PYTHON_TYPE_NAMES: dict[str, ValueType] = {
    "int": ValueType.INT64, "int64": ValueType.INT64, "uint64": ValueType.INT64,
    "int32": ValueType.INT32, "uint32": ValueType.INT32, "int16": ValueType.INT32, "uint16": ValueType.INT32,
    "int8": ValueType.INT32, "uint8": ValueType.INT32,
    "float": ValueType.DOUBLE, "float64": ValueType.DOUBLE, "float32": ValueType.FLOAT,
    "str": ValueType.STRING, "string": ValueType.STRING, "category": ValueType.STRING,
    "bytes": ValueType.BYTES,
    "bool": ValueType.BOOL, "bool_": ValueType.BOOL, "boolean": ValueType.BOOL,
    "datetime": ValueType.UNIX_TIMESTAMP, "timestamp": ValueType.UNIX_TIMESTAMP, "date": ValueType.UNIX_TIMESTAMP,
    "timedelta": ValueType.UNIX_TIMESTAMP, "datetime64[ns]": ValueType.UNIX_TIMESTAMP,
    "datetime64[ns, utc]": ValueType.UNIX_TIMESTAMP, "datetime64[ns, tz]": ValueType.UNIX_TIMESTAMP,
    "decimal": ValueType.DECIMAL, "uuid": ValueType.UUID,
}


def _value_type_of_proto(value: ValueProto) -> ValueType:
    kind = value.WhichOneof("val")
    return ValueType.NULL if kind is None else PROTO_VALUE_TO_VALUE_TYPE_MAP[kind]


def python_type_to_feast_value_type(
    name: str, value: Any = None, recurse: bool = True, type_name: str | None = None
) -> ValueType:
    """The value type of a Python, numpy or pandas value (or of a dtype named by ``type_name``); a list's
    elements must agree, and lists nest only one level when ``recurse`` is False."""
    type_name = (type_name or type(value).__name__).lower()
    if type_name in _PYTHON_TYPE_NAMES:
        return _PYTHON_TYPE_NAMES[type_name]
    if type_name == "object" and value is not None and type(value).__name__.lower() in _PYTHON_TYPE_NAMES:
        return _PYTHON_TYPE_NAMES[type(value).__name__.lower()]
    if isinstance(value, ValueProto):
        return _value_type_of_proto(value)
    if isinstance(value, dict):
        return ValueType.MAP
    if isinstance(value, np.ndarray) and str(value.dtype) in _PYTHON_TYPE_NAMES:
        return ValueType[_PYTHON_TYPE_NAMES[str(value.dtype)].name + "_LIST"]
    if isinstance(value, (list, tuple, np.ndarray, set)):
        items = list(value)
        if items and isinstance(items[0], dict):
            return ValueType.MAP_LIST
        if not recurse:
            raise ValueError(f"field {name!r}: a list inside a list needs a declared type (Array(Array(...)))")
        element = None
        for item in items:
            if item is None:
                continue
            current = python_type_to_feast_value_type(name, item, recurse=False)
            if element is not None and current != element:
                raise ValueError(f"field {name!r}: list elements are of different types, {element.name} and "
                                 f"{current.name}")
            element = current
        if element is None:
            return ValueType.UNKNOWN
        suffix = "_SET" if isinstance(value, set) else "_LIST"
        return ValueType[element.name + suffix]
    raise ValueError(f"field {name!r}: a value of Python type {type_name} has no feast value type")


def python_values_to_feast_value_type(name: str, values: Iterable, recurse: bool = True) -> ValueType:
    """The one value type of a column of values (nulls do not count); TypeError for mixed types."""
    found = ValueType.UNKNOWN
    for value in values:
        if _is_null(value):
            continue
        current = python_type_to_feast_value_type(name, value, recurse)
        if found is ValueType.UNKNOWN:
            found = current
        elif current not in (found, ValueType.UNKNOWN, ValueType.NULL):
            raise TypeError(f"field {name!r} holds values of types {found.name} and {current.name}")
    if found in (ValueType.UNKNOWN, ValueType.NULL):
        raise ValueError(f"field {name!r}: all values are null, so its type cannot be inferred")
    return found


def _convert_value_type_str_to_value_type(type_str: str) -> ValueType:
    """A value type by name (``"INT64"``, ``"FLOAT32"`` for FLOAT); an unknown name is STRING, as in Feast."""
    if type_str == "FLOAT32":
        return ValueType.FLOAT
    return ValueType.__members__.get(type_str.strip(), ValueType.STRING)


# ---- Python -> Value messages ------------------------------------------------------------------------------------


def _is_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return value is pd.NaT or (isinstance(value, np.generic) and bool(pd.isna(value)))


def _seconds(value: Any) -> int:
    if _is_null(value):
        return NULL_TIMESTAMP_INT_VALUE
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)
        return int(moment.timestamp())
    if isinstance(value, dt.date):
        return int(dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc).timestamp())
    if isinstance(value, np.datetime64):
        return int(value.astype("datetime64[s]").astype(np.int64))
    if hasattr(value, "ToSeconds"):  # a protobuf Timestamp
        return int(value.ToSeconds())
    return int(value)


def _scalar(value_type: ValueType, value: Any) -> Any:
    """A Python value as what the Value field of ``value_type`` holds; TypeError when it cannot be."""
    if value_type in (ValueType.INT32, ValueType.INT64):
        if isinstance(value, pd.Timestamp):
            return int(value.timestamp())
        if isinstance(value, (float, np.floating)) and not float(value).is_integer():
            raise TypeError(f"{value!r} is not an integer ({value_type.name})")
        return int(value)
    if value_type in (ValueType.FLOAT, ValueType.DOUBLE):
        if isinstance(value, (str, bytes, bool)):
            raise TypeError(f"{value!r} is not a number ({value_type.name})")
        return float(value)
    if value_type is ValueType.BOOL:
        if not isinstance(value, (bool, np.bool_, int, np.integer)):
            raise TypeError(f"{value!r} is not a bool")
        return bool(value)
    if value_type in _BYTESLIKE:
        if not isinstance(value, (bytes, bytearray)):
            raise TypeError(f"{value!r} is not bytes ({value_type.name})")
        return bytes(value)
    if value_type is ValueType.UNIX_TIMESTAMP:
        return _seconds(value)
    if value_type is ValueType.JSON and not isinstance(value, str):
        return json.dumps(value)
    if value_type in _STRINGLIKE:
        return str(value)
    raise TypeError(f"value type {value_type.name} is not a scalar")


def _python_dict_to_map_proto(python_dict: dict) -> Map:
    """A dict as a Map message, each value's type inferred from the value."""
    message = Map()
    for key, value in python_dict.items():
        message.val[str(key)].CopyFrom(_to_proto(_infer(key, value), value))
    return message


def _python_list_to_map_list_proto(python_list: list) -> MapList:
    message = MapList()
    for item in python_list:
        message.val.append(_python_dict_to_map_proto(item))
    return message


def _infer(name: Any, value: Any) -> ValueType:
    if _is_null(value):
        return ValueType.NULL
    if isinstance(value, (list, tuple, np.ndarray)) and len(value) and isinstance(value[0], (list, tuple)):
        return ValueType.VALUE_LIST
    return python_type_to_feast_value_type(str(name), value)


def _to_proto(value_type: ValueType, value: Any) -> ValueProto:
    if value_type is ValueType.NULL or (not isinstance(value, (list, tuple, np.ndarray, set, dict)) and _is_null(value)):
        return ValueProto()
    field = _FIELDS[int(value_type)].name
    if value_type in (ValueType.MAP, ValueType.STRUCT):
        return ValueProto(**{field: _python_dict_to_map_proto(value)})
    if value_type in (ValueType.MAP_LIST, ValueType.STRUCT_LIST):
        return ValueProto(**{field: _python_list_to_map_list_proto(value)})
    if value_type in (ValueType.VALUE_LIST, ValueType.VALUE_SET):
        items = [_to_proto(_infer(field, item), item) for item in value]
        return ValueProto(**{field: RepeatedValue(val=items)})
    if value_type is ValueType.ZONED_TIMESTAMP:
        zone = getattr(getattr(value, "tzinfo", None), "key", "") or ""
        return ValueProto(zoned_timestamp_val=Value_pb2.ZonedTimestamp(unix_timestamp=_seconds(value), zone=zone))
    if value_type is ValueType.SCALAR_MAP:
        raise TypeError("SCALAR_MAP values are built from typed keys; use Map for string keys")
    element = _ELEMENT_OF_COLLECTION.get(value_type)
    if element is not None:
        container = getattr(Value_pb2, _FIELDS[int(value_type)].message_type.name)
        items = value.tolist() if isinstance(value, np.ndarray) else list(value)
        if element in (ValueType.INT32, ValueType.INT64) and any(_is_null(v) for v in items):
            raise TypeError(f"a {value_type.name} cannot hold a null")
        return ValueProto(**{field: container(val=[_scalar(element, v) for v in items])})
    return ValueProto(**{field: _scalar(value_type, value)})


def python_values_to_proto_values(values: Sequence, feature_type: ValueType = ValueType.UNKNOWN) -> list[ValueProto]:
    """Value messages for a column of Python values of ``feature_type`` (inferred from the first non-null
    value when UNKNOWN); a null is the empty Value. TypeError names a value that does not fit the type."""
    if feature_type is ValueType.UNKNOWN:
        sample = next((v for v in values if not _is_null(v)), None)
        if sample is None:
            raise TypeError("cannot infer a value type from values that are all null")
        feature_type = _infer("value", sample)
    return [_to_proto(feature_type, value) for value in values]


# ---- Arrow ------------------------------------------------------------------------------------------------------

_ARROW_NAMES: dict[str, ValueType] = {
    "int8": ValueType.INT32, "int16": ValueType.INT32, "int32": ValueType.INT32, "uint8": ValueType.INT32,
    "uint16": ValueType.INT32, "int64": ValueType.INT64, "uint32": ValueType.INT64, "uint64": ValueType.INT64,
    "float": ValueType.FLOAT, "halffloat": ValueType.FLOAT, "double": ValueType.DOUBLE,
    "string": ValueType.STRING, "large_string": ValueType.STRING, "binary": ValueType.BYTES,
    "large_binary": ValueType.BYTES, "bool": ValueType.BOOL, "null": ValueType.NULL,
    "date32[day]": ValueType.UNIX_TIMESTAMP, "date64[ms]": ValueType.UNIX_TIMESTAMP,
}


def pa_to_feast_value_type(pa_type_as_str: str) -> ValueType:
    """The value type of an Arrow type, given as ``str(arrow_type)`` (``"list<item: int64>"`` is INT64_LIST)."""
    text = str(pa_type_as_str).strip()
    if text.startswith("timestamp"):
        return ValueType.UNIX_TIMESTAMP
    if text.startswith("decimal"):
        return ValueType.DECIMAL
    if text.startswith(("list<", "large_list<")):
        inner = pa_to_feast_value_type(text[text.index(":") + 1:-1])
        return ValueType.VALUE_LIST if inner.name.endswith("_LIST") else ValueType[inner.name + "_LIST"]
    if text.startswith("struct<"):
        return ValueType.STRUCT
    if text.startswith("map<"):
        return ValueType.MAP
    if text in _ARROW_NAMES:
        return _ARROW_NAMES[text]
    raise ValueError(f"Arrow type {text} has no feast value type")


def feast_value_type_to_pa(feast_type: ValueType, timestamp_unit: str = "us", timestamp_tz: str | None = None
                           ) -> pa.DataType:
    """The Arrow type a column of this value type takes."""
    if feast_type is ValueType.UNKNOWN or feast_type is ValueType.NULL:
        return pa.null()
    if feast_type is ValueType.UNIX_TIMESTAMP:
        return pa.timestamp(timestamp_unit, tz=timestamp_tz)
    if feast_type is ValueType.UNIX_TIMESTAMP_LIST:
        return pa.list_(pa.timestamp(timestamp_unit, tz=timestamp_tz))
    if feast_type is ValueType.MAP:
        return pa.map_(pa.string(), pa.string())
    return from_value_type(feast_type).arrow


# ---- warehouses ---------------------------------------------------------------------------------------------

_ARROW_TO_PG = {
    "int8": "smallint", "int16": "smallint", "int32": "int", "int64": "bigint", "float": "float",
    "double": "double precision", "bool": "boolean", "string": "text", "large_string": "text",
    "binary": "bytea", "large_binary": "bytea", "date32[day]": "date", "null": "null",
}


def arrow_to_pg_type(t_str: str) -> str:
    """The PostgreSQL column type for an Arrow type given as a string (``"list<item: int64>"`` is
    ``bigint[]``)."""
    text = str(t_str).strip()
    if text.startswith("timestamp"):
        return "timestamptz" if "tz=" in text else "timestamp"
    if text.startswith("decimal"):
        return "numeric"
    if text.startswith(("list<", "large_list<")):
        return arrow_to_pg_type(text[text.index(":") + 1:-1]) + "[]"
    if text in _ARROW_TO_PG:
        return _ARROW_TO_PG[text]
    raise ValueError(f"Arrow type {text} has no PostgreSQL column type")


_PG_TYPES: dict[str, ValueType] = {
    "boolean": ValueType.BOOL, "bool": ValueType.BOOL, "bytea": ValueType.BYTES,
    "char": ValueType.STRING, "character": ValueType.STRING, "character varying": ValueType.STRING,
    "varchar": ValueType.STRING, "text": ValueType.STRING, "name": ValueType.STRING, "uuid": ValueType.STRING,
    "smallint": ValueType.INT32, "int2": ValueType.INT32, "integer": ValueType.INT32, "int": ValueType.INT32,
    "int4": ValueType.INT32, "bigint": ValueType.INT64, "int8": ValueType.INT64,
    "real": ValueType.FLOAT, "float4": ValueType.FLOAT, "double precision": ValueType.DOUBLE,
    "float8": ValueType.DOUBLE, "numeric": ValueType.DOUBLE, "decimal": ValueType.DOUBLE,
    "date": ValueType.UNIX_TIMESTAMP, "time": ValueType.UNIX_TIMESTAMP, "timestamp": ValueType.UNIX_TIMESTAMP,
    "timestamp without time zone": ValueType.UNIX_TIMESTAMP, "timestamptz": ValueType.UNIX_TIMESTAMP,
    "timestamp with time zone": ValueType.UNIX_TIMESTAMP, "json": ValueType.JSON, "jsonb": ValueType.JSON,
    "null": ValueType.NULL,
}


def _with_list(types: dict[str, ValueType], name: str, is_list: bool, system: str) -> ValueType:
    base = name.split("(", 1)[0].strip()
    if base not in types:
        raise ValueError(f"{system} type {name!r} has no feast value type")
    value_type = types[base]
    return ValueType[value_type.name + "_LIST"] if is_list else value_type


def pg_type_to_feast_value_type(type_str: str) -> ValueType:
    """The value type of a PostgreSQL column type (``"bigint[]"`` and ``"_int8"`` are INT64_LIST)."""
    text = type_str.strip().lower()
    is_list = text.endswith("[]") or text.startswith("_")
    return _with_list(_PG_TYPES, text.removesuffix("[]").removeprefix("_"), is_list, "PostgreSQL")


_REDSHIFT_TYPES: dict[str, ValueType] = {
    "int2": ValueType.INT32, "int4": ValueType.INT32, "int8": ValueType.INT64, "numeric": ValueType.DOUBLE,
    "float4": ValueType.FLOAT, "float8": ValueType.DOUBLE, "bool": ValueType.BOOL, "character": ValueType.STRING,
    "varchar": ValueType.STRING, "character varying": ValueType.STRING, "text": ValueType.STRING,
    "timestamp": ValueType.UNIX_TIMESTAMP, "timestamp without time zone": ValueType.UNIX_TIMESTAMP,
    "timestamptz": ValueType.UNIX_TIMESTAMP, "timestamp with time zone": ValueType.UNIX_TIMESTAMP,
    "date": ValueType.UNIX_TIMESTAMP, "super": ValueType.JSON,
}


def redshift_to_feast_value_type(redshift_type_as_str: str) -> ValueType:
    return _with_list(_REDSHIFT_TYPES, redshift_type_as_str.strip().lower(), False, "Redshift")


_SNOWFLAKE_TYPES: dict[str, ValueType] = {
    "BINARY": ValueType.BYTES, "VARCHAR": ValueType.STRING, "TEXT": ValueType.STRING, "STRING": ValueType.STRING,
    "NUMBER32": ValueType.INT32, "NUMBER64": ValueType.INT64, "NUMBER": ValueType.INT64,
    "NUMBERWSCALE": ValueType.DOUBLE, "DOUBLE": ValueType.DOUBLE, "FLOAT": ValueType.DOUBLE,
    "BOOLEAN": ValueType.BOOL, "DATE": ValueType.UNIX_TIMESTAMP, "TIMESTAMP": ValueType.UNIX_TIMESTAMP,
    "TIMESTAMP_TZ": ValueType.UNIX_TIMESTAMP, "TIMESTAMP_LTZ": ValueType.UNIX_TIMESTAMP,
    "TIMESTAMP_NTZ": ValueType.UNIX_TIMESTAMP, "VARIANT": ValueType.JSON, "OBJECT": ValueType.MAP,
}


def snowflake_type_to_feast_value_type(snowflake_type: str) -> ValueType:
    return _with_list(_SNOWFLAKE_TYPES, snowflake_type.strip().upper(), False, "Snowflake")


_SPARK_TYPES: dict[str, ValueType] = {
    "null": ValueType.UNKNOWN, "byte": ValueType.BYTES, "binary": ValueType.BYTES, "string": ValueType.STRING,
    "tinyint": ValueType.INT32, "smallint": ValueType.INT32, "int": ValueType.INT32, "bigint": ValueType.INT64,
    "long": ValueType.INT64, "double": ValueType.DOUBLE, "float": ValueType.FLOAT, "boolean": ValueType.BOOL,
    "timestamp": ValueType.UNIX_TIMESTAMP, "timestamp_ntz": ValueType.UNIX_TIMESTAMP,
    "date": ValueType.UNIX_TIMESTAMP, "decimal": ValueType.DOUBLE,
}


def spark_to_feast_value_type(spark_type_as_str: str) -> ValueType:
    """The value type of a Spark SQL type name (``"array<bigint>"`` is INT64_LIST, ``"map<...>"`` MAP)."""
    text = spark_type_as_str.strip().lower()
    if text.startswith("map<"):
        return ValueType.MAP
    if text.startswith("struct<"):
        return ValueType.STRUCT
    if text.startswith("array<"):
        return _with_list(_SPARK_TYPES, text[len("array<"):-1], True, "Spark")
    return _with_list(_SPARK_TYPES, text, False, "Spark")


_BIGQUERY_TYPES: dict[str, ValueType] = {
    "DATETIME": ValueType.UNIX_TIMESTAMP, "TIMESTAMP": ValueType.UNIX_TIMESTAMP, "DATE": ValueType.UNIX_TIMESTAMP,
    "INTEGER": ValueType.INT64, "INT64": ValueType.INT64, "STRING": ValueType.STRING, "FLOAT": ValueType.DOUBLE,
    "FLOAT64": ValueType.DOUBLE, "BYTES": ValueType.BYTES, "BOOL": ValueType.BOOL, "BOOLEAN": ValueType.BOOL,
    "NUMERIC": ValueType.DOUBLE, "BIGNUMERIC": ValueType.DOUBLE, "JSON": ValueType.JSON, "NULL": ValueType.NULL,
}


def bq_to_feast_value_type(bq_type_as_str: str) -> ValueType:
    """The value type of a BigQuery column type (``"ARRAY<INT64>"`` is INT64_LIST)."""
    text = bq_type_as_str.strip().upper()
    if text.startswith("ARRAY<"):
        return _with_list(_BIGQUERY_TYPES, text[len("ARRAY<"):-1], True, "BigQuery")
    return _with_list(_BIGQUERY_TYPES, text, False, "BigQuery")


def _warehouse_name(pa_type: pa.DataType, names: dict[str, str], system: str) -> str:
    if pa.types.is_timestamp(pa_type):
        return names["timestamptz" if pa_type.tz else "timestamp"]
    if pa.types.is_decimal(pa_type):
        return f"decimal({pa_type.precision},{pa_type.scale})"
    if pa.types.is_list(pa_type) or pa.types.is_large_list(pa_type):
        return names["list"].format(_warehouse_name(pa_type.value_type, names, system))
    key = str(pa_type)
    if key not in names:
        raise ValueError(f"Arrow type {pa_type} has no {system} column type")
    return names[key]


_REDSHIFT_NAMES = {
    "null": "varchar", "bool": "boolean", "int8": "smallint", "int16": "smallint", "int32": "integer",
    "int64": "bigint", "uint8": "smallint", "uint16": "integer", "uint32": "bigint", "uint64": "bigint",
    "float": "real", "double": "double precision", "halffloat": "real", "string": "varchar(max)",
    "large_string": "varchar(max)", "binary": "varbyte", "date32[day]": "date", "timestamp": "timestamp",
    "timestamptz": "timestamptz", "list": "super",
}
_ATHENA_NAMES = {
    "null": "null", "bool": "boolean", "int8": "tinyint", "int16": "smallint", "int32": "int", "int64": "bigint",
    "uint8": "smallint", "uint16": "int", "uint32": "bigint", "uint64": "bigint", "float": "float",
    "double": "double", "string": "string", "large_string": "string", "binary": "binary", "date32[day]": "date",
    "timestamp": "timestamp", "timestamptz": "timestamp", "list": "array<{}>",
}


def pa_to_redshift_value_type(pa_type: pa.DataType) -> str:
    """The Redshift column type for an Arrow type (lists are SUPER)."""
    return _warehouse_name(pa_type, _REDSHIFT_NAMES, "Redshift")


def pa_to_athena_value_type(pa_type: pa.DataType) -> str:
    """The Athena column type for an Arrow type."""
    return _warehouse_name(pa_type, _ATHENA_NAMES, "Athena")


__all__ = [
    "NULL_TIMESTAMP_INT_VALUE", "PROTO_VALUE_TO_VALUE_TYPE_MAP", "arrow_to_pg_type", "bq_to_feast_value_type",
    "feast_value_type_to_pa", "feast_value_type_to_pandas_type", "feast_value_type_to_python_type",
    "pa_to_athena_value_type", "pa_to_feast_value_type", "pa_to_redshift_value_type",
    "pg_type_to_feast_value_type", "python_type_to_feast_value_type", "python_values_to_feast_value_type",
    "python_values_to_proto_values", "redshift_to_feast_value_type", "snowflake_type_to_feast_value_type",
    "spark_to_feast_value_type",
]
