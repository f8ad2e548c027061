"""Feast's ``feast.infra.offline_stores.file_source`` import path."""

from ...definitions import FileSource
from ...feature_logging import FileLoggingDestination

__all__ = ["FileLoggingDestination", "FileSource"]
