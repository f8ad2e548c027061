"""Feast's online-store bytes: serialized entity keys (versions 2 and 3) and ``feast.types.Value`` messages.

Both are facts of Feast's storage format, kept byte for byte so that upstream Feast and feast_core read each
other's online rows (tests compare every type with upstream's own ``serialize_entity_key`` and
``Value.SerializeToString()``):

* an entity key is little-endian ``u32`` fields: (v3 only: the number of keys), then per join key sorted by
  name ``u32 2`` (STRING), (v3 only: ``u32`` length) and the UTF-8 name, then per value ``u32`` value type,
  ``u32`` length and the value's bytes (``<q`` for INT64 and UNIX_TIMESTAMP, ``<i`` for INT32, UTF-8, raw);
  a view without entities uses Feast's placeholder key ``__dummy_id = ""``;
* a feature value is a ``Value`` message: a oneof whose field number is the value type's number
  (INT64 = 4, FLOAT = 6, FLOAT_LIST = 16, ...). A null is the empty message (zero bytes).

Writes encode whole Arrow columns at once (numpy and Arrow compute; no Python object per value for scalar
types), reads decode one feature's list of blobs with a fast path per type. The conversions follow
upstream's Arrow path (the one its materialization and ``write_to_online_store`` take): NaN floats are
stored as nulls, timestamps as whole seconds (floored), a null timestamp as the smallest int64 (which both
sides read back as null), and nulls inside lists as the element type's zero value (NaN for floats, null for
timestamps); a list of integers holding a null is refused, as upstream refuses it.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone
from itertools import starmap

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from .. import types
from ..errors import EntityDataError, OnlineDataError
from ..protos.wire import varint as _varint
from ..types import Array, FeastType, ValueType

DUMMY_JOIN_KEY = "__dummy_id"  # Feast's placeholder join key for views without entities; its value is ""
DUMMY_KEY_VALUE = ""
SERIALIZATION_VERSIONS = (2, 3)

INT64_MIN = -(2**63)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# wire types
_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5

# ---------------------------------------------------------------------------------------------
# varints and tags


def _tag(field: int, wire_type: int) -> bytes:
    return _varint((field << 3) | wire_type)


def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[at]
        at += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, at
        shift += 7
        if shift >= 70:
            raise ValueError("varint longer than ten bytes")


def _signed64(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


# The Value field (= ValueType number) and wire type of each scalar type, and of each list's elements.
_SCALAR_WIRE = {
    ValueType.BYTES: _LENGTH, ValueType.STRING: _LENGTH, ValueType.INT32: _VARINT, ValueType.INT64: _VARINT,
    ValueType.DOUBLE: _FIXED64, ValueType.FLOAT: _FIXED32, ValueType.BOOL: _VARINT,
    ValueType.UNIX_TIMESTAMP: _VARINT,
}
_LIST_OF = {
    ValueType.BYTES_LIST: ValueType.BYTES, ValueType.STRING_LIST: ValueType.STRING,
    ValueType.INT32_LIST: ValueType.INT32, ValueType.INT64_LIST: ValueType.INT64,
    ValueType.DOUBLE_LIST: ValueType.DOUBLE, ValueType.FLOAT_LIST: ValueType.FLOAT,
    ValueType.BOOL_LIST: ValueType.BOOL, ValueType.UNIX_TIMESTAMP_LIST: ValueType.UNIX_TIMESTAMP,
}
_NULL_FIELD = 19  # Value.null_val


def _scalar_tag(value_type: ValueType) -> int:
    """The one tag byte that starts a non-null scalar Value of this type (fields 1-14: one byte)."""
    return _tag(int(value_type), _SCALAR_WIRE[value_type])[0]


_READABLE = frozenset(int(t) for t in (*_SCALAR_WIRE, *_LIST_OF))


def value_tag(feast_type: FeastType) -> bytes:
    """The tag bytes that start a non-null Value of this type."""
    value_type = feast_type.value_type
    wire = _LENGTH if value_type in _LIST_OF else _SCALAR_WIRE[value_type]
    return _tag(int(value_type), wire)


# ---------------------------------------------------------------------------------------------
# Python values -> Value bytes (one value; lists and tests use this)


def _seconds(value) -> int:
    """Whole seconds since the epoch (floored) of a datetime (naive = UTC), a date, or an int of seconds."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return (value - _EPOCH) // timedelta(seconds=1)
    if isinstance(value, date):
        return (value - _EPOCH.date()).days * 86400
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    raise TypeError(f"{value!r} is not a timestamp")


