"""Feast's ``feast.data_source`` import path."""

from .definitions import DataSource, FileSource, PostgreSQLSource, PushSource, RequestSource
from .store import PushMode

__all__ = ["DataSource", "FileSource", "PostgreSQLSource", "PushMode", "PushSource", "RequestSource"]
