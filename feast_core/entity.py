"""Feast's ``feast.entity`` import path."""

from .definitions import Entity

__all__ = ["Entity"]