def _element_bytes(value_type: ValueType, value) -> bytes:
    """One list element in its packed (numbers) or length-delimited payload form."""
    if value_type is ValueType.FLOAT:
        return struct.pack("<f", float("nan") if value is None else value)
    if value_type is ValueType.DOUBLE:
        return struct.pack("<d", float("nan") if value is None else value)
    if value_type is ValueType.BOOL:
        return b"\x01" if value else b"\x00"
    if value_type is ValueType.UNIX_TIMESTAMP:
        return _varint(INT64_MIN if value is None else _seconds(value))
    if value_type in (ValueType.INT32, ValueType.INT64):
        if value is None:
            raise TypeError("a list of integers cannot hold a null")
        return _varint(_checked_int(value_type, value))
    if value_type is ValueType.STRING:
        data = b"" if value is None else value.encode("utf-8")
    else:
        data = b"" if value is None else bytes(value)
    return b"\x0a" + _varint(len(data)) + data


def _checked_int(value_type: ValueType, value) -> int:
    value = int(value)
    bits = 32 if value_type is ValueType.INT32 else 64
    if not -(1 << (bits - 1)) <= value < 1 << (bits - 1):
        raise OverflowError(f"{value} does not fit in a {bits}-bit integer")
    return value


def encode_value(feast_type: FeastType, value) -> bytes:
    """One Python value as serialized ``feast.types.Value`` bytes (None -> b"")."""
    value_type = feast_type.value_type
    if value is None:
        return value_tag(feast_type) + _varint(INT64_MIN) if value_type is ValueType.UNIX_TIMESTAMP else b""
    if value_type in _LIST_OF:
        element = _LIST_OF[value_type]
        if element in (ValueType.STRING, ValueType.BYTES):
            inner = b"".join(_element_bytes(element, v) for v in value)
        else:
            payload = b"".join(_element_bytes(element, v) for v in value)
            inner = b"\x0a" + _varint(len(payload)) + payload if payload else b""
        return _tag(int(value_type), _LENGTH) + _varint(len(inner)) + inner
    tag = _tag(int(value_type), _SCALAR_WIRE[value_type])
    if value_type in (ValueType.FLOAT, ValueType.DOUBLE):
        if value != value:  # NaN is stored as null, as upstream does
            return b""
        return tag + struct.pack("<f" if value_type is ValueType.FLOAT else "<d", value)
    if value_type is ValueType.BOOL:
        return tag + (b"\x01" if value else b"\x00")
    if value_type is ValueType.UNIX_TIMESTAMP:
        return tag + _varint(_seconds(value))
    if value_type in (ValueType.INT32, ValueType.INT64):
        return tag + _varint(_checked_int(value_type, value))
    data = value.encode("utf-8") if value_type is ValueType.STRING else bytes(value)
    return tag + _varint(len(data)) + data


# ---------------------------------------------------------------------------------------------
# Value bytes -> Python values


def _timestamp(seconds: int) -> datetime | None:
    if seconds == INT64_MIN:
        return None
    return _EPOCH + timedelta(seconds=seconds)


def _parse_list(element: ValueType, data: bytes, start: int, end: int) -> list:
    """The ``val`` elements of a list message occupying data[start:end]."""
    out: list = []
    at = start
    while at < end:
        key, at = _read_varint(data, at)
        field, wire = key >> 3, key & 7
        if field != 1:
            raise ValueError(f"unexpected field {field} in a list value")
        if wire == _LENGTH:
            length, at = _read_varint(data, at)
            chunk_end = at + length
            if element in (ValueType.STRING, ValueType.BYTES):
                chunk = data[at:chunk_end]
                out.append(chunk.decode("utf-8") if element is ValueType.STRING else bytes(chunk))
            elif element is ValueType.FLOAT:
                out.extend(v for (v,) in struct.iter_unpack("<f", data[at:chunk_end]))
            elif element is ValueType.DOUBLE:
                out.extend(v for (v,) in struct.iter_unpack("<d", data[at:chunk_end]))
            else:
                while at < chunk_end:
                    raw, at = _read_varint(data, at)
                    out.append(_scalar_from_varint(element, raw))
            at = chunk_end
        elif wire == _VARINT:  # an unpacked element
            raw, at = _read_varint(data, at)
            out.append(_scalar_from_varint(element, raw))
        elif wire == _FIXED32:
            out.append(struct.unpack_from("<f", data, at)[0])
            at += 4
        elif wire == _FIXED64:
            out.append(struct.unpack_from("<d", data, at)[0])
            at += 8
        else:
            raise ValueError(f"unexpected wire type {wire} in a list value")
    return out


def _scalar_from_varint(value_type: ValueType, raw: int):
    if value_type is ValueType.BOOL:
        return raw != 0
    value = _signed64(raw)  # negative int32 values are sign-extended to 64 bits on the wire
    if value_type is ValueType.UNIX_TIMESTAMP:
        return _timestamp(value)
    return value


