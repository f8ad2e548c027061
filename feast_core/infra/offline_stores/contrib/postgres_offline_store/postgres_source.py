"""Feast's ``feast.infra.offline_stores.contrib.postgres_offline_store.postgres_source`` import path."""

from .....definitions import PostgreSQLSource

__all__ = ["PostgreSQLSource"]
