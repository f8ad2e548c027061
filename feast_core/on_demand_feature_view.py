"""Feast's ``feast.on_demand_feature_view`` import path."""

from .definitions import OnDemandFeatureView, on_demand_feature_view

__all__ = ["OnDemandFeatureView", "on_demand_feature_view"]
