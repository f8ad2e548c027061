"""Feature logging configuration, accepted and kept on a FeatureService so Feast repos load unchanged.

feast_core does not log served features; these objects record what the user asked for, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FileLoggingDestination:
    """Where Feast would write logged features as parquet (stored, not used)."""

    path: str
    s3_endpoint_override: str = ""
    partition_by: list[str] | None = None


@dataclass
class LoggingConfig:
    destination: object
    sample_rate: float = 1.0


__all__ = ["FileLoggingDestination", "LoggingConfig"]
