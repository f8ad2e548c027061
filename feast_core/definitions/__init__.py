"""What a user declares: plain, validated objects with a stable dict form for the registry."""

from .entity import Entity
from .feature_service import FeatureService
from .feature_view import FeatureView, Projection
from .field import Field
from .on_demand import OnDemandFeatureView, on_demand_feature_view
from .permission import (
    ALL_ACTIONS,
    CRUD,
    READ,
    WRITE,
    AllowAll,
    AuthzedAction,
    GroupBasedPolicy,
    NamespaceBasedPolicy,
    Permission,
    RoleBasedPolicy,
)
from .project import Project
from .sources import DataSource, FileSource, PostgreSQLSource, PushSource, RequestSource, source_from_dict

# The registry's object kinds, in apply order (a kind may refer only to kinds before it).
KINDS: dict[str, type] = {
    "projects": Project,
    "entities": Entity,
    "data_sources": DataSource,
    "feature_views": FeatureView,
    "on_demand_feature_views": OnDemandFeatureView,
    "feature_services": FeatureService,
    "permissions": Permission,
}


def kind_of(obj: object) -> str:
    for kind, cls in KINDS.items():
        if isinstance(obj, cls):
            return kind
    raise TypeError(f"{obj!r} is not a registry object")


def from_dict(kind: str, data: dict):
    if kind == "data_sources":
        return source_from_dict(data)
    return KINDS[kind].from_dict(data)  # type: ignore[attr-defined]


__all__ = [
    "ALL_ACTIONS", "CRUD", "READ", "WRITE", "AllowAll", "AuthzedAction", "DataSource", "Entity", "FeatureService",
    "FeatureView", "Field", "FileSource", "GroupBasedPolicy", "KINDS", "NamespaceBasedPolicy", "OnDemandFeatureView",
    "Permission", "PostgreSQLSource", "Project", "Projection", "PushSource", "RequestSource", "RoleBasedPolicy",
    "from_dict", "kind_of", "on_demand_feature_view", "source_from_dict",
]
