"""Value types and their one mapping to Arrow, SQLite and PostgreSQL.

Every other module asks this one how a declared type is stored or transported; none keeps
its own table. The types are Feast's (``feast.types``): scalars (Int64, String, Json, Uuid, Decimal, ...),
``Array(T)``, ``Set(T)`` and ``Struct({...})``, nested where Feast allows it, each with its ValueType number.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass

import pyarrow as pa


class ValueType(enum.IntEnum):
    """Feast's ValueType enum, with Feast's numbers: they are what registry protos (``value_type``) and
    serialized entity keys carry."""

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


class FeastTypeBase:
    """What every type offers: its ValueType, its Arrow type, and names (ours and Feast's wire string)."""

    value_type: ValueType
    name: str

    def to_value_type(self) -> ValueType:
        return self.value_type

    def to_pyarrow_type(self) -> pa.DataType:
        return self.arrow  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__


@dataclass(frozen=True, repr=False)
class PrimitiveFeastType(FeastTypeBase):
    """A scalar type: Int64, String, Json, ... ``feast_name`` is Feast's enum member name (``INT64``), the
    spelling Feast's field tags use for nested types."""

    name: str
    value_type: ValueType
    arrow: pa.DataType
    sqlite: str
    postgres: str
    python: type | None
    feast_name: str = ""


class _Collection(FeastTypeBase):
    """Array and Set: a collection of one base type (itself possibly a collection)."""

    kind = ""
    suffix = ""
    nested_value_type = ValueType.UNKNOWN
    refused_bases: tuple[str, ...] = ()

    def _check_base(self, base: object) -> None:
        allowed = isinstance(base, (Array, Set, Struct)) if self.kind == "Array" else isinstance(base, (Array, Set))
        if allowed:
            return
        if not isinstance(base, PrimitiveFeastType) or base.feast_name in self.refused_bases:
            raise ValueError(
                f"{self.kind}() takes a type such as Int64, Array(String) or Set(String) as its base, not {base!r}"
            )

    @property
    def value_type(self) -> ValueType:  # type: ignore[override]
        base = self.base_type  # type: ignore[attr-defined]
        if isinstance(base, (Array, Set)):
            return self.nested_value_type
        if isinstance(base, Struct):
            return ValueType.STRUCT_LIST
        return ValueType[base.value_type.name + self.suffix]

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"{self.kind}({self.base_type.name})"  # type: ignore[attr-defined]

    @property
    def arrow(self) -> pa.DataType:
        return pa.list_(self.base_type.arrow)  # type: ignore[attr-defined]

    @property
    def sqlite(self) -> str:
        return "TEXT"  # JSON text; collections are never keys

    @property
    def postgres(self) -> str:
        base = self.base_type  # type: ignore[attr-defined]
        return base.postgres + "[]" if isinstance(base, PrimitiveFeastType) and base.postgres != "JSONB" else "JSONB"

    python = list

    @property
    def nested(self) -> bool:
        """Whether the base is itself a collection (Feast's VALUE_LIST / VALUE_SET)."""
        return isinstance(self.base_type, (Array, Set))  # type: ignore[attr-defined]


@dataclass(frozen=True, repr=False, eq=True)
class Array(_Collection):
    """A list: ``Array(Float32)``, ``Array(Array(String))``, ``Array(Struct({...}))``."""

    base_type: FeastType
    kind = "Array"
    suffix = "_LIST"
    nested_value_type = ValueType.VALUE_LIST
    # no ValueType holds a list of these (Feast too has no PDF_BYTES_LIST, SCALAR_MAP_LIST, ...)
    refused_bases = ("INVALID", "PDF_BYTES", "IMAGE_BYTES", "ZONED_TIMESTAMP", "SCALAR_MAP")

    def __post_init__(self) -> None:
        self._check_base(self.base_type)


@dataclass(frozen=True, repr=False, eq=True)
class Set(_Collection):
    """A set of distinct values: ``Set(String)``, ``Set(Array(Int64))``."""

    base_type: FeastType
    kind = "Set"
    suffix = "_SET"
    nested_value_type = ValueType.VALUE_SET
    refused_bases = ("INVALID", "PDF_BYTES", "IMAGE_BYTES", "MAP", "JSON", "ZONED_TIMESTAMP", "SCALAR_MAP")

    def __post_init__(self) -> None:
        self._check_base(self.base_type)


class Struct(FeastTypeBase):
    """A record of named, typed fields: ``Struct({"street": String, "number": Int32})``."""

    value_type = ValueType.STRUCT
    sqlite = "TEXT"  # JSON text
    postgres = "JSONB"
    python = dict

    def __init__(self, fields: dict[str, FeastType]) -> None:
        if not fields:
            raise ValueError("Struct needs at least one field")
        for key, feast_type in fields.items():
            if not isinstance(key, str) or not isinstance(feast_type, FeastTypeBase):
                raise ValueError(f"Struct fields map names to types such as Int64, not {key!r}: {feast_type!r}")
        self.fields = dict(fields)

    @property
    def name(self) -> str:  # type: ignore[override]
        return "Struct(" + json.dumps({k: v.name for k, v in self.fields.items()}) + ")"

    @property
    def arrow(self) -> pa.DataType:
        return pa.struct([pa.field(k, v.arrow) for k, v in self.fields.items()])

    def __str__(self) -> str:
        return "Struct({" + ", ".join(f"{k}: {v}" for k, v in self.fields.items()) + "})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Struct) and other.fields == self.fields

    def __hash__(self) -> int:
        return hash(("Struct", tuple(sorted((k, hash(v)) for k, v in self.fields.items()))))


@dataclass(frozen=True, repr=False)
class UnsupportedType(FeastTypeBase):
    """A ValueType number newer than this module knows: a field of it still loads, lists and is written back
    unchanged; reading or writing its values names the type."""

    number: int

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"Unsupported({self.number})"

    @property
    def value_type(self) -> ValueType:  # type: ignore[override]
        return ValueType(self.number)

    def _refuse(self):
        raise ValueError(f"value type {self.number} is not known to feast_core (it came from a newer Feast)")

    arrow = property(lambda self: self._refuse())
    sqlite = property(lambda self: self._refuse())
    postgres = property(lambda self: self._refuse())
    python = None

    def to_value_type(self) -> ValueType:
        return self._refuse()


FeastType = PrimitiveFeastType | Array | Set | Struct | UnsupportedType
ComplexFeastType = (Array, Set, Struct)  # Feast's name, for isinstance checks


def _scalar(name, value_type, arrow, sqlite, postgres, python, feast_name) -> PrimitiveFeastType:
    return PrimitiveFeastType(name, value_type, arrow, sqlite, postgres, python, feast_name)


Invalid = _scalar("Invalid", ValueType.UNKNOWN, pa.null(), "BLOB", "BYTEA", None, "INVALID")
Bytes = _scalar("Bytes", ValueType.BYTES, pa.binary(), "BLOB", "BYTEA", bytes, "BYTES")
PdfBytes = _scalar("PdfBytes", ValueType.PDF_BYTES, pa.binary(), "BLOB", "BYTEA", bytes, "PDF_BYTES")
ImageBytes = _scalar("ImageBytes", ValueType.IMAGE_BYTES, pa.binary(), "BLOB", "BYTEA", bytes, "IMAGE_BYTES")
String = _scalar("String", ValueType.STRING, pa.string(), "TEXT", "TEXT", str, "STRING")
Int32 = _scalar("Int32", ValueType.INT32, pa.int32(), "INTEGER", "INTEGER", int, "INT32")
Int64 = _scalar("Int64", ValueType.INT64, pa.int64(), "INTEGER", "BIGINT", int, "INT64")
Float32 = _scalar("Float32", ValueType.FLOAT, pa.float32(), "REAL", "REAL", float, "FLOAT32")
Float64 = _scalar("Float64", ValueType.DOUBLE, pa.float64(), "REAL", "DOUBLE PRECISION", float, "FLOAT64")
Bool = _scalar("Bool", ValueType.BOOL, pa.bool_(), "INTEGER", "BOOLEAN", bool, "BOOL")
UnixTimestamp = _scalar(
    "UnixTimestamp", ValueType.UNIX_TIMESTAMP, TIMESTAMP_ARROW, "INTEGER", "TIMESTAMPTZ", None, "UNIX_TIMESTAMP"
)
Map = _scalar("Map", ValueType.MAP, pa.map_(pa.string(), pa.string()), "TEXT", "JSONB", dict, "MAP")
Json = _scalar("Json", ValueType.JSON, pa.large_string(), "TEXT", "JSONB", None, "JSON")
Uuid = _scalar("Uuid", ValueType.UUID, pa.string(), "TEXT", "UUID", None, "UUID")
TimeUuid = _scalar("TimeUuid", ValueType.TIME_UUID, pa.string(), "TEXT", "UUID", None, "TIME_UUID")
Decimal = _scalar("Decimal", ValueType.DECIMAL, pa.string(), "TEXT", "NUMERIC", None, "DECIMAL")
ScalarMap = _scalar("ScalarMap", ValueType.SCALAR_MAP, pa.map_(pa.string(), pa.string()), "TEXT", "JSONB", dict,
                    "SCALAR_MAP")
ZonedTimestamp = _scalar("ZonedTimestamp", ValueType.ZONED_TIMESTAMP, TIMESTAMP_ARROW, "TEXT", "TIMESTAMPTZ", None,
                         "ZONED_TIMESTAMP")

PRIMITIVES: dict[str, PrimitiveFeastType] = {
    t.name: t for t in (
        Invalid, Bytes, PdfBytes, ImageBytes, String, Int32, Int64, Float32, Float64, Bool, UnixTimestamp, Map, Json,
        Uuid, TimeUuid, Decimal, ScalarMap, ZonedTimestamp,
    )
}
_BY_FEAST_NAME = {t.feast_name: t for t in PRIMITIVES.values()}

# Feast's table of ValueType -> type; the nested and struct kinds get Feast's placeholders
VALUE_TYPES_TO_FEAST_TYPES: dict[ValueType, FeastType] = {t.value_type: t for t in PRIMITIVES.values()}
VALUE_TYPES_TO_FEAST_TYPES.update(
    {Array(t).value_type: Array(t) for t in PRIMITIVES.values() if t.feast_name not in Array.refused_bases}
)
VALUE_TYPES_TO_FEAST_TYPES.update(
    {Set(t).value_type: Set(t) for t in PRIMITIVES.values() if t.feast_name not in Set.refused_bases}
)
_PLACEHOLDERS: dict[ValueType, FeastType] = {
    ValueType.STRUCT: Struct({"_value": String}),
    ValueType.STRUCT_LIST: Array(Struct({"_value": String})),
    ValueType.VALUE_LIST: Array(Array(String)),
    ValueType.VALUE_SET: Set(Array(String)),
}
_BY_VALUE_TYPE = {**VALUE_TYPES_TO_FEAST_TYPES, **_PLACEHOLDERS}


def from_value_type(value_type: ValueType | int) -> FeastType:
    """The type of a ValueType (UNKNOWN is Invalid); nested and struct kinds give Feast's placeholder types,
    whose inner types a field keeps in its tags (see ``to_tag_string``)."""
    try:
        return _BY_VALUE_TYPE[ValueType(value_type)]
    except (KeyError, ValueError):
        raise ValueError(f"value type {value_type!r} has no feast type") from None


def from_feast_type(feast_type: FeastType) -> ValueType:
    """Feast's name for ``feast_type.to_value_type()``."""
    if not isinstance(feast_type, FeastTypeBase):
        raise ValueError(f"{feast_type!r} is not a feast type")
    return feast_type.to_value_type()


def from_feast_to_pyarrow_type(feast_type: FeastType) -> pa.DataType:
    """The Arrow type values of ``feast_type`` take in tables."""
    if not isinstance(feast_type, FeastTypeBase):
        raise ValueError(f"{feast_type!r} is not a feast type")
    return feast_type.arrow  # type: ignore[attr-defined]


# ---- names: ours (the registry's dict form) and Feast's (the tags of nested and struct fields) ---------------


def from_name(name: str) -> FeastType:
    """``"Int64"``, ``"Array(Set(String))"`` or ``Struct({...})`` back to the type (the registry stores names)."""
    for kind, cls in (("Array(", Array), ("Set(", Set)):
        if name.startswith(kind) and name.endswith(")"):
            return cls(from_name(name[len(kind):-1]))
    if name.startswith("Struct(") and name.endswith(")"):
        return Struct({k: from_name(v) for k, v in json.loads(name[7:-1]).items()})
    if name.startswith("Unsupported(") and name.endswith(")"):
        inner = name[12:-1]
        return UnsupportedType(int(inner) if inner.isdigit() else ValueType[inner].value)
    try:
        return PRIMITIVES[name]
    except KeyError:
        raise ValueError(f"unknown value type {name!r}; expected one of {sorted(PRIMITIVES)} or Array/Set/Struct") from None


def to_tag_string(feast_type: FeastType) -> str:
    """Feast's spelling of a type in field tags: ``STRING``, ``Array(Set(INT64))``, ``{"__struct__": {...}}``."""
    if isinstance(feast_type, PrimitiveFeastType):
        return feast_type.feast_name
    if isinstance(feast_type, Struct):
        return json.dumps({"__struct__": {k: to_tag_string(v) for k, v in feast_type.fields.items()}})
    if isinstance(feast_type, (Array, Set)):
        return f"{feast_type.kind}({to_tag_string(feast_type.base_type)})"
    return str(feast_type)


def from_tag_string(text: str) -> FeastType:
    """The type Feast's tag spelling names; ValueError ("Unknown FeastType") for anything else."""
    for kind, cls in (("Array(", Array), ("Set(", Set)):
        if text.startswith(kind) and text.endswith(")"):
            return cls(from_tag_string(text[len(kind):-1]))
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("__struct__"), dict):
            return Struct({k: from_tag_string(v) for k, v in parsed["__struct__"].items()})
    try:
        return _BY_FEAST_NAME[text]
    except KeyError:
        raise ValueError(f"Unknown FeastType: {text!r}; known: {sorted(_BY_FEAST_NAME)}") from None


