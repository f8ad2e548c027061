"""PostgreSQL's binary wire forms that the online store builds and parses itself, without a Python call per item.

* ``ByteaArray``: a list of ``bytes`` as one binary ``bytea[]`` parameter (PostgreSQL's array_send layout:
  dimensions, flags, element type, then each element as a length and its bytes), made with one join;
  psycopg's generic list dumper inspects and dumps element by element.
* ``int4s`` / ``int8s`` / ``timestamps_us``: columns that a query packed into one ``bytea`` with
  ``string_agg(int4send(x), '')`` or ``string_agg(timestamptz_send(t), '')``, as numpy arrays.
"""

from __future__ import annotations

import struct

import numpy as np
from psycopg import adapters
from psycopg.adapt import Dumper
from psycopg.pq import Format

BYTEA_OID, BYTEA_ARRAY_OID = 17, 1001
_ARRAY_HEADER = struct.Struct(">iiIii")  # ndim, has-nulls flag, element oid, length, lower bound
_LENGTH = struct.Struct(">i")
# timestamptz_send counts microseconds from 2000-01-01 UTC; -infinity and infinity are the int64 extremes
_Y2K_US = 946_684_800_000_000
NEGATIVE_INFINITY, POSITIVE_INFINITY = -(2**63), 2**63 - 1


class ByteaArray(bytes):
    """A one-dimensional ``bytea[]`` without nulls in binary form; pass it as a ``%b`` parameter."""

    __slots__ = ()

    @classmethod
    def of(cls, items: list[bytes]) -> ByteaArray:
        parts = [_ARRAY_HEADER.pack(1, 0, BYTEA_OID, len(items), 1)]
        pack = _LENGTH.pack
        sizes = {len(item) for item in items}
        if len(sizes) == 1:  # keys of one fixed-size type: the same length prefix before each
            prefix = pack(sizes.pop())
            parts.append(prefix)
            parts.append(prefix.join(items))
        else:
            for item in items:
                parts.append(pack(len(item)))
                parts.append(item)
        return cls(b"".join(parts))


class _ByteaArrayDumper(Dumper):
    format = Format.BINARY
    oid = BYTEA_ARRAY_OID

    def dump(self, obj: ByteaArray) -> bytes:
        return obj


adapters.register_dumper(ByteaArray, _ByteaArrayDumper)  # only this class: other values dump as before


def int4s(data: bytes | None) -> np.ndarray:
    return np.frombuffer(data or b"", dtype=">i4").astype(np.int64)


def timestamps_us(data: bytes | None) -> np.ndarray:
    """``timestamptz_send`` values back to back as int64 microseconds since 1970 (infinities kept as the
    int64 extremes)."""
    raw = np.frombuffer(data or b"", dtype=">i8").astype(np.int64)
    finite = (raw != NEGATIVE_INFINITY) & (raw != POSITIVE_INFINITY)
    if finite.all():
        return raw + _Y2K_US
    return np.where(finite, raw + _Y2K_US, raw)
