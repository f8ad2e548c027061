"""Entity keys and Value bytes, byte for byte against upstream Feast 0.67 (run in its own venv)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pyarrow as pa
import pytest

from feast_core import types
from feast_core.errors import EntityDataError
from feast_core.online.encoding import (
    VALUE_SEPARATOR,
    EntityKeySerializer,
    PackedValues,
    column_decoder,
    decode_value,
    encode_column,
    encode_value,
    text_column,
)
from feast_core.types import Array

T = 1_735_696_800_123_456  # 2025-01-01T02:00:00.123456Z in microseconds
# (feast type, upstream ValueType name, Arrow type, values); timestamps are given as epoch microseconds
VALUE_CASES = {
    "int64": ("Int64", "INT64", "int64", [0, 3, -1, 2**40, 2**63 - 1, -(2**63)]),
    # upstream's Arrow path turns an integer column holding nulls into float64 (exact up to 2**53)
    "int64_nulls": ("Int64", "INT64", "int64", [0, 300, -1, 2**40, None]),
    "int32": ("Int32", "INT32", "int32", [0, 3, -1, 2**31 - 1, -(2**31), None]),
    "int64_from_float": ("Int64", "INT64", "float64", [1.0, None, 3.0]),
    "float32": ("Float32", "FLOAT", "float32", [0.0, 1.2, -0.5, float("inf"), float("nan"), None]),
    "float64": ("Float64", "DOUBLE", "float64", [0.0, 0.5, 1e20, -1e-5, 100.0, float("-inf"), float("nan"), None]),
    "string": ("String", "STRING", "string", ["", "alice", "héllo ✓", "x" * 300, None]),
    "bytes": ("Bytes", "BYTES", "binary", [b"", b"\x00\xff", b"y" * 200, None]),
    "bool": ("Bool", "BOOL", "bool", [True, False, None]),
    "timestamp": ("UnixTimestamp", "UNIX_TIMESTAMP", "timestamp", [T, 0, -500_000, None]),
    "int64_list": ("Array(Int64)", "INT64_LIST", "list<int64>", [[1, 2, -3, 2**40], [], None]),
    "int32_list": ("Array(Int32)", "INT32_LIST", "list<int32>", [[1, -2], [], None]),
    "float32_list": ("Array(Float32)", "FLOAT_LIST", "list<float32>", [[0.1, 0.2], [], [1.5, None], None]),
    "float64_list": ("Array(Float64)", "DOUBLE_LIST", "list<float64>", [[1.5, -2.25], [], None]),
    "string_list": ("Array(String)", "STRING_LIST", "list<string>", [["a", "b"], [], ["é", None], None]),
    "bytes_list": ("Array(Bytes)", "BYTES_LIST", "list<binary>", [[b"a", b"\x00"], [], None]),
    "bool_list": ("Array(Bool)", "BOOL_LIST", "list<bool>", [[True, False], [], [True, None], None]),
    "timestamp_list": ("Array(UnixTimestamp)", "UNIX_TIMESTAMP_LIST", "list<timestamp>", [[T, 0], [], [T, None], None]),
}

# (join keys with types, rows of values in join-key order)
KEY_CASES = {
    "int64": ([("driver_id", "Int64")], [[1001], [-1], [2**63 - 1], [-(2**63)]]),
    "int32": ([("user", "Int32")], [[7], [-7], [2**31 - 1]]),
    "string": ([("customer_id", "String")], [["alice"], [""], ["é✓"]]),
    "bytes": ([("blob", "Bytes")], [[b"\x00\x01"], [b""]]),
    "timestamp": ([("day", "UnixTimestamp")], [[T], [0]]),
    "composite": ([("driver_id", "Int64"), ("customer_id", "String")], [[1001, "alice"], [7, ""]]),
    "three": ([("z", "Int32"), ("a", "String"), ("m", "Int64")], [[1, "x", 2], [-1, "", 0]]),
}

UPSTREAM_SCRIPT = r"""
import json, warnings
import pyarrow as pa
from datetime import datetime, timezone
from feast.type_map import python_values_to_proto_values, feast_value_type_to_python_type
from feast.value_type import ValueType
from feast.infra.key_encoding_utils import serialize_entity_key
from feast.infra.online_stores.helpers import extract_text_and_num
from feast.protos.feast.types.EntityKey_pb2 import EntityKey
from feast.protos.feast.types.Value_pb2 import Value
warnings.simplefilter("ignore")
value_cases, key_cases = json.loads(VALUES), json.loads(KEYS)

