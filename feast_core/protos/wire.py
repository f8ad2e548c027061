"""Protobuf wire-format primitives for the encoders that write bytes by hand (Feast's entity keys and values in
``online/encoding.py``, OTLP spans in ``telemetry/otlp_spans.py``): one varint writer for both. Nothing here
imports anything of feast_core, so any layer may use it."""

from __future__ import annotations

_U64 = (1 << 64) - 1
_ONE_BYTE = [bytes((n,)) for n in range(0x80)]


def varint(value: int) -> bytes:
    """Protobuf base-128 varint of ``value``; a negative number as its 64-bit two's complement (ten bytes)."""
    if 0 <= value < 0x80:
        return _ONE_BYTE[value]
    value &= _U64
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)
