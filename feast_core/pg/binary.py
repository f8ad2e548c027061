"""PostgreSQL's binary wire forms that the online store builds and parses itself, without a Python call per item.

* ``array``: a list of ``bytes`` as one binary array parameter (PostgreSQL's array_send layout: dimensions,
  flags, element type, then each element as a length and its bytes), made with one join.
* ``int4s`` / ``int8s`` / ``timestamps_us``: columns that a query packed into one ``bytea`` with
  ``string_agg(int4send(x), '')`` or ``string_agg(timestamptz_send(t), '')``, as numpy arrays.
"""

from __future__ import annotations

import struct

import numpy as np

BYTEA_OID, TEXT_OID, BYTEA_ARRAY_OID, TEXT_ARRAY_OID = 17, 25, 1001, 1009
_ARRAY_HEADER = struct.Struct(">iiIii")  # ndim, has-nulls flag, element oid, length, lower bound
_LENGTH = struct.Struct(">i")
# timestamptz_send counts microseconds from 2000-01-01 UTC; -infinity and infinity are the int64 extremes
Y2K_US = 946_684_800_000_000
NEGATIVE_INFINITY, POSITIVE_INFINITY = -(2**63), 2**63 - 1


def array(items: list[bytes], element_oid: int) -> bytes:
    """A one-dimensional array without nulls in PostgreSQL's binary form, each item already in its element
    type's binary form (``bytea``: the bytes; ``text``: the text in the client encoding)."""
    parts = [_ARRAY_HEADER.pack(1, 0, element_oid, len(items), 1)]
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
    return b"".join(parts)


def int4s(data: bytes | None) -> np.ndarray:
    return np.frombuffer(data or b"", dtype=">i4").astype(np.int64)


def timestamps_us(data: bytes | None) -> np.ndarray:
    """``timestamptz_send`` values back to back as int64 microseconds since 1970 (infinities kept as the
    int64 extremes)."""
    raw = np.frombuffer(data or b"", dtype=">i8").astype(np.int64)
    if not len(raw) or (raw.min() != NEGATIVE_INFINITY and raw.max() != POSITIVE_INFINITY):
        return raw + Y2K_US
    return np.where((raw != NEGATIVE_INFINITY) & (raw != POSITIVE_INFINITY), raw + Y2K_US, raw)