def arrow(kind, values):
    if "timestamp" in kind:
        ts = pa.timestamp("us", tz="UTC")
        if kind.startswith("list"):
            return pa.array([None if v is None else [None if x is None else x for x in v] for v in values],
                            pa.list_(pa.int64())).cast(pa.list_(ts))
        return pa.array(values, pa.int64()).cast(ts)
    if "binary" in kind:
        values = [None if v is None else (bytes.fromhex(v) if isinstance(v, str) else [None if x is None else bytes.fromhex(x) for x in v]) for v in values]
    return pa.array(values, type=pa.type_for_alias(kind) if not kind.startswith("list") else pa.list_(pa.type_for_alias(kind[5:-1])))

def plain(v):
    if isinstance(v, bytes):
        return {"bytes": v.hex()}
    if isinstance(v, datetime):
        return {"ts": v.isoformat()}
    if isinstance(v, float) and v != v:
        return "nan"
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v

out = {"values": {}, "keys": {}}
for name, (_, vt, kind, values) in value_cases.items():
    column = arrow(kind, values)
    protos = python_values_to_proto_values(column.to_numpy(zero_copy_only=False), ValueType[vt])
    out["values"][name] = {
        "bytes": [p.SerializeToString().hex() for p in protos],
        "python": [plain(feast_value_type_to_python_type(p)) for p in protos],
        "text": [extract_text_and_num(p, False)[0] for p in protos],
    }
FIELD = {"Int64": "int64_val", "Int32": "int32_val", "String": "string_val", "Bytes": "bytes_val",
         "UnixTimestamp": "unix_timestamp_val"}
for name, (keys, rows) in key_cases.items():
    result = {}
    for version in (2, 3):
        encoded = []
        for row in rows:
            values = []
            for (key, dtype), v in zip(keys, row):
                if dtype == "Bytes":
                    v = bytes.fromhex(v)
                if dtype == "UnixTimestamp":
                    v = v // 1_000_000
                values.append(Value(**{FIELD[dtype]: v}))
            encoded.append(serialize_entity_key(EntityKey(join_keys=[k for k, _ in keys], entity_values=values),
                                                entity_key_serialization_version=version).hex())
        result[version] = encoded
    out["keys"][name] = result
