"""Feast's ``feast.field`` import path."""

from .definitions import Field

__all__ = ["Field"]