def decode_value(data: bytes | memoryview | None):
    """A serialized Value as a Python value: None for the empty message, a null or a null timestamp.

    Raises ValueError for bytes that are not a Value this store can read (maps, sets, JSON and other kinds
    feast_core has no type for)."""
    if not data:
        return None
    data = bytes(data)
    key, at = _read_varint(data, 0)
    field, wire = key >> 3, key & 7
    if field == _NULL_FIELD:
        return None
    if field not in _READABLE:
        raise ValueError(f"Value field {field} is a kind of value feast_core does not read")
    value_type = ValueType(field)
    if value_type in _LIST_OF:
        length, at = _read_varint(data, at)
        return _parse_list(_LIST_OF[value_type], data, at, at + length)
    if wire == _VARINT:
        raw, _ = _read_varint(data, at)
        return _scalar_from_varint(value_type, raw)
    if wire == _FIXED32:
        return struct.unpack_from("<f", data, at)[0]
    if wire == _FIXED64:
        return struct.unpack_from("<d", data, at)[0]
    if wire == _LENGTH:
        length, at = _read_varint(data, at)
        chunk = data[at:at + length]
        return chunk.decode("utf-8") if value_type is ValueType.STRING else chunk
    raise ValueError(f"unexpected wire type {wire} for Value field {field}")


def _decode_or_fail(blob, feature: str):
    try:
        return decode_value(blob)
    except (ValueError, IndexError, struct.error, UnicodeDecodeError) as error:
        raise OnlineDataError(f"feature {feature!r}: a stored value cannot be read ({error}): {bytes(blob).hex()}") from None


NUMPY_DECODE = 16  # values of a fixed-size type decoded by one numpy pass from this many on


def column_decoder(feast_type: FeastType, feature: str) -> Callable[[Sequence], list]:
    """A function from one feature's stored blobs (None or b"" = null) to Python values.

    Each type has a fast path for the bytes its own writer produces; anything else (a value written under
    another declared type, a null_val) goes through the general parser, so values are returned as stored."""
    value_type = feast_type.value_type
    general = _decode_or_fail

    if value_type is ValueType.FLOAT or value_type is ValueType.DOUBLE:
        tag = _scalar_tag(value_type)
        size, unpack = (5, struct.Struct("<xf").unpack) if value_type is ValueType.FLOAT else (9, struct.Struct("<xd").unpack)

        layout = np.dtype([("tag", "u1"), ("value", "<f4" if value_type is ValueType.FLOAT else "<f8")])

        def decode_fixed(blobs: Sequence) -> list:
            if len(blobs) >= NUMPY_DECODE and None not in blobs:  # usually every value is present and its writer's form
                joined = b"".join(blobs)
                if len(joined) == size * len(blobs):
                    rows = np.frombuffer(joined, dtype=layout)
                    if (rows["tag"] == tag).all():
                        return rows["value"].tolist()
            out = []
            append = out.append
            for b in blobs:
                if not b:
                    append(None)
                elif len(b) == size and b[0] == tag:
                    append(unpack(b)[0])
                else:
                    append(general(b, feature))
            return out

        return decode_fixed

    if value_type in (ValueType.INT64, ValueType.INT32):
        tag = _scalar_tag(value_type)

        def decode_int(blobs: Sequence) -> list:
            out = []
            append = out.append
            for b in blobs:
                if not b:
                    append(None)
                elif b[0] == tag and len(b) == 2:
                    append(b[1])
                elif b[0] == tag and len(b) == 3:
                    append((b[1] & 0x7F) | (b[2] << 7))
                else:
                    append(general(b, feature))
            return out

        return decode_int

    if value_type is ValueType.BOOL:
        bool_tag = _scalar_tag(value_type)

        def decode_bool(blobs: Sequence) -> list:
            out = []
            append = out.append
            for b in blobs:
                if not b:
                    append(None)
                elif len(b) == 2 and b[0] == bool_tag:
                    append(b[1] != 0)
                else:
                    append(general(b, feature))
            return out

        return decode_bool

    if value_type is ValueType.STRING:

        def decode_string(blobs: Sequence) -> list:
            out = []
            append = out.append
            for b in blobs:
                if not b:
                    append(None)
                elif b[0] == 0x12 and len(b) >= 2 and b[1] < 0x80 and len(b) == b[1] + 2:
                    append(b[2:].decode("utf-8"))
                else:
                    append(general(b, feature))
            return out

        return decode_string

    return lambda blobs: [None if not b else general(b, feature) for b in blobs]



# The forms of the scalar values that gathered_decoder reads with numpy: the tag byte, then a fixed-size
# little-endian number, or a varint.
_GATHER_FIXED = {t: (_scalar_tag(t), np.dtype(d)) for t, d in ((ValueType.FLOAT, "<f4"), (ValueType.DOUBLE, "<f8"))}
_GATHER_VARINT = {t: _scalar_tag(t) for t in (ValueType.INT64, ValueType.INT32, ValueType.BOOL)}


