"""feast_core: a Feast-compatible feature store. ``from feast import X`` becomes ``from feast_core import X``."""

from .definitions import (
    Entity, FeatureService, FeatureView, Field, FileSource, OnDemandFeatureView, Permission, PostgreSQLSource, Project,
    PushSource, RequestSource, on_demand_feature_view,
)
from .config import RepoConfig
from .store import FeatureStore, PushMode, RetrievalJob
from .types import ValueType

BatchFeatureView = FeatureView

__version__ = "0.1.0"

__all__ = [
    "BatchFeatureView", "Entity", "FeatureService", "FeatureStore", "FeatureView", "Field", "FileSource",
    "OnDemandFeatureView", "Permission", "PostgreSQLSource", "Project", "PushMode", "PushSource", "RepoConfig",
    "RequestSource", "RetrievalJob", "ValueType", "on_demand_feature_view",
]
