"""The span given when nothing is recorded (kept apart so that tracing off imports no OpenTelemetry)."""

from __future__ import annotations

from collections.abc import Mapping


class NoSpan:
    """What ``telemetry.span`` gives when nothing is recorded: a context manager and a span that ignore all."""

    __slots__ = ()

    def __enter__(self) -> NoSpan:
        return self

    def __exit__(self, *exc) -> bool:
        return False

    def set_attribute(self, key: str, value) -> None:
        pass

    def set_attributes(self, attributes: Mapping) -> None:
        pass

    def is_recording(self) -> bool:
        return False


NO_SPAN = NoSpan()
