"""How much one online request may ask for, checked before the work (and, for the body, before parsing it).

``max_entity_rows`` bounds the entity rows of a request and ``max_response_values`` the values of its answer
(rows x columns, the entity key columns included). A body is counted before it is parsed: orjson turns each
JSON value into a Python object of ~40 bytes, so a 60 MB body of 12 million keys would become ~0.5 GB before
anyone could look at its length. Counting is done on the bytes, at C speed, in one copy of the body:

* a JSON text holds at most ``commas + brackets + 1`` values; under the row limit nothing more is done;
* otherwise string contents are blanked (their commas do not count) and the longest entity column (an array
  of scalars inside ``entities``) is measured: longer than ``max_entity_rows`` is a 413 naming its length;
  and the whole body may hold at most ``max_entity_rows x MAX_KEY_COLUMNS`` values (so a body of millions of
  tiny nested arrays is refused too). Parsing memory is bounded by the limits, not by what a client sends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .problems import RequestError

MAX_KEY_COLUMNS = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_INNERMOST_ARRAY = re.compile(rb"\[[^\[\]]*\]")


def _values_bound(text: bytes) -> int:
    return text.count(b",") + text.count(b"[") + text.count(b"{") + 1


@dataclass(frozen=True)
class OnlineLimits:
    max_entity_rows: int = 100_000
    max_response_values: int = 5_000_000

    def __post_init__(self) -> None:
        for name in ("max_entity_rows", "max_response_values"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")

    def too_many_rows(self, rows: int) -> RequestError:
        return RequestError(
            f"the request has {rows} entity rows; this server answers at most {self.max_entity_rows} per request "
            "(feast serve --max-entity-rows)", status=413,
        )

    def check_body(self, body: bytes) -> None:
        """A 413 when the raw body holds more rows (or values) than the limits allow; nothing is parsed."""
        if _values_bound(body) <= self.max_entity_rows:
            return  # the common case: one count over the bytes
        text = _STRING.sub(b'""', body)
        longest = 0
        for match in _INNERMOST_ARRAY.finditer(text):
            start, end = match.span()
            inside_entities = text.count(b"{", 0, start) - text.count(b"}", 0, start) >= 2  # a column, not features
            if inside_entities and text[start + 1:end - 1].strip():
                longest = max(longest, text.count(b",", start, end) + 1)
        if longest > self.max_entity_rows:
            raise self.too_many_rows(longest)
        values = _values_bound(text)
        if values > self.max_entity_rows * MAX_KEY_COLUMNS:
            raise RequestError(
                f"the request holds about {values} JSON values; this server accepts at most "
                f"{self.max_entity_rows * MAX_KEY_COLUMNS} ({MAX_KEY_COLUMNS} per entity row it answers, "
                "feast serve --max-entity-rows)", status=413,
            )

    def check_rows(self, rows: int) -> None:
        if rows > self.max_entity_rows:
            raise self.too_many_rows(rows)

    def check_response(self, rows: int, columns: int) -> None:
        if rows * columns > self.max_response_values:
            raise RequestError(
                f"the response to {rows} entity rows x {columns} columns would hold {rows * columns} values; this "
                f"server answers at most {self.max_response_values} (feast serve --max-response-values)", status=413,
            )
