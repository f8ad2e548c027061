"""Feast's ``feast.feature_view`` import path."""

from .definitions import FeatureView

__all__ = ["FeatureView"]