def struct_schema(struct: Struct) -> str:
    """Feast's ``feast:struct_schema`` tag value: the fields as JSON of tag strings."""
    return json.dumps({k: to_tag_string(v) for k, v in struct.fields.items()})


def from_struct_schema(text: str) -> Struct:
    return Struct({k: from_tag_string(v) for k, v in json.loads(text).items()})


# ---- the wire: ``feast.types.ValueType.Enum`` numbers in registry protos ----------------------------


def to_proto_value_type(feast_type: FeastType) -> int:
    """The ``ValueType.Enum`` number a field of this type is stored with (``Invalid`` is 0)."""
    if isinstance(feast_type, UnsupportedType):
        return feast_type.number
    return int(feast_type.value_type)


def from_proto_value_type(number: int) -> FeastType:
    """The type a stored ``ValueType.Enum`` number reads as; never fails (see UnsupportedType)."""
    try:
        return _BY_VALUE_TYPE[ValueType(number)]
    except (KeyError, ValueError):
        return UnsupportedType(number)


def from_arrow(arrow_type: pa.DataType) -> FeastType:
    """The declared type that an Arrow column of this type reads as (used to infer schemas)."""
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type) or pa.types.is_fixed_size_list(arrow_type):
        return Array(from_arrow(arrow_type.value_type))
    if pa.types.is_struct(arrow_type):
        return Struct({arrow_type.field(i).name: from_arrow(arrow_type.field(i).type)
                       for i in range(arrow_type.num_fields)})
    if pa.types.is_map(arrow_type):
        return Map
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