def gathered_decoder(feast_type: FeastType) -> Callable[[np.ndarray, np.ndarray, np.ndarray], list | None] | None:
    """For FLOAT, DOUBLE, INT32, INT64 and BOOL features: a decoder of values that lie in one buffer, value i
    being ``lengths[i]`` bytes from ``starts[i]`` of ``buffer`` (the bytes as a uint8 array). It gathers them
    with numpy, without a bytes object per value, and returns None unless every value is in its writer's form
    (not null, the type's own field, a whole varint): then column_decoder reads them one by one and gives the
    same values. None for the other types."""
    value_type = feast_type.value_type
    if value_type in _GATHER_FIXED:
        tag, dtype = _GATHER_FIXED[value_type]
        size = dtype.itemsize + 1
        offsets = np.arange(size)

        def gather_fixed(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> list | None:
            if not len(starts):
                return []
            if int(lengths.min()) != size or int(lengths.max()) != size:
                return None
            rows = buffer[starts[:, None] + offsets]
            if not (rows[:, 0] == tag).all():
                return None
            return np.ascontiguousarray(rows[:, 1:]).view(dtype).ravel().tolist()

        return gather_fixed
    if value_type not in _GATHER_VARINT:
        return None
    tag = _GATHER_VARINT[value_type]
    as_bool = value_type is ValueType.BOOL

    def gather_varint(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> list | None:
        if not len(starts):
            return []
        shortest, longest = int(lengths.min()), int(lengths.max())
        if shortest < 2 or longest > 11 or not (buffer[starts] == tag).all():  # the tag, then 1 to 10 varint bytes
            return None
        if longest == 2:  # numbers 0 to 127: one byte
            raw = buffer[starts + 1]
            if int(raw.max()) >= 0x80:
                return None
            return (raw != 0).tolist() if as_bool else raw.tolist()
        columns = np.arange(longest - 1)
        index = np.minimum(starts[:, None] + 1 + columns, len(buffer) - 1)
        raw = np.where(columns < (lengths - 1)[:, None], buffer[index], 0)
        # every byte of a varint but its last has the high bit set; a tenth byte holds only bit 63
        if not (((raw & 0x80) != 0) == (columns < (lengths - 2)[:, None])).all():
            return None
        if longest == 11 and int(raw[:, 9].max()) > 1:
            return None
        parts = (raw & 0x7F).astype(np.uint64) << (7 * columns).astype(np.uint64)
        values = np.bitwise_or.reduce(parts, axis=1).view(np.int64)
        return (values != 0).tolist() if as_bool else values.tolist()

    return gather_varint


# What the SQLite store puts between values it reads back to back: U+10FFFF, a noncharacter (so text does not hold
# it), four bytes that no prefix of them ends (so one cannot start inside a value and end in the next separator).
VALUE_SEPARATOR = "\U0010ffff".encode("utf-8")
# The fast forms (tag byte, payload struct code, value length) of fixed-size types, decoded for all keys at once
_FIXED_FORMS = {t: (_scalar_tag(t), code, size)
                for t, code, size in ((ValueType.FLOAT, "f", 5), (ValueType.DOUBLE, "d", 9), (ValueType.BOOL, "?", 2))}
_VARINT_TAGS = {t: _scalar_tag(t) for t in (ValueType.INT64, ValueType.INT32)}
_STRUCTS = 64  # payload structs kept per reader, by form and number of keys (emptied when full)


class PackedValues:
    """Decodes the values of some features of a view read back to back: for each of some keys, every feature of
    the view in name order (``width`` of them), the values separated by VALUE_SEPARATOR. ``positions`` are the
    wanted features' places in that order, ``decoders`` their ``column_decoder``.

    One split (in C) gives each value's bytes; a value that happens to hold the separator (bytes and lists
    can) splits in two, so the count no longer adds up and the read is declined. Each wanted feature's values
    are then decoded together: numbers and bools in their writers' form by one ``struct`` call over their joined
    bytes, anything else (a null, another form or type, strings, lists) by its ``column_decoder``, which gives
    the same values."""

    def __init__(self, width: int, positions: Sequence[int], feast_types: Sequence[FeastType],
                 decoders: Sequence[Callable]) -> None:
        self.width, self.positions, self.decoders = width, list(positions), list(decoders)
        self.fixed = [_FIXED_FORMS.get(t.value_type) if not isinstance(t, Array) else None for t in feast_types]
        self.varint_tags = [_VARINT_TAGS.get(t.value_type) if not isinstance(t, Array) else None for t in feast_types]
        self._structs: dict[tuple, tuple] = {}

    def _payloads(self, form: tuple, keys: int) -> tuple:
        """(the tag repeated keys times, the struct that reads keys values of this form, skipping their tags)."""
        found = self._structs.get((form, keys))
        if found is None:
            if len(self._structs) >= _STRUCTS:
                self._structs.clear()
            tag, code, _ = form
            found = self._structs[(form, keys)] = (bytes([tag]) * keys, struct.Struct("<" + ("x" + code) * keys).unpack)
        return found

    def unpack(self, data: bytes | None, times_text: str | None, keys: int
               ) -> tuple[list[list], list[list], list[bool], list[int]] | None:
        """The wanted features' values and event times (microseconds), for each whether every value is present
        (not null), and each one's oldest event time; from the values (separated) and their event times (integer
        seconds, comma-separated text). None when these are not keys x width values, or an event time is not an
        integer (text, as older writers left, or real): the caller then reads the rows another way."""
        width = self.width
        size = keys * width
        if data is None or times_text is None:
            return None
        blobs = data.split(VALUE_SEPARATOR)
        if len(blobs) != size:
            return None
        if "." in times_text or "e" in times_text:  # an event time that is a real number
            return None
        try:  # integers parsed in C, as JSON
            seconds = orjson.loads("[" + times_text + "]")
        except orjson.JSONDecodeError:  # an event time written as text
            return None
        if len(seconds) != size:
            return None
        values, stamps, complete, oldest = [], [], [], []
        known_times = known_micros = known_oldest = None
        for at in self.positions:
            column = blobs[at::width]
            decoded = None
            form = self.fixed[at]
            if form is not None:
                joined = b"".join(column)
                if len(joined) == form[2] * keys:
                    tags, read = self._payloads(form, keys)
                    if joined[::form[2]] == tags:
                        decoded = list(read(joined))
            elif self.varint_tags[at] is not None:
                joined = b"".join(column)
                # one-byte varints (0 to 127) as their bytes, when every value is that
                if len(joined) == 2 * keys and joined[::2] == bytes([self.varint_tags[at]]) * keys:
                    payload = joined[1::2]
                    if max(payload) < 0x80:
                        decoded = list(payload)
            if decoded is None:
                decoded = self.decoders[at](column)
                complete.append(None not in decoded)
            else:
                complete.append(True)
            values.append(decoded)
            times = seconds[at::width]
            if times != known_times:  # a key's values usually share one event time
                known_times = times
                known_micros = [t * 1_000_000 for t in times]
                known_oldest = min(known_micros)
            stamps.append(list(known_micros))
            oldest.append(known_oldest)
        return values, stamps, complete, oldest


# ---------------------------------------------------------------------------------------------
# Arrow columns -> Value bytes (writes)


def _combined(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    return column


def _binary_from_rows(rows: np.ndarray, lengths: np.ndarray) -> pa.Array:
    """A binary array whose value i is the first lengths[i] bytes of rows[i] (a 2-D uint8 array)."""
    mask = np.arange(rows.shape[1]) < lengths[:, None]
    data = rows[mask]
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(lengths), [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data))]
    ).cast(pa.binary())


