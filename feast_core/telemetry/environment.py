"""What the standard OpenTelemetry environment variables ask of this process (read without importing the SDK)."""

from __future__ import annotations

import os

from ..errors import ConfigError


def _names(variable: str) -> list[str]:
    return [n.strip().lower() for n in os.environ.get(variable, "").split(",") if n.strip()]


def disabled() -> bool:
    return os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"


def exporters(signal: str) -> list[str]:
    """The exporters ``OTEL_<SIGNAL>_EXPORTER`` names (``signal``: traces or metrics), or ``["otlp"]`` when only an
    OTLP endpoint is set. Unlike the SDK's own auto-configuration, nothing is exported unless the environment
    asks for it: an unconfigured process never tries to reach localhost:4318. For metrics, ``prometheus`` is
    the ``/metrics`` endpoint every server has, so it asks for nothing more.
    """
    if disabled():
        return []
    names = _names(f"OTEL_{signal.upper()}_EXPORTER")
    if names:
        return [n for n in names if n not in ("none", "prometheus")]
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(f"OTEL_EXPORTER_OTLP_{signal.upper()}_ENDPOINT"):
        return ["otlp"]
    return []


def otlp_protocol(signal: str) -> str:
    protocol = (os.environ.get(f"OTEL_EXPORTER_OTLP_{signal.upper()}_PROTOCOL")
                or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "http/protobuf").strip().lower()
    if protocol not in ("grpc", "http/protobuf"):
        raise ConfigError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r}: feast_core exports OTLP as 'grpc' or 'http/protobuf'"
        )
    return protocol


KNOWN = {"traces": ("otlp", "console"), "metrics": ("otlp", "console")}


def check() -> None:
    """Refuse, naming the variable, an exporter or protocol feast_core cannot honour (before serving anything)."""
    for signal, known in KNOWN.items():
        names = exporters(signal)
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(
                f"OTEL_{signal.upper()}_EXPORTER names {', '.join(map(repr, unknown))}; feast_core exports {signal} "
                f"with {', '.join(map(repr, known))} or 'none'"
            )
        if "otlp" in names:
            otlp_protocol(signal)
