"""Feast's ``feast.feature_service`` import path."""

from .definitions import FeatureService

__all__ = ["FeatureService"]