def _varint_rows(tag: bytes, values: np.ndarray, valid: np.ndarray | None) -> pa.Array:
    """tag + varint(value) per row (values int64; negative ones take ten bytes); empty where not valid."""
    u = values.astype(np.int64, copy=False).view(np.uint64)
    n = len(u)
    t = len(tag)
    rows = np.empty((n, t + 10), dtype=np.uint8)
    rows[:, :t] = np.frombuffer(tag, dtype=np.uint8)
    count = np.ones(n, dtype=np.int64)
    for i in range(10):
        rows[:, t + i] = ((u >> np.uint64(7 * i)) & np.uint64(0x7F)).astype(np.uint8)
        if i:
            count += (u >> np.uint64(7 * i)) != 0
    more = np.arange(10) < (count - 1)[:, None]
    rows[:, t:] |= np.where(more, np.uint8(0x80), np.uint8(0))
    lengths = t + count
    if valid is not None:
        lengths = np.where(valid, lengths, 0)
    return _binary_from_rows(rows, lengths)


def _fixed_rows(tag: bytes, values: np.ndarray, valid: np.ndarray | None) -> pa.Array:
    """tag + the little-endian bytes of each value (float32, float64 or uint8); empty where not valid."""
    width = values.dtype.itemsize
    rows = np.empty((len(values), len(tag) + width), dtype=np.uint8)
    rows[:, :len(tag)] = np.frombuffer(tag, dtype=np.uint8)
    rows[:, len(tag):] = np.ascontiguousarray(values.astype(values.dtype.newbyteorder("<"))).view(np.uint8).reshape(-1, width)
    lengths = np.full(len(values), rows.shape[1], dtype=np.int64)
    if valid is not None:
        lengths = np.where(valid, lengths, 0)
    return _binary_from_rows(rows, lengths)