dummy = EntityKey(join_keys=["__dummy_id"], entity_values=[Value(string_val="")])
out["dummy"] = {v: serialize_entity_key(dummy, entity_key_serialization_version=v).hex() for v in (2, 3)}
print(json.dumps(out))
"""


def _jsonable(values):
    if isinstance(values, bytes):
        return values.hex()
    if isinstance(values, list):
        return [_jsonable(v) for v in values]
    return values


def _arrow(kind: str, values: list) -> pa.Array:
    ts = pa.timestamp("us", tz="UTC")
    if kind == "timestamp":
        return pa.array(values, pa.int64()).cast(ts)
    if kind == "list<timestamp>":
        return pa.array(values, pa.list_(pa.int64())).cast(pa.list_(ts))
    if kind.startswith("list<"):
        return pa.array(values, pa.list_(pa.type_for_alias(kind[5:-1])))
    return pa.array(values, pa.type_for_alias(kind))


def _plain(v):
    if isinstance(v, bytes):
        return {"bytes": v.hex()}
    if isinstance(v, datetime):
        return {"ts": v.isoformat()}
    if isinstance(v, float) and v != v:
        return "nan"
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


@pytest.fixture(scope="module")
def upstream(upstream_feast, tmp_path_factory):
    values = json.dumps({k: [a, b, c, _jsonable(d)] for k, (a, b, c, d) in VALUE_CASES.items()})
    keys = json.dumps({k: [kt, _jsonable(rows)] for k, (kt, rows) in KEY_CASES.items()})
    script = f"VALUES = {values!r}\nKEYS = {keys!r}\n" + UPSTREAM_SCRIPT
    return upstream_feast.run_python(script, cwd=tmp_path_factory.mktemp("encoding"))


@pytest.mark.parametrize("case", sorted(VALUE_CASES))
def test_value_bytes_equal_upstream(upstream, case):
    type_name, _, kind, values = VALUE_CASES[case]
    feast_type = types.from_name(type_name)
    column = _arrow(kind, values)
    ours = [b.hex() for b in encode_column(feast_type, column, f"column {case!r}").to_pylist()]
    assert ours == upstream["values"][case]["bytes"]


@pytest.mark.parametrize("case", sorted(VALUE_CASES))
def test_upstream_bytes_decode_to_upstream_values(upstream, case):
    type_name = VALUE_CASES[case][0]
    blobs = [bytes.fromhex(h) for h in upstream["values"][case]["bytes"]]
    decoded = column_decoder(types.from_name(type_name), case)(blobs)
    assert [_plain(v) for v in decoded] == upstream["values"][case]["python"]
    assert [_plain(decode_value(b)) for b in blobs] == upstream["values"][case]["python"]


def _read_back_to_back(feast_type, blobs: list[bytes], seconds: list[int]) -> tuple[list, list, list]:
    """``blobs`` as the SQLite store reads a view's rows: key by key, each key's features in name order, here
    the case's feature ("a") beside a FLOAT one ("b"), values back to back; returns a's and b's values and a's
    event times in microseconds."""
    neighbour = [encode_value(types.Float32, i / 2) for i in range(len(blobs))]
    data = VALUE_SEPARATOR.join(x for pair in zip(blobs, neighbour) for x in pair)
    times = ",".join(f"{t},{t}" for t in seconds)
    reader = PackedValues(2, [0, 1], [feast_type, types.Float32],
                          [column_decoder(feast_type, "a"), column_decoder(types.Float32, "b")])
    (values, others), (stamps, _), complete, oldest = reader.unpack(data, times, len(blobs))
    assert others == [i / 2 for i in range(len(blobs))] and complete[1]
    assert complete[0] == (None not in values)  # "complete": no value is missing
    assert oldest[0] == min(stamps)
    return values, others, stamps


@pytest.mark.parametrize("case", sorted(VALUE_CASES))
def test_upstream_bytes_read_back_to_back_decode_to_upstream_values(upstream, case):
    """The SQLite store reads a view's values packed into one buffer and splits them by their lengths: numbers
    and bools in their writers' form are decoded together, anything else one by one; either way upstream's
    values, next to their neighbours'."""
    type_name = VALUE_CASES[case][0]
    feast_type = types.from_name(type_name)
    blobs = [bytes.fromhex(h) for h in upstream["values"][case]["bytes"]]
    expected = upstream["values"][case]["python"]
    present = [(b, v) for b, v in zip(blobs, expected) if b]
    for chosen in (list(zip(blobs, expected)), present, present[:1]):
        values, _, stamps = _read_back_to_back(feast_type, [b for b, _ in chosen], list(range(len(chosen))))
        assert [_plain(v) for v in values] == [v for _, v in chosen]
        assert stamps == [i * 1_000_000 for i in range(len(chosen))]
    usual = {"int64": [0, 3, 127, 128, 16383, 16384, 2**40], "int32": [0, 3, 300, 2**31 - 1],
             "float32": [0.0, 1.2, -0.5, float("inf")], "bool": [True, False],
             "float64": [0.0, 0.5, 1e20, -1e-5, 100.0, float("-inf")]}
    if case in usual:
        blobs = [encode_value(feast_type, v) for v in usual[case]]
        values, _, _ = _read_back_to_back(feast_type, blobs, [0] * len(blobs))
        assert values == column_decoder(feast_type, case)(blobs)


