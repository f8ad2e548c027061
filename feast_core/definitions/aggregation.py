"""Aggregations a view declares over a column (Feast's ``feast.aggregation.Aggregation``)."""

from __future__ import annotations

from datetime import timedelta

FUNCTIONS = ("sum", "max", "min", "count", "mean", "count_distinct")


class Aggregation:
    """``function`` of ``column`` over the last ``time_window``, recomputed every ``slide_interval``
    (default: the window itself). The output feature is ``name``, or ``{function}_{column}``."""

    def __init__(
        self,
        column: str | None = "",
        function: str | None = "",
        time_window: timedelta | None = None,
        slide_interval: timedelta | None = None,
        name: str | None = None,
    ) -> None:
        for label, value in (("column", column), ("function", function), ("name", name)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"Aggregation {label} must be a string, not {type(value).__name__}")
        for label, value in (("time_window", time_window), ("slide_interval", slide_interval)):
            if value is not None and not isinstance(value, timedelta):
                raise TypeError(f"Aggregation {label} must be a timedelta, not {type(value).__name__}")
        self.column = column or ""
        self.function = function or ""
        self.time_window = time_window
        self.slide_interval = slide_interval or time_window
        self.name = name or ""

    def resolved_name(self, time_window: timedelta | None = None) -> str:
        """The output feature's name: ``name``, else ``{function}_{column}`` (``_{seconds}s`` added for a
        window)."""
        if self.name:
            return self.name
        base = f"{self.function}_{self.column}"
        if time_window is not None and time_window.total_seconds() > 0:
            return f"{base}_{int(time_window.total_seconds())}s"
        return base

    def _state(self) -> tuple:
        return (self.column, self.function, self.time_window, self.slide_interval, self.name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Aggregation) and other._state() == self._state()

    def __hash__(self) -> int:
        return hash(self._state())

    def __repr__(self) -> str:
        return (f"Aggregation(column={self.column!r}, function={self.function!r}, "
                f"time_window={self.time_window!r}, name={self.name!r})")

    def to_proto(self):
        from ..protos.feast.core.Aggregation_pb2 import Aggregation as AggregationProto

        proto = AggregationProto(column=self.column, function=self.function, name=self.name)
        if self.time_window is not None:
            proto.time_window.FromTimedelta(self.time_window)
        if self.slide_interval is not None:
            proto.slide_interval.FromTimedelta(self.slide_interval)
        return proto

    @classmethod
    def from_proto(cls, proto) -> Aggregation:
        return cls(
            column=proto.column,
            function=proto.function,
            time_window=proto.time_window.ToTimedelta() if proto.HasField("time_window") else None,
            slide_interval=proto.slide_interval.ToTimedelta() if proto.HasField("slide_interval") else None,
            name=proto.name or None,
        )


__all__ = ["FUNCTIONS", "Aggregation"]