def _validity(column: pa.Array) -> np.ndarray | None:
    if column.null_count == 0:
        return None
    return np.asarray(column.is_valid())


def _wrong_type(what: str, feast_type: FeastType, column: pa.Array, detail: str = "") -> EntityDataError:
    return EntityDataError(
        f"{what} holds {column.type} values, which cannot be stored as {feast_type}{': ' + detail if detail else ''}"
    )


def accepts_arrow(feast_type: FeastType, arrow_type: pa.DataType) -> bool:
    """Whether a column of ``arrow_type`` may be stored as ``feast_type`` (no string-to-number parsing)."""
    if pa.types.is_null(arrow_type):
        return True
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if isinstance(feast_type, Array):
        if not (pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type)):
            return False
        return accepts_arrow(feast_type.base_type, arrow_type.value_type)
    if feast_type in (types.Int32, types.Int64):
        # floats are allowed because pandas turns an int column with a missing value into float64;
        # the safe cast still refuses 1.5
        return pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type)
    if feast_type in (types.Float32, types.Float64):
        return pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type)
    if feast_type is types.String:
        return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
    if feast_type is types.Bytes:
        return pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type)
    if feast_type is types.Bool:
        return pa.types.is_boolean(arrow_type)
    if feast_type is types.UnixTimestamp:
        return pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type)
    return False


def _epoch_seconds(column: pa.Array) -> np.ndarray:
    """Whole seconds since the epoch (floored) of a timestamp (any unit; naive = UTC) or date column; nulls as 0."""
    if pa.types.is_date(column.type) or pa.types.is_null(column.type):
        column = pc.cast(column, pa.timestamp("s", tz="UTC"))
    unit = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[column.type.unit]
    ticks = np.asarray(pc.cast(column, pa.int64()).fill_null(0))
    return ticks // unit if unit > 1 else ticks


def encode_column(feast_type: FeastType, column: pa.Array | pa.ChunkedArray, what: str) -> pa.Array:
    """A column of values as a binary array of serialized Values (nulls as empty values).

    ``what`` names the column in errors (``feature view 'x': column 'y'``)."""
    column = _combined(column)
    if not accepts_arrow(feast_type, column.type):
        raise _wrong_type(what, feast_type, column)
    n = len(column)
    if pa.types.is_null(column.type):
        return pa.array([encode_value(feast_type, None)] * n, pa.binary())
    value_type = feast_type.value_type
    tag = value_tag(feast_type)
    try:
        if value_type in (ValueType.INT32, ValueType.INT64):
            target = pa.int32() if value_type is ValueType.INT32 else pa.int64()
            ints = pc.cast(column, target)  # safe: refuses 1.5 and values out of range
            return _varint_rows(tag, np.asarray(ints.fill_null(0)).astype(np.int64), _validity(ints))
        if value_type in (ValueType.FLOAT, ValueType.DOUBLE):
            target = pa.float32() if value_type is ValueType.FLOAT else pa.float64()
            floats = pc.cast(column, target, safe=False)
            values = np.asarray(floats.fill_null(0))
            valid = ~np.isnan(values)
            if floats.null_count:
                valid &= np.asarray(floats.is_valid())
            return _fixed_rows(tag, values, None if valid.all() else valid)
        if value_type is ValueType.BOOL:
            return _fixed_rows(tag, np.asarray(column.fill_null(False)).astype(np.uint8), _validity(column))
        if value_type is ValueType.UNIX_TIMESTAMP:
            seconds = _epoch_seconds(column)
            if column.null_count:
                seconds = np.where(np.asarray(column.is_valid()), seconds, INT64_MIN)
            return _varint_rows(tag, seconds, None)
        if value_type in (ValueType.STRING, ValueType.BYTES):
            data = column.cast(pa.binary()) if value_type is ValueType.STRING else column.cast(pa.binary())
            lengths = np.asarray(pc.binary_length(data).fill_null(0)).astype(np.int64)
            headers = _varint_rows(tag, lengths, None)
            joined = pc.binary_join_element_wise(headers, data, b"")
            return joined.fill_null(b"") if data.null_count else joined
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
        raise _wrong_type(what, feast_type, column, str(error).splitlines()[0]) from None
    # lists: one Python value at a time (exact, and lists are rarely the bulk of a table)
    values = column.to_pylist()
    try:
        return pa.array([encode_value(feast_type, v) for v in values], pa.binary())
    except (TypeError, OverflowError, struct.error, AttributeError) as error:
        raise _wrong_type(what, feast_type, column, str(error)) from None


