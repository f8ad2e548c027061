import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from feast_core.protos.feast.core import DataSource_pb2 as _DataSource_pb2
from feast_core.protos.feast.core import Entity_pb2 as _Entity_pb2
from feast_core.protos.feast.core import FeatureService_pb2 as _FeatureService_pb2
from feast_core.protos.feast.core import FeatureTable_pb2 as _FeatureTable_pb2
from feast_core.protos.feast.core import FeatureView_pb2 as _FeatureView_pb2
from feast_core.protos.feast.core import FeatureViewVersion_pb2 as _FeatureViewVersion_pb2
from feast_core.protos.feast.core import InfraObject_pb2 as _InfraObject_pb2
from feast_core.protos.feast.core import LabelView_pb2 as _LabelView_pb2
from feast_core.protos.feast.core import OnDemandFeatureView_pb2 as _OnDemandFeatureView_pb2
from feast_core.protos.feast.core import Permission_pb2 as _Permission_pb2
from feast_core.protos.feast.core import Project_pb2 as _Project_pb2
from feast_core.protos.feast.core import SavedDataset_pb2 as _SavedDataset_pb2
from feast_core.protos.feast.core import StreamFeatureView_pb2 as _StreamFeatureView_pb2
from feast_core.protos.feast.core import ValidationProfile_pb2 as _ValidationProfile_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Registry(_message.Message):
    __slots__ = ("entities", "feature_tables", "registry_schema_version", "version_id", "last_updated", "feature_views", "feature_services", "on_demand_feature_views", "infra", "saved_datasets", "data_sources", "validation_references", "stream_feature_views", "project_metadata", "permissions", "projects", "feature_view_version_history", "label_views")
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    FEATURE_TABLES_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEWS_FIELD_NUMBER: _ClassVar[int]
    FEATURE_SERVICES_FIELD_NUMBER: _ClassVar[int]
    ON_DEMAND_FEATURE_VIEWS_FIELD_NUMBER: _ClassVar[int]
    INFRA_FIELD_NUMBER: _ClassVar[int]
    SAVED_DATASETS_FIELD_NUMBER: _ClassVar[int]
    DATA_SOURCES_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_REFERENCES_FIELD_NUMBER: _ClassVar[int]
    STREAM_FEATURE_VIEWS_FIELD_NUMBER: _ClassVar[int]
    PROJECT_METADATA_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_FIELD_NUMBER: _ClassVar[int]
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_VERSION_HISTORY_FIELD_NUMBER: _ClassVar[int]
    LABEL_VIEWS_FIELD_NUMBER: _ClassVar[int]
    entities: _containers.RepeatedCompositeFieldContainer[_Entity_pb2.Entity]
    feature_tables: _containers.RepeatedCompositeFieldContainer[_FeatureTable_pb2.FeatureTable]
    registry_schema_version: str
    version_id: str
    last_updated: _timestamp_pb2.Timestamp
    feature_views: _containers.RepeatedCompositeFieldContainer[_FeatureView_pb2.FeatureView]
    feature_services: _containers.RepeatedCompositeFieldContainer[_FeatureService_pb2.FeatureService]
    on_demand_feature_views: _containers.RepeatedCompositeFieldContainer[_OnDemandFeatureView_pb2.OnDemandFeatureView]
    infra: _InfraObject_pb2.Infra
    saved_datasets: _containers.RepeatedCompositeFieldContainer[_SavedDataset_pb2.SavedDataset]
    data_sources: _containers.RepeatedCompositeFieldContainer[_DataSource_pb2.DataSource]
    validation_references: _containers.RepeatedCompositeFieldContainer[_ValidationProfile_pb2.ValidationReference]
    stream_feature_views: _containers.RepeatedCompositeFieldContainer[_StreamFeatureView_pb2.StreamFeatureView]
    project_metadata: _containers.RepeatedCompositeFieldContainer[ProjectMetadata]
    permissions: _containers.RepeatedCompositeFieldContainer[_Permission_pb2.Permission]
    projects: _containers.RepeatedCompositeFieldContainer[_Project_pb2.Project]
    feature_view_version_history: _FeatureViewVersion_pb2.FeatureViewVersionHistory
    label_views: _containers.RepeatedCompositeFieldContainer[_LabelView_pb2.LabelView]
    def __init__(self, entities: _Optional[_Iterable[_Union[_Entity_pb2.Entity, _Mapping]]] = ..., feature_tables: _Optional[_Iterable[_Union[_FeatureTable_pb2.FeatureTable, _Mapping]]] = ..., registry_schema_version: _Optional[str] = ..., version_id: _Optional[str] = ..., last_updated: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., feature_views: _Optional[_Iterable[_Union[_FeatureView_pb2.FeatureView, _Mapping]]] = ..., feature_services: _Optional[_Iterable[_Union[_FeatureService_pb2.FeatureService, _Mapping]]] = ..., on_demand_feature_views: _Optional[_Iterable[_Union[_OnDemandFeatureView_pb2.OnDemandFeatureView, _Mapping]]] = ..., infra: _Optional[_Union[_InfraObject_pb2.Infra, _Mapping]] = ..., saved_datasets: _Optional[_Iterable[_Union[_SavedDataset_pb2.SavedDataset, _Mapping]]] = ..., data_sources: _Optional[_Iterable[_Union[_DataSource_pb2.DataSource, _Mapping]]] = ..., validation_references: _Optional[_Iterable[_Union[_ValidationProfile_pb2.ValidationReference, _Mapping]]] = ..., stream_feature_views: _Optional[_Iterable[_Union[_StreamFeatureView_pb2.StreamFeatureView, _Mapping]]] = ..., project_metadata: _Optional[_Iterable[_Union[ProjectMetadata, _Mapping]]] = ..., permissions: _Optional[_Iterable[_Union[_Permission_pb2.Permission, _Mapping]]] = ..., projects: _Optional[_Iterable[_Union[_Project_pb2.Project, _Mapping]]] = ..., feature_view_version_history: _Optional[_Union[_FeatureViewVersion_pb2.FeatureViewVersionHistory, _Mapping]] = ..., label_views: _Optional[_Iterable[_Union[_LabelView_pb2.LabelView, _Mapping]]] = ...) -> None: ...

class ProjectMetadata(_message.Message):
    __slots__ = ("project", "project_uuid")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    project: str
    project_uuid: str
    def __init__(self, project: _Optional[str] = ..., project_uuid: _Optional[str] = ...) -> None: ...
