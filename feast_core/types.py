"""Value types and their one mapping to Arrow, SQLite and PostgreSQL.

Every other module asks this one how a declared type is stored or transported; none keeps
its own table.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import pyarrow as pa


class ValueType(enum.IntEnum):
    """Feast's ValueType enum, with Feast's numbers: they are what registry protos (``value_type``) and
    serialized entity keys carry. feast_core stores and serves the scalar types and their lists; the
    others are known by name so that objects declared with them in Feast still load."""

    UNKNOWN = 0
    BYTES = 1
    STRING = 2
    INT32 = 3
    INT64 = 4
    DOUBLE = 5
    FLOAT = 6
    BOOL = 7
    UNIX_TIMESTAMP = 8
    BYTES_LIST = 11
    STRING_LIST = 12
    INT32_LIST = 13
    INT64_LIST = 14
    DOUBLE_LIST = 15
    FLOAT_LIST = 16
    BOOL_LIST = 17
    UNIX_TIMESTAMP_LIST = 18
    NULL = 19
    MAP = 20
    MAP_LIST = 21
    BYTES_SET = 22
    STRING_SET = 23
    INT32_SET = 24
    INT64_SET = 25
    DOUBLE_SET = 26
    FLOAT_SET = 27
    BOOL_SET = 28
    UNIX_TIMESTAMP_SET = 29
    PDF_BYTES = 30
    IMAGE_BYTES = 31
    JSON = 32
    JSON_LIST = 33
    STRUCT = 34
    STRUCT_LIST = 35
    UUID = 36
    TIME_UUID = 37
    UUID_LIST = 38
    TIME_UUID_LIST = 39
    UUID_SET = 40
    TIME_UUID_SET = 41
    VALUE_LIST = 42
    VALUE_SET = 43
    DECIMAL = 44
    DECIMAL_LIST = 45
    DECIMAL_SET = 46
    SCALAR_MAP = 47
    ZONED_TIMESTAMP = 48


TIMESTAMP_ARROW = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class PrimitiveFeastType:
    """A scalar type: Int64, String, ..."""

    name: str
    value_type: ValueType
    arrow: pa.DataType
    sqlite: str
    postgres: str
    python: type | None

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__

    def to_value_type(self) -> ValueType:
        return self.value_type


@dataclass(frozen=True)
class Array:
    """A list of a primitive type: ``Array(Float32)``."""

    base_type: PrimitiveFeastType

    def __post_init__(self) -> None:
        if not isinstance(self.base_type, PrimitiveFeastType) or self.base_type.name == "Invalid":
            raise TypeError(f"Array() takes a primitive type such as Int64, not {self.base_type!r}")

    @property
    def name(self) -> str:
        return f"Array({self.base_type.name})"

    @property
    def value_type(self) -> ValueType:
        return ValueType[self.base_type.value_type.name + "_LIST"]

    @property
    def arrow(self) -> pa.DataType:
        return pa.list_(self.base_type.arrow)

    @property
    def sqlite(self) -> str:
        return "TEXT"  # JSON text; arrays are never keys

    @property
    def postgres(self) -> str:
        return self.base_type.postgres + "[]"

    python = list

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__

    def to_value_type(self) -> ValueType:
        return self.value_type


@dataclass(frozen=True)
class UnsupportedType:
    """A Feast value type that feast_core cannot store or serve (``Map``, ``Json``, ``Uuid``, sets, ...).

    Fields of this type appear when a registry written by Feast declares them: the object still
    loads, lists and is written back unchanged; reading or writing its values names the type.
    ``number`` is the ValueType number, kept even when it is newer than this enum.
    """

    number: int

    @property
    def name(self) -> str:
        try:
            return f"Unsupported({ValueType(self.number).name})"
        except ValueError:
            return f"Unsupported({self.number})"

    @property
    def value_type(self) -> ValueType:
        return ValueType(self.number)

    def _refuse(self):
        raise ValueError(f"value type {self.name[12:-1]} is not supported by feast_core (it came from a Feast registry)")

    arrow = property(lambda self: self._refuse())
    sqlite = property(lambda self: self._refuse())
    postgres = property(lambda self: self._refuse())
    python = None

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__

    def to_value_type(self) -> ValueType:
        return self.value_type


FeastType = PrimitiveFeastType | Array | UnsupportedType

Invalid = PrimitiveFeastType("Invalid", ValueType.UNKNOWN, pa.null(), "BLOB", "BYTEA", None)
Bytes = PrimitiveFeastType("Bytes", ValueType.BYTES, pa.binary(), "BLOB", "BYTEA", bytes)
String = PrimitiveFeastType("String", ValueType.STRING, pa.string(), "TEXT", "TEXT", str)
Int32 = PrimitiveFeastType("Int32", ValueType.INT32, pa.int32(), "INTEGER", "INTEGER", int)
Int64 = PrimitiveFeastType("Int64", ValueType.INT64, pa.int64(), "INTEGER", "BIGINT", int)
Float32 = PrimitiveFeastType("Float32", ValueType.FLOAT, pa.float32(), "REAL", "REAL", float)
Float64 = PrimitiveFeastType("Float64", ValueType.DOUBLE, pa.float64(), "REAL", "DOUBLE PRECISION", float)
Bool = PrimitiveFeastType("Bool", ValueType.BOOL, pa.bool_(), "INTEGER", "BOOLEAN", bool)
UnixTimestamp = PrimitiveFeastType(
    "UnixTimestamp", ValueType.UNIX_TIMESTAMP, TIMESTAMP_ARROW, "INTEGER", "TIMESTAMPTZ", None
)

PRIMITIVES: dict[str, PrimitiveFeastType] = {
    t.name: t for t in (Invalid, Bytes, String, Int32, Int64, Float32, Float64, Bool, UnixTimestamp)
}
_BY_VALUE_TYPE: dict[ValueType, FeastType] = {t.value_type: t for t in PRIMITIVES.values() if t is not Invalid}
_BY_VALUE_TYPE.update({Array(t).value_type: Array(t) for t in PRIMITIVES.values() if t is not Invalid})


def from_name(name: str) -> FeastType:
    """``"Int64"`` or ``"Array(Float32)"`` back to the type (the registry stores names)."""
    if name.startswith("Array(") and name.endswith(")"):
        return Array(from_name(name[6:-1]))  # type: ignore[arg-type]
    if name.startswith("Unsupported(") and name.endswith(")"):
        inner = name[12:-1]
        return UnsupportedType(int(inner) if inner.isdigit() else ValueType[inner].value)
    try:
        return PRIMITIVES[name]
    except KeyError:
        raise ValueError(f"unknown value type {name!r}; expected one of {sorted(PRIMITIVES)} or Array(...)") from None


def from_value_type(value_type: ValueType | int) -> FeastType:
    try:
        return _BY_VALUE_TYPE[ValueType(value_type)]
    except (KeyError, ValueError):
        raise ValueError(f"value type {value_type!r} has no feast_core type") from None


# ---- the wire: ``feast.types.ValueType.Enum`` numbers in registry protos ----------------------------


def to_proto_value_type(feast_type: FeastType) -> int:
    """The ``ValueType.Enum`` number a field of this type is stored with (``Invalid`` is 0)."""
    if isinstance(feast_type, UnsupportedType):
        return feast_type.number
    return int(feast_type.value_type)


def from_proto_value_type(number: int) -> FeastType:
    """The type a stored ``ValueType.Enum`` number reads as; never fails (see UnsupportedType)."""
    if number == ValueType.UNKNOWN:
        return Invalid
    try:
        return _BY_VALUE_TYPE[ValueType(number)]
    except (KeyError, ValueError):
        return UnsupportedType(number)


def from_arrow(arrow_type: pa.DataType) -> FeastType:
    """The declared type that an Arrow column of this type reads as (used to infer schemas)."""
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        base = from_arrow(arrow_type.value_type)
        if isinstance(base, Array):
            raise ValueError(f"nested list type {arrow_type} is not supported")
        return Array(base)
    checks = (
        (pa.types.is_boolean, Bool),
        (pa.types.is_int8, Int32),
        (pa.types.is_int16, Int32),
        (pa.types.is_int32, Int32),
        (pa.types.is_uint8, Int32),
        (pa.types.is_uint16, Int32),
        (pa.types.is_integer, Int64),
        (pa.types.is_float16, Float32),
        (pa.types.is_float32, Float32),
        (pa.types.is_floating, Float64),
        (pa.types.is_decimal, Float64),
        (pa.types.is_string, String),
        (pa.types.is_large_string, String),
        (pa.types.is_binary, Bytes),
        (pa.types.is_large_binary, Bytes),
        (pa.types.is_timestamp, UnixTimestamp),
        (pa.types.is_date, UnixTimestamp),
    )
    for check, feast_type in checks:
        if check(arrow_type):
            return feast_type
    raise ValueError(f"Arrow type {arrow_type} has no feast_core value type")


def arrow_schema(fields: list[tuple[str, FeastType]]) -> pa.Schema:
    return pa.schema([(name, feast_type.arrow) for name, feast_type in fields])


def accepts_python_value(feast_type: FeastType, value: object) -> bool:
    """Whether ``value`` may stand for this type in an entity row (bools are not ints)."""
    if value is None:
        return True
    if feast_type in (Int32, Int64, UnixTimestamp):
        return isinstance(value, int) and not isinstance(value, bool) or _is_numpy_int(value)
    if feast_type in (Float32, Float64):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if feast_type is String:
        return isinstance(value, str)
    if feast_type is Bytes:
        return isinstance(value, (bytes, bytearray))
    if feast_type is Bool:
        return isinstance(value, bool)
    return True


def _is_numpy_int(value: object) -> bool:
    import numpy as np

    return isinstance(value, np.integer)