_FAMILIES = {Int32: "number", Int64: "number", Float32: "number", Float64: "number", Bool: "bool", String: "string",
             Bytes: "bytes", UnixTimestamp: "timestamp"}


def column_fits(declared: FeastType, arrow_type: pa.DataType) -> bool:
    """Whether a source column of ``arrow_type`` can be read as ``declared``.

    Numbers fit numbers whatever their width (pandas writes an int column with gaps as floats; Feast's own demo
    declares Float32 on float64 columns); otherwise the kinds must agree: a String on a float column does not fit.
    """
    if pa.types.is_null(arrow_type):
        return True  # a column of nulls only
    try:
        actual = from_arrow(arrow_type)
    except ValueError:
        return False
    if isinstance(declared, Array) or isinstance(actual, Array):
        return isinstance(declared, Array) and isinstance(actual, Array) and \
            _FAMILIES.get(declared.base_type) == _FAMILIES.get(actual.base_type)
    return _FAMILIES.get(declared) == _FAMILIES.get(actual)


def describe_arrow(arrow_type: pa.DataType) -> str:
    """``double (Float64)``: an Arrow type with the declared type it reads as, for messages."""
    try:
        return f"{arrow_type} ({from_arrow(arrow_type)})"
    except ValueError:
        return str(arrow_type)


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
    if feast_type in (String, Uuid, TimeUuid):
        return isinstance(value, str)
    if feast_type in (Bytes, PdfBytes, ImageBytes):
        return isinstance(value, (bytes, bytearray))
    if feast_type is Bool:
        return isinstance(value, bool)
    return True


def _is_numpy_int(value: object) -> bool:
    import numpy as np

    return isinstance(value, np.integer)


__all__ = [
    "Array", "Bool", "Bytes", "ComplexFeastType", "Decimal", "FeastType", "Float32", "Float64", "ImageBytes",
    "Int32", "Int64", "Invalid", "Json", "Map", "PdfBytes", "PrimitiveFeastType", "ScalarMap", "Set", "String",
    "Struct", "TimeUuid", "UnixTimestamp", "UnsupportedType", "Uuid", "VALUE_TYPES_TO_FEAST_TYPES", "ValueType",
    "ZonedTimestamp", "from_arrow", "from_feast_to_pyarrow_type", "from_feast_type", "from_name", "from_tag_string",
    "from_value_type", "to_proto_value_type", "to_tag_string",
]


def __getattr__(name: str):
    if name == "_utc_now":  # Feast's code imports it from feast.types; timestamps.py is its home
        from .timestamps import utc_now

        return utc_now
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