def text_column(feast_type: FeastType, column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The ``value_text`` column Feast writes beside each value: ``str()`` of strings, integers, floats
    (float32 values widened to double first) and bools, null for everything else and for nulls/NaN."""
    column = _combined(column)
    if pa.types.is_null(column.type):
        return pa.nulls(len(column), pa.string())
    value_type = feast_type.value_type
    if value_type is ValueType.STRING:
        return column.cast(pa.string())
    if value_type in (ValueType.INT32, ValueType.INT64):
        return pc.cast(column, pa.int64()).cast(pa.string())
    if value_type is ValueType.BOOL:
        return pc.if_else(column, "True", "False")
    if value_type in (ValueType.FLOAT, ValueType.DOUBLE):
        return pa.array(_float_texts(value_type, column), pa.string())
    return pa.nulls(len(column), pa.string())


def text_values(feast_type: FeastType, column: pa.Array | pa.ChunkedArray) -> list:
    """``text_column`` as Python values (what SQLite binds)."""
    if feast_type.value_type in (ValueType.FLOAT, ValueType.DOUBLE):
        column = _combined(column)
        if not pa.types.is_null(column.type):
            return _float_texts(feast_type.value_type, column)
    return text_column(feast_type, column).to_pylist()


def _float_texts(value_type: ValueType, column: pa.Array) -> list:
    """Python's repr of each float, None for nulls and NaN.

    Arrow formats floats with the same shortest round-trip digits but in other notation ("100" for 100.0,
    "0.00001" for 1e-05, "1e+15" for 1e15). Where Python writes plain decimals (0 and 1e-4 <= |x| < 1e16) and
    Arrow did too, Arrow's text is Python's, with ".0" added to whole numbers; every other value is formatted
    by repr itself."""
    target = pa.float32() if value_type is ValueType.FLOAT else pa.float64()
    values = np.asarray(pc.cast(column, target, safe=False).fill_null(np.nan)).astype(np.float64)
    text = pa.array(values, pa.float64()).cast(pa.string())
    magnitude = np.abs(values)
    plain = ((magnitude >= 1e-4) & (magnitude < 1e16)) | (values == 0)
    plain &= ~np.asarray(pc.match_substring(text, "e"))
    whole = plain & ~np.asarray(pc.match_substring(text, "."))
    if whole.any():
        text = pc.if_else(pa.array(whole), pc.binary_join_element_wise(text, ".0", ""), text)
    texts = text.to_pylist()
    for i in np.flatnonzero(~plain).tolist():
        value = float(values[i])
        texts[i] = None if value != value else repr(value)
    return texts


# ---------------------------------------------------------------------------------------------
# entity keys


_KEY_TYPES = {
    types.String: (ValueType.STRING, None), types.Bytes: (ValueType.BYTES, None),
    types.Int32: (ValueType.INT32, struct.Struct("<i")), types.Int64: (ValueType.INT64, struct.Struct("<q")),
    types.UnixTimestamp: (ValueType.UNIX_TIMESTAMP, struct.Struct("<q")),
}
_U32 = struct.Struct("<I")
_HEADER = struct.Struct("<II")


def check_key_type(view: str, join_key: str, feast_type: FeastType) -> None:
    if feast_type not in _KEY_TYPES:
        raise EntityDataError(
            f"feature view {view!r}: join key {join_key!r} is {feast_type}; Feast's online entity keys hold "
            "String, Bytes, Int32, Int64 or UnixTimestamp values"
        )


class EntityKeySerializer:
    """Serializes one view's entity keys as Feast does (``serialize_entity_key``), for lookups and writes."""

    def __init__(self, view: str, join_keys: list[str], key_types: list[FeastType], version: int = 3) -> None:
        if version not in SERIALIZATION_VERSIONS:
            raise EntityDataError(f"entity_key_serialization_version {version} is not supported; use 3 (or 2)")
        self.view = view
        self.version = version
        self.dummy = not join_keys
        if self.dummy:
            join_keys, key_types = [DUMMY_JOIN_KEY], [types.String]
        for name, feast_type in zip(join_keys, key_types):
            check_key_type(view, name, feast_type)
        self.join_keys = list(join_keys)
        self.key_types = list(key_types)
        # Feast sorts join keys by name; values follow their keys
        self.order = sorted(range(len(join_keys)), key=lambda i: join_keys[i])
        prefix = [_U32.pack(len(join_keys))] if version >= 3 else []
        for i in self.order:
            name = join_keys[i].encode("utf-8")
            prefix.append(_U32.pack(int(ValueType.STRING)))
            if version >= 3:
                prefix.append(_U32.pack(len(name)))
            prefix.append(name)
        self.prefix = b"".join(prefix)
        self._fixed_single = None
        if len(join_keys) == 1 and _KEY_TYPES[key_types[0]][1] is not None:
            value_type, packer = _KEY_TYPES[key_types[0]]
            self._fixed_single = (self.prefix + _HEADER.pack(int(value_type), packer.size), packer.pack)

    # -- one key at a time (lookups) ---------------------------------------------------------------

    def _error(self, i: int, value, detail: str = "") -> EntityDataError:
        name, feast_type = self.join_keys[i], self.key_types[i]
        return EntityDataError(
            f"feature view {self.view!r}: join key {name!r} is {feast_type}; the value {value!r} does not fit"
            f"{' (' + detail + ')' if detail else ''}"
        )

    def _value_bytes(self, i: int, value) -> bytes:
        feast_type = self.key_types[i]
        value_type, packer = _KEY_TYPES[feast_type]
        try:
            if feast_type is types.UnixTimestamp:
                data = packer.pack(_seconds(value))
            elif packer is not None:
                if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                    raise TypeError(f"expected an integer, got {type(value).__name__}")
                data = packer.pack(int(value))
            elif feast_type is types.String:
                data = value.encode("utf-8")
            else:
                data = bytes(value)
        except (struct.error, OverflowError) as error:
            raise self._error(i, value, f"out of range: {error}") from None
        except (TypeError, AttributeError, ValueError) as error:
            raise self._error(i, value, str(error)) from None
        return _HEADER.pack(int(value_type), len(data)) + data

    def serialize(self, key: tuple) -> bytes:
        """One key (values in join_keys order) as bytes."""
        if self.dummy:
            key = (DUMMY_KEY_VALUE,)
        return self.prefix + b"".join(self._value_bytes(i, key[i]) for i in self.order)

    def serialize_many(self, keys: Sequence[tuple]) -> list[bytes]:
        fixed = self._fixed_single
        if fixed is not None and self.key_types[0] is not types.UnixTimestamp:
            head, pack = fixed
            try:
                return list(map(head.__add__, starmap(pack, keys)))
            except (struct.error, TypeError):
                pass  # find and name the value at fault below
        if self.dummy:
            one = self.serialize(())
            return [one] * len(keys)
        return [self.serialize(k) for k in keys]

    def sqlite_blobs(self, keys: Sequence[tuple]) -> list[bytearray]:
        """``serialize_many`` as bytearrays: Python's sqlite3 module binds a bytearray as a blob directly, while for
        bytes it first looks for an adapter (raising and clearing an AttributeError per value), which costs more
        than the rest of the binding."""
        fixed = self._fixed_single
        if fixed is not None and self.key_types[0] is not types.UnixTimestamp:
            head, pack = fixed
            try:
                return list(map(bytearray(head).__add__, starmap(pack, keys)))
            except (struct.error, TypeError):
                pass  # serialize_many finds and names the value at fault
        return list(map(bytearray, self.serialize_many(keys)))

    # -- whole columns (writes) -------------------------------------------------------------------

    def serialize_columns(self, columns: list[pa.Array | pa.ChunkedArray], n: int) -> pa.Array:
        """The keys of n rows (columns in join_keys order, no nulls) as a binary array."""
        if self.dummy:
            return pa.array([self.serialize(())] * n, pa.binary())
        parts: list = [pa.scalar(self.prefix, pa.binary())]
        for i in self.order:
            column = _combined(columns[i])
            feast_type = self.key_types[i]
            value_type, packer = _KEY_TYPES[feast_type]
            what = f"feature view {self.view!r}: join key column {self.join_keys[i]!r}"
            if not accepts_arrow(feast_type, column.type) or pa.types.is_null(column.type):
                raise _wrong_type(what, feast_type, column)
            try:
                if feast_type is types.UnixTimestamp:
                    values = _epoch_seconds(column).astype("<i8")
                elif packer is not None:
                    values = np.asarray(pc.cast(column, pa.int32() if value_type is ValueType.INT32 else pa.int64()))
                    values = values.astype("<i4" if value_type is ValueType.INT32 else "<i8")
                else:
                    values = None
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
                raise _wrong_type(what, feast_type, column, str(error).splitlines()[0]) from None
            if values is not None:
                parts.append(pa.scalar(_HEADER.pack(int(value_type), values.dtype.itemsize), pa.binary()))
                width = values.dtype.itemsize
                parts.append(pa.FixedSizeBinaryArray.from_buffers(
                    pa.binary(width), n, [None, pa.py_buffer(np.ascontiguousarray(values))]).cast(pa.binary()))
            else:
                data = column.cast(pa.binary())
                lengths = np.asarray(pc.binary_length(data)).astype("<u4")
                parts.append(pa.scalar(_U32.pack(int(value_type)), pa.binary()))
                parts.append(pa.FixedSizeBinaryArray.from_buffers(
                    pa.binary(4), n, [None, pa.py_buffer(np.ascontiguousarray(lengths))]).cast(pa.binary()))
                parts.append(data)
        return pc.binary_join_element_wise(*parts, b"")