@pytest.mark.parametrize("case", sorted(VALUE_CASES))
def test_value_text_equals_upstream(upstream, case):
    type_name, _, kind, values = VALUE_CASES[case]
    ours = text_column(types.from_name(type_name), _arrow(kind, values)).to_pylist()
    assert ours == upstream["values"][case]["text"]


@pytest.mark.parametrize("case", sorted(VALUE_CASES))
def test_single_values_encode_as_the_column_does(case):
    type_name, _, kind, values = VALUE_CASES[case]
    feast_type = types.from_name(type_name)
    column = _arrow(kind, values)
    assert [encode_value(feast_type, v) for v in column.to_pylist()] == encode_column(feast_type, column, "c").to_pylist()


@pytest.mark.parametrize("version", [2, 3])
@pytest.mark.parametrize("case", sorted(KEY_CASES))
def test_entity_keys_equal_upstream(upstream, case, version):
    keys, rows = KEY_CASES[case]
    names = [k for k, _ in keys]
    key_types = [types.from_name(t) for _, t in keys]
    serializer = EntityKeySerializer("v", names, key_types, version)
    theirs = upstream["keys"][case][str(version)]

    def python_value(feast_type, v):
        if feast_type is types.UnixTimestamp:
            return datetime.fromtimestamp(v / 1e6, tz=timezone.utc)
        return v

    lookups = [tuple(python_value(t, v) for t, v in zip(key_types, row)) for row in rows]
    assert [k.hex() for k in serializer.serialize_many(lookups)] == theirs
    columns = [_arrow("timestamp" if t is types.UnixTimestamp else
                      {"Int64": "int64", "Int32": "int32", "String": "string", "Bytes": "binary"}[t.name],
                      [row[i] for row in rows]) for i, t in enumerate(key_types)]
    assert [k.hex() for k in serializer.serialize_columns(columns, len(rows)).to_pylist()] == theirs


@pytest.mark.parametrize("version", [2, 3])
def test_a_view_without_entities_uses_feasts_placeholder_key(upstream, version):
    serializer = EntityKeySerializer("global", [], [], version)
    assert serializer.serialize_many([(), ()]) == [bytes.fromhex(upstream["dummy"][str(version)])] * 2
    assert serializer.serialize_columns([], 1).to_pylist() == [bytes.fromhex(upstream["dummy"][str(version)])]


def test_reference_examples():
    """The worked examples of feast-wire-formats.md §4.6 and §4.7."""
    driver = EntityKeySerializer("v", ["driver_id"], [types.Int64], 3)
    assert driver.serialize((1001,)).hex() == "01000000020000000900000064726976" "65725f69640400000008000000e903000000000000"
    pair = EntityKeySerializer("v", ["driver_id", "customer_id"], [types.Int64, types.String], 2)
    assert pair.serialize((1001, "alice")).hex() == (
        "02000000637573746f6d65725f6964" "020000006472697665725f6964" "0200000005000000616c696365"
        "0400000008000000e903000000000000"
    )
    assert encode_value(types.Float32, 1.2).hex() == "359a99993f"
    assert encode_value(types.UnixTimestamp, 1735696800).hex() == "40a0c3d2bb06"
    assert encode_value(Array(types.Float32), [0.1, 0.2]).hex() == "82010a0a08cdcccc3dcdcc4c3e"
    assert encode_value(Array(types.String), ["a", "b"]).hex() == "62060a01610a0162"


@pytest.mark.parametrize("key_type, value", [(types.Int64, 2**70), (types.Int64, -(2**63) - 1), (types.Int32, 2**31),
                                             (types.Int64, "7"), (types.String, 7)])
def test_a_key_value_that_does_not_fit_names_the_join_key_and_its_type(key_type, value):
    serializer = EntityKeySerializer("driver_stats", ["driver_id"], [key_type], 3)
    with pytest.raises(EntityDataError) as caught:
        serializer.serialize_many([(1,) if key_type is not types.String else ("a",), (value,)])
    message = str(caught.value)
    assert "'driver_id'" in message and str(key_type) in message and "driver_stats" in message


