"""Spans as OTLP protobuf bytes (an ``ExportTraceServiceRequest``), written directly in the protobuf wire format.

The recorder (``recorder.py``) keeps finished spans as plain objects; this module turns a batch of them into the
bytes an OTLP exporter sends. Building the generated protobuf messages field by field costs ~70 µs a span here,
more than a whole online request; writing the bytes costs a few µs, most of a span's fields being constant per
name and attribute set (encoded once and kept in bounded memos). Field numbers are those of
opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto; tests decode the output with the generated
classes (opentelemetry-proto) to hold this to them.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping, Sequence

from ..protos.wire import varint

# OTLP SpanKind values (SDK SpanKind.INTERNAL is 0, OTLP's SPAN_KIND_INTERNAL is 1, and so on)
INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER = 1, 2, 3, 4, 5
STATUS_ERROR = 2
FLAGS_HAS_IS_REMOTE, FLAGS_IS_REMOTE = 0x100, 0x200

_pack_double = struct.Struct("<d").pack
_pack_fixed64 = struct.Struct("<Q").pack
_MEMO_LIMIT = 8192  # encoded names and key-value pairs kept (a client port per connection is the varying one)


def _field(key: int, payload: bytes) -> bytes:
    """A length-delimited field (``key``: its tag byte, field number << 3 | 2, for fields below 16)."""
    return bytes((key,)) + varint(len(payload)) + payload


def any_value(value) -> bytes:
    """An ``AnyValue``: string 1, bool 2, int 3, double 4, array 5, bytes 7; anything else as its text."""
    if isinstance(value, str):
        return _field(0x0A, value.encode("utf-8", "replace"))
    if isinstance(value, bool):
        return b"\x10\x01" if value else b"\x10\x00"
    if isinstance(value, int):
        return b"\x18" + varint(value & 0xFFFFFFFFFFFFFFFF)
    if isinstance(value, float):
        return b"\x21" + _pack_double(value)
    if isinstance(value, bytes):
        return _field(0x3A, value)
    if isinstance(value, (list, tuple)):
        return _field(0x2A, b"".join(_field(0x0A, any_value(v)) for v in value))
    return _field(0x0A, str(value).encode("utf-8", "replace"))


_pairs: dict[tuple, bytes] = {}


def key_value(key: str, value) -> bytes:
    """A ``KeyValue`` (key 1, value 2) as a repeated field of tag 0x0A, memoized for hashable values."""
    try:
        memo = (key, value, type(value))
        found = _pairs.get(memo)
    except TypeError:  # a list value
        memo = found = None
    if found is None:
        found = _field(0x0A, _field(0x0A, key.encode("utf-8", "replace")) + _field(0x12, any_value(value)))
        if memo is not None and len(_pairs) < _MEMO_LIMIT:
            _pairs[memo] = found
    return found


def attributes(mapping: Mapping, tag: int) -> bytes:
    """``mapping`` as repeated KeyValue fields of tag ``tag`` (the KeyValue memo is keyed for tag 0x0A)."""
    if tag == 0x0A:
        return b"".join([key_value(k, v) for k, v in mapping.items()])
    head = bytes((tag,))
    return b"".join([head + key_value(k, v)[1:] for k, v in mapping.items()])


_bodies: dict[tuple, bytes] = {}


def body(name: str, kind: int, mapping: Mapping) -> bytes:
    """A span's name (field 5), kind (6) and attributes (9), as they are written in every span of that name, kind
    and attributes (see ``span``'s ``body``)."""
    return _field(0x2A, name.encode("utf-8", "replace")) + bytes((0x30, kind)) + attributes(mapping, 0x4A)


def _body(name: str, kind: int, mapping: Mapping) -> bytes:
    """``body``, encoded once per distinct set (most spans repeat one exactly)."""
    try:  # the values' types belong to the key: True == 1 == 1.0, but they are encoded differently
        memo = (name, kind, *mapping.items(), *map(type, mapping.values()))
        found = _bodies.get(memo)
    except TypeError:  # a list value
        memo = found = None
    if found is None:
        found = body(name, kind, mapping)
        if memo is not None and len(_bodies) < _MEMO_LIMIT:
            _bodies[memo] = found
    return found


_tail = struct.Struct("<BQBQ2sI").pack  # start (field 7) and end (field 8), fixed64 each, and flags (16), fixed32
_FLAG_VALUES = (FLAGS_HAS_IS_REMOTE, FLAGS_HAS_IS_REMOTE | FLAGS_IS_REMOTE)
_SPAN_LENGTHS = [b"\x12" + varint(n) for n in range(4096)]  # a span's tag and length, for the usual sizes


def span(s) -> bytes:
    """One ``Span`` message from a recorded span (see ``recorder.RecordedSpan``: ids as bytes), with its tag and length
    as the ``spans`` field (2) of ScopeSpans. The usual span (no trace state, events or status) takes the first path.

    ``s.body``, when set, is the span's name, kind and constant attributes already encoded (``body``), and
    ``s.attributes`` holds only what was set besides; else name, kind and attributes are encoded here."""
    body_ = s.body
    if body_ is not None:
        if s.attributes:
            body_ += attributes(s.attributes, 0x4A)
    else:
        try:
            attributes_ = s.attributes
            body_ = _bodies[(s.name, s.kind, *attributes_.items(), *map(type, attributes_.values()))]
        except (KeyError, TypeError):
            body_ = _body(s.name, s.kind, s.attributes)
    parent = s.parent_id
    tail = _tail(0x39, s.start, 0x41, s.end, b"\x85\x01", _FLAG_VALUES[s.remote_parent])
    if s.trace_state or s.events or s.status_code:
        tail += _rare(s)
    # trace_id (field 1, 16 bytes), span_id (2, 8 bytes), parent_span_id (4, 8 bytes; none for a root)
    content = b"".join((b"\x0a\x10", s.trace_id, b"\x12\x08", s.span_id, b"\x22\x08" if parent else b"", parent,
                        body_, s.encoded, tail))
    size = len(content)
    return (_SPAN_LENGTHS[size] if size < 4096 else b"\x12" + varint(size)) + content


def leaf(trace_id: bytes, parent_id: bytes, span_id: bytes, body_: bytes, start: int, end: int) -> bytes:
    """A span with a parent and nothing besides ``body_`` (its name, kind and attributes encoded): no trace state,
    events or status."""
    content = b"".join((b"\x0a\x10", trace_id, b"\x12\x08", span_id, b"\x22\x08", parent_id, body_,
                        _tail(0x39, start, 0x41, end, b"\x85\x01", FLAGS_HAS_IS_REMOTE)))
    size = len(content)
    return (_SPAN_LENGTHS[size] if size < 4096 else b"\x12" + varint(size)) + content


def family(ids: bytes, body_: bytes, start: int, end: int, children: Sequence[tuple] | None) -> list:
    """A served request's spans: its leaves and then itself (a root: no parent, trace state, events or status), as one
    bytes entry and an empty one per further span (see ``Recorder.end_http``). ``ids``: its trace id and span id (16
    and 8 bytes); ``body_`` its name, kind and attributes encoded; ``children``: ``(span_id, body, start, end)`` of each
    leaf. A request with one leaf or none is written by one ``struct`` call (a layout per pair of body lengths, made
    once): a join of the parts costs several times as much."""
    trace_id, span_id = ids[:16], ids[16:24]
    if children is not None and len(children) == 1:  # the usual served read: one view
        leaf_id, leaf_body, leaf_start, leaf_end = children[0]
        pack, leaf_head, head = _layouts.get(len(leaf_body) << 32 | len(body_)) or _layout(len(leaf_body), len(body_))
        return [pack(leaf_head, trace_id, b"\x12\x08", leaf_id, b"\x22\x08", span_id, leaf_body, 0x39, leaf_start, 0x41,
                     leaf_end, b"\x85\x01", FLAGS_HAS_IS_REMOTE,
                     head, trace_id, b"\x12\x08", span_id, body_, 0x39, start, 0x41, end, b"\x85\x01",
                     FLAGS_HAS_IS_REMOTE), b""]
    pack, _, head = _layouts.get(len(body_)) or _layout(0, len(body_))
    root = pack(head, trace_id, b"\x12\x08", span_id, body_, 0x39, start, 0x41, end, b"\x85\x01", FLAGS_HAS_IS_REMOTE)
    if not children:
        return [root]
    return [b"".join((*leaves(trace_id, span_id, children), root)), *((b"",) * len(children))]


# per leaf body length << 32 | root body length (leaf 0: none), see _layout: a wrong layout would cut or pad a
# body without a word, so the key keeps the two lengths apart (a span body is far below 4 GiB)
_layouts: dict[int, tuple] = {}


def _layout(leaf_size: int, root_size: int) -> tuple:
    """``(pack, leaf head, root head)``: the ``struct`` packing function of a root span whose body has ``root_size``
    bytes, after a leaf whose body has ``leaf_size`` bytes (unless 0), and the constant bytes each span starts with
    (the tag and length of the span, the tag of its trace id). Each span is written as: head, trace id (16 bytes),
    span id's tag and value, [parent span id's tag and value,] body, start's tag and value, end's tag and value,
    flags' tag and value."""
    def head(size: int, parent: bool) -> bytes:
        length = (38 if parent else 28) + size + 24  # the ids' fields, the body, the times' and flags' fields
        return (_SPAN_LENGTHS[length] if length < 4096 else b"\x12" + varint(length)) + b"\x0a\x10"

    root = head(root_size, False)
    layout = f"{len(root)}s16s2s8s{root_size}sBQBQ2sI"
    leaf = b""
    if leaf_size:
        leaf = head(leaf_size, True)
        layout = f"{len(leaf)}s16s2s8s2s8s{leaf_size}sBQBQ2sI" + layout
    found = (struct.Struct("<" + layout).pack, leaf, root)
    if len(_layouts) < 1024:
        _layouts[leaf_size << 32 | root_size] = found
    return found


def leaves(trace_id: bytes, parent_id: bytes, children: Sequence[tuple]) -> list[bytes]:
    """Leaf spans (``leaf``) of the span ``parent_id``, from ``(span_id, body, start, end)`` each."""
    return [leaf(trace_id, parent_id, *child) for child in children]


def _rare(s) -> bytes:
    """Trace state (field 3), events (11) and status (15)."""
    parts = []
    if s.trace_state:
        parts.append(_field(0x1A, s.trace_state.encode("utf-8", "replace")))
    for when, name, event_attributes in s.events or ():
        event = b"\x09" + _pack_fixed64(when) + _field(0x12, name.encode("utf-8", "replace")) + \
            attributes(event_attributes, 0x1A)
        parts.append(_field(0x5A, event))
    if s.status_code:
        status = (_field(0x12, s.status_message.encode("utf-8", "replace")) if s.status_message else b"") + \
            b"\x18" + varint(s.status_code)
        parts.append(_field(0x7A, status))
    return b"".join(parts)


def resource_prefix(resource_attributes: Mapping, resource_schema_url: str, scope_name: str, scope_version: str):
    """The constant parts of every request: the encoded Resource and InstrumentationScope."""
    resource = _field(0x0A, attributes(resource_attributes, 0x0A))
    scope = _field(0x0A, _field(0x0A, scope_name.encode()) + _field(0x12, scope_version.encode()))
    schema = _field(0x1A, resource_schema_url.encode()) if resource_schema_url else b""
    return resource, scope, schema


def request(spans: Iterable[bytes], prefix: Sequence[bytes]) -> bytes:
    """An ``ExportTraceServiceRequest`` holding ``spans`` (each encoded by ``span``), all of one resource and scope
    (``resource_prefix``)."""
    resource, scope, schema = prefix
    parts = [scope, *spans]  # the spans are copied once, into the request: a batch is ~1 MB
    size = sum(map(len, parts))
    scope_spans_head = b"\x12" + varint(size)
    resource_spans_size = len(resource) + len(scope_spans_head) + size + len(schema)
    parts[0:0] = (b"\x0a", varint(resource_spans_size), resource, scope_spans_head)
    parts.append(schema)
    return b"".join(parts)
