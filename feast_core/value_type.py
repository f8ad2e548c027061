"""Feast's ``feast.value_type`` import path."""

from .types import ValueType

__all__ = ["ValueType"]