def test_integer_lists_with_nulls_and_wrong_types_are_refused_naming_the_column():
    with pytest.raises(EntityDataError, match="'trips'"):
        encode_column(Array(types.Int64), pa.array([[1, None]]), "column 'trips'")
    with pytest.raises(EntityDataError, match="'rate'"):
        encode_column(types.Float64, pa.array(["1.5"]), "column 'rate'")
    with pytest.raises(EntityDataError, match="'trips'"):
        encode_column(types.Int64, pa.array([1.5]), "column 'trips'")
    with pytest.raises(EntityDataError, match="'small'"):
        encode_column(types.Int32, pa.array([2**40]), "column 'small'")


def test_join_keys_of_unsupported_types_are_refused():
    with pytest.raises(EntityDataError, match="'score'.*Float64"):
        EntityKeySerializer("v", ["score"], [types.Float64], 3)


def test_values_written_under_another_type_are_read_as_stored():
    blob = encode_value(types.Int64, 5)
    assert column_decoder(types.Float64, "f")([blob, b"", None]) == [5, None, None]
    assert decode_value(bytes.fromhex("980100")) is None  # null_val


@pytest.mark.parametrize("case", sorted(VALUE_CASES))
def test_our_value_bytes_are_canonical_messages_of_our_own_protos(case):
    """The hand codec (the fast path) and the generated feast.types.Value agree: every encoded value parses and
    serializes back to the same bytes, with the oneof field the declared type names."""
    from feast_core.protos.feast.types import Value_pb2

    type_name, _, kind, values = VALUE_CASES[case]
    feast_type = types.from_name(type_name)
    for blob in encode_column(feast_type, _arrow(kind, values), "c").to_pylist():
        message = Value_pb2.Value.FromString(blob)
        assert message.SerializeToString() == blob
        if blob:
            assert message.DESCRIPTOR.fields_by_name[message.WhichOneof("val")].number == feast_type.value_type


def test_kinds_of_value_feast_core_has_no_type_for_are_refused_by_name():
    with pytest.raises(ValueError, match="field 20"):
        decode_value(bytes.fromhex("a20100"))  # map_val


def test_values_read_back_to_back_equal_those_read_one_by_one_whatever_their_bytes():
    """Varints that run past their value or stop short, another type's tag, nulls: the same values as the
    one-by-one reader gives."""
    int64 = types.from_name("Int64")
    for blobs in ([b"\x20\x85", b"\x20\x01"], [b"\x20\x05\x01", b"\x20\x01"], [b"\x20\x01", b"\x18\x01"],
                  [b"", b"\x20\x01"], [b"\x20\x85\x01", b"\x20\x7f"]):
        values, _, _ = _read_back_to_back(int64, blobs, [1, 2])
        assert values == column_decoder(int64, "a")(blobs), blobs


def test_values_back_to_back_that_do_not_add_up_are_declined():
    """Too few or too many values (a value holding the separator splits in two), or event times that are not
    integers: the reader declines, and the store reads those rows another way."""
    reader = PackedValues(1, [0], [types.Float32], [column_decoder(types.Float32, "a")])
    value = encode_value(types.Float32, 1.5)
    two = value + VALUE_SEPARATOR + value
    assert reader.unpack(two, "1,2", 2) is not None
    holding = encode_value(types.Bytes, b"x" + VALUE_SEPARATOR)
    for data, times in ((value, "1,2"), (two + VALUE_SEPARATOR + value, "1,2"), (two, "1,2.5"),
                        (two, "1,2024-05-03 12:00:00"), (two, "1"), (holding + VALUE_SEPARATOR + value, "1,2")):
        assert reader.unpack(data, times, 2) is None, (data, times)


def test_the_separator_is_in_no_text_and_cannot_straddle_a_value():
    """U+10FFFF is a noncharacter, and no proper prefix of the separator's bytes is also a suffix of them (so a
    value's tail and the separator after it never form a second separator)."""
    assert "\U0010ffff".encode("utf-8") == VALUE_SEPARATOR
    assert not any(VALUE_SEPARATOR[:n] == VALUE_SEPARATOR[-n:] for n in range(1, len(VALUE_SEPARATOR)))
