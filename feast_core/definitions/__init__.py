"""What a user declares: plain, validated objects, each with Feast's wire form (``to_proto`` /
``from_proto``, see wire.py for how parts we do not model survive) and a dict form."""

from .batch_feature_view import BatchFeatureView
from .entity import Entity
from .feature_service import FeatureService
from .feature_view import (
    FeatureView,
    FeatureViewProjection,
    FeatureViewState,
    Projection,
    complete_projection,
)
from .field import Field
from .foreign_sources import (
    AthenaSource,
    BigQuerySource,
    KafkaSource,
    KinesisSource,
    RedshiftSource,
    SnowflakeSource,
)
from .on_demand import OnDemandFeatureView, on_demand_feature_view
from .permission import (
    ALL_ACTIONS,
    CRUD,
    READ,
    WRITE,
    AllowAll,
    AuthzedAction,
    CombinedGroupNamespacePolicy,
    GroupBasedPolicy,
    NamespaceBasedPolicy,
    Permission,
    RoleBasedPolicy,
)
from .project import Project
from .saved_dataset import SavedDataset, SavedDatasetFileStorage
from .sources import (
    DataSource,
    FileSource,
    PostgreSQLSource,
    PushSource,
    RequestSource,
    SparkSource,
    UnsupportedSource,
    source_from_dict,
)
from .stream_feature_view import StreamFeatureView, stream_feature_view
from .transformations import PandasTransformation, PythonTransformation, Transformation, TransformationMode

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


# Feast's list of the kinds of objects a permission can name (feast.feast_object.ALL_RESOURCE_TYPES)
ALL_RESOURCE_TYPES: list[type] = [
    Project, Entity, DataSource, FeatureView, BatchFeatureView, StreamFeatureView, OnDemandFeatureView,
    FeatureService, SavedDataset, Permission,
]


def kind_of(obj: object) -> str:
    for kind, cls in KINDS.items():
        if isinstance(obj, cls):
            return kind
    raise TypeError(f"{obj!r} is not a registry object")


def from_dict(kind: str, data: dict):
    if kind == "data_sources":
        return source_from_dict(data)
    return KINDS[kind].from_dict(data)  # type: ignore[attr-defined]


# The classes of the objects in each repeated field of Feast's Registry message that feast_core models
# (validation references, label views and feature tables are not modeled). Stream feature views are feature
# views (KINDS) stored in their own field.
PROTO_KINDS: dict[str, type] = {
    "projects": Project,
    "entities": Entity,
    "data_sources": DataSource,
    "feature_views": FeatureView,
    "stream_feature_views": StreamFeatureView,
    "on_demand_feature_views": OnDemandFeatureView,
    "feature_services": FeatureService,
    "permissions": Permission,
    "saved_datasets": SavedDataset,
}


def stored_kind(obj: object) -> str:
    """The Registry field an object is stored in: its kind, except a stream feature view's own field."""
    if isinstance(obj, StreamFeatureView):
        return "stream_feature_views"
    return "saved_datasets" if isinstance(obj, SavedDataset) else kind_of(obj)


def from_proto(kind: str, message):
    """The object a Registry field's message (``kind`` as in PROTO_KINDS) reads as."""
    return PROTO_KINDS[kind].from_proto(message)  # type: ignore[attr-defined]


__all__ = [
    "AthenaSource", "BatchFeatureView", "BigQuerySource", "KafkaSource", "KinesisSource", "PandasTransformation",
    "PythonTransformation", "RedshiftSource", "SnowflakeSource", "StreamFeatureView", "Transformation",
    "TransformationMode", "stream_feature_view", "ALL_RESOURCE_TYPES",
    "ALL_ACTIONS", "CRUD", "KINDS", "PROTO_KINDS", "READ", "WRITE", "AllowAll", "AuthzedAction",
    "CombinedGroupNamespacePolicy", "DataSource", "Entity", "FeatureService", "FeatureView", "FeatureViewState",
    "Field", "FileSource", "GroupBasedPolicy", "NamespaceBasedPolicy", "OnDemandFeatureView", "Permission",
    "PostgreSQLSource", "Project", "Projection", "FeatureViewProjection", "PushSource", "RequestSource",
    "RoleBasedPolicy", "SavedDataset", "SavedDatasetFileStorage", "SparkSource", "UnsupportedSource",
    "complete_projection", "from_dict", "from_proto", "kind_of", "stored_kind", "on_demand_feature_view",
    "source_from_dict",
]
