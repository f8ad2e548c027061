import datetime

from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from feast_core.protos.feast.core import DataSource_pb2 as _DataSource_pb2
from feast_core.protos.feast.core import Entity_pb2 as _Entity_pb2
from feast_core.protos.feast.core import FeatureService_pb2 as _FeatureService_pb2
from feast_core.protos.feast.core import FeatureView_pb2 as _FeatureView_pb2
from feast_core.protos.feast.core import InfraObject_pb2 as _InfraObject_pb2
from feast_core.protos.feast.core import LabelView_pb2 as _LabelView_pb2
from feast_core.protos.feast.core import OnDemandFeatureView_pb2 as _OnDemandFeatureView_pb2
from feast_core.protos.feast.core import Permission_pb2 as _Permission_pb2
from feast_core.protos.feast.core import Project_pb2 as _Project_pb2
from feast_core.protos.feast.core import Registry_pb2 as _Registry_pb2
from feast_core.protos.feast.core import SavedDataset_pb2 as _SavedDataset_pb2
from feast_core.protos.feast.core import StreamFeatureView_pb2 as _StreamFeatureView_pb2
from feast_core.protos.feast.core import ValidationProfile_pb2 as _ValidationProfile_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaginationParams(_message.Message):
    __slots__ = ("page", "limit")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    page: int
    limit: int
    def __init__(self, page: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class SortingParams(_message.Message):
    __slots__ = ("sort_by", "sort_order")
    SORT_BY_FIELD_NUMBER: _ClassVar[int]
    SORT_ORDER_FIELD_NUMBER: _ClassVar[int]
    sort_by: str
    sort_order: str
    def __init__(self, sort_by: _Optional[str] = ..., sort_order: _Optional[str] = ...) -> None: ...

class PaginationMetadata(_message.Message):
    __slots__ = ("page", "limit", "total_count", "total_pages", "has_next", "has_previous")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_PAGES_FIELD_NUMBER: _ClassVar[int]
    HAS_NEXT_FIELD_NUMBER: _ClassVar[int]
    HAS_PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    page: int
    limit: int
    total_count: int
    total_pages: int
    has_next: bool
    has_previous: bool
    def __init__(self, page: _Optional[int] = ..., limit: _Optional[int] = ..., total_count: _Optional[int] = ..., total_pages: _Optional[int] = ..., has_next: _Optional[bool] = ..., has_previous: _Optional[bool] = ...) -> None: ...

class RefreshRequest(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: str
    def __init__(self, project: _Optional[str] = ...) -> None: ...

class UpdateInfraRequest(_message.Message):
    __slots__ = ("infra", "project", "commit")
    INFRA_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    infra: _InfraObject_pb2.Infra
    project: str
    commit: bool
    def __init__(self, infra: _Optional[_Union[_InfraObject_pb2.Infra, _Mapping]] = ..., project: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class GetInfraRequest(_message.Message):
    __slots__ = ("project", "allow_cache")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    project: str
    allow_cache: bool
    def __init__(self, project: _Optional[str] = ..., allow_cache: _Optional[bool] = ...) -> None: ...

class ListProjectMetadataRequest(_message.Message):
    __slots__ = ("project", "allow_cache")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    project: str
    allow_cache: bool
    def __init__(self, project: _Optional[str] = ..., allow_cache: _Optional[bool] = ...) -> None: ...

class ListProjectMetadataResponse(_message.Message):
    __slots__ = ("project_metadata",)
    PROJECT_METADATA_FIELD_NUMBER: _ClassVar[int]
    project_metadata: _containers.RepeatedCompositeFieldContainer[_Registry_pb2.ProjectMetadata]
    def __init__(self, project_metadata: _Optional[_Iterable[_Union[_Registry_pb2.ProjectMetadata, _Mapping]]] = ...) -> None: ...

class ApplyMaterializationRequest(_message.Message):
    __slots__ = ("feature_view", "project", "start_date", "end_date", "commit")
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    feature_view: _FeatureView_pb2.FeatureView
    project: str
    start_date: _timestamp_pb2.Timestamp
    end_date: _timestamp_pb2.Timestamp
    commit: bool
    def __init__(self, feature_view: _Optional[_Union[_FeatureView_pb2.FeatureView, _Mapping]] = ..., project: _Optional[str] = ..., start_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., commit: _Optional[bool] = ...) -> None: ...

class ApplyEntityRequest(_message.Message):
    __slots__ = ("entity", "project", "commit")
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    entity: _Entity_pb2.Entity
    project: str
    commit: bool
    def __init__(self, entity: _Optional[_Union[_Entity_pb2.Entity, _Mapping]] = ..., project: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class GetEntityRequest(_message.Message):
    __slots__ = ("name", "project", "allow_cache")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    allow_cache: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., allow_cache: _Optional[bool] = ...) -> None: ...

class ListEntitiesRequest(_message.Message):
    __slots__ = ("project", "allow_cache", "tags", "pagination", "sorting")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORTING_FIELD_NUMBER: _ClassVar[int]
    project: str
    allow_cache: bool
    tags: _containers.ScalarMap[str, str]
    pagination: PaginationParams
    sorting: SortingParams
    def __init__(self, project: _Optional[str] = ..., allow_cache: _Optional[bool] = ..., tags: _Optional[_Mapping[str, str]] = ..., pagination: _Optional[_Union[PaginationParams, _Mapping]] = ..., sorting: _Optional[_Union[SortingParams, _Mapping]] = ...) -> None: ...

class ListEntitiesResponse(_message.Message):
    __slots__ = ("entities", "pagination")
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    entities: _containers.RepeatedCompositeFieldContainer[_Entity_pb2.Entity]
    pagination: PaginationMetadata
    def __init__(self, entities: _Optional[_Iterable[_Union[_Entity_pb2.Entity, _Mapping]]] = ..., pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ...) -> None: ...

class DeleteEntityRequest(_message.Message):
    __slots__ = ("name", "project", "commit")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    commit: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class ApplyDataSourceRequest(_message.Message):
    __slots__ = ("data_source", "project", "commit")
    DATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    data_source: _DataSource_pb2.DataSource
    project: str
    commit: bool
    def __init__(self, data_source: _Optional[_Union[_DataSource_pb2.DataSource, _Mapping]] = ..., project: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class GetDataSourceRequest(_message.Message):
    __slots__ = ("name", "project", "allow_cache")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    allow_cache: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., allow_cache: _Optional[bool] = ...) -> None: ...

class ListDataSourcesRequest(_message.Message):
    __slots__ = ("project", "allow_cache", "tags", "pagination", "sorting")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORTING_FIELD_NUMBER: _ClassVar[int]
    project: str
    allow_cache: bool
    tags: _containers.ScalarMap[str, str]
    pagination: PaginationParams
    sorting: SortingParams
    def __init__(self, project: _Optional[str] = ..., allow_cache: _Optional[bool] = ..., tags: _Optional[_Mapping[str, str]] = ..., pagination: _Optional[_Union[PaginationParams, _Mapping]] = ..., sorting: _Optional[_Union[SortingParams, _Mapping]] = ...) -> None: ...

class ListDataSourcesResponse(_message.Message):
    __slots__ = ("data_sources", "pagination")
    DATA_SOURCES_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    data_sources: _containers.RepeatedCompositeFieldContainer[_DataSource_pb2.DataSource]
    pagination: PaginationMetadata
    def __init__(self, data_sources: _Optional[_Iterable[_Union[_DataSource_pb2.DataSource, _Mapping]]] = ..., pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ...) -> None: ...

class DeleteDataSourceRequest(_message.Message):
    __slots__ = ("name", "project", "commit")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    commit: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class ApplyFeatureViewRequest(_message.Message):
    __slots__ = ("feature_view", "on_demand_feature_view", "stream_feature_view", "label_view", "project", "commit")
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    ON_DEMAND_FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    STREAM_FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    LABEL_VIEW_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    feature_view: _FeatureView_pb2.FeatureView
    on_demand_feature_view: _OnDemandFeatureView_pb2.OnDemandFeatureView
    stream_feature_view: _StreamFeatureView_pb2.StreamFeatureView
    label_view: _LabelView_pb2.LabelView
    project: str
    commit: bool
    def __init__(self, feature_view: _Optional[_Union[_FeatureView_pb2.FeatureView, _Mapping]] = ..., on_demand_feature_view: _Optional[_Union[_OnDemandFeatureView_pb2.OnDemandFeatureView, _Mapping]] = ..., stream_feature_view: _Optional[_Union[_StreamFeatureView_pb2.StreamFeatureView, _Mapping]] = ..., label_view: _Optional[_Union[_LabelView_pb2.LabelView, _Mapping]] = ..., project: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class GetFeatureViewRequest(_message.Message):
    __slots__ = ("name", "project", "allow_cache")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    allow_cache: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., allow_cache: _Optional[bool] = ...) -> None: ...

class ListFeatureViewsRequest(_message.Message):
    __slots__ = ("project", "allow_cache", "tags", "pagination", "sorting")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORTING_FIELD_NUMBER: _ClassVar[int]
    project: str
    allow_cache: bool
    tags: _containers.ScalarMap[str, str]
    pagination: PaginationParams
    sorting: SortingParams
    def __init__(self, project: _Optional[str] = ..., allow_cache: _Optional[bool] = ..., tags: _Optional[_Mapping[str, str]] = ..., pagination: _Optional[_Union[PaginationParams, _Mapping]] = ..., sorting: _Optional[_Union[SortingParams, _Mapping]] = ...) -> None: ...

class ListFeatureViewsResponse(_message.Message):
    __slots__ = ("feature_views", "pagination")
    FEATURE_VIEWS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    feature_views: _containers.RepeatedCompositeFieldContainer[_FeatureView_pb2.FeatureView]
    pagination: PaginationMetadata
    def __init__(self, feature_views: _Optional[_Iterable[_Union[_FeatureView_pb2.FeatureView, _Mapping]]] = ..., pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ...) -> None: ...

class DeleteFeatureViewRequest(_message.Message):
    __slots__ = ("name", "project", "commit")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    commit: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class AnyFeatureView(_message.Message):
    __slots__ = ("feature_view", "on_demand_feature_view", "stream_feature_view", "label_view")
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    ON_DEMAND_FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    STREAM_FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    LABEL_VIEW_FIELD_NUMBER: _ClassVar[int]
    feature_view: _FeatureView_pb2.FeatureView
    on_demand_feature_view: _OnDemandFeatureView_pb2.OnDemandFeatureView
    stream_feature_view: _StreamFeatureView_pb2.StreamFeatureView
    label_view: _LabelView_pb2.LabelView
    def __init__(self, feature_view: _Optional[_Union[_FeatureView_pb2.FeatureView, _Mapping]] = ..., on_demand_feature_view: _Optional[_Union[_OnDemandFeatureView_pb2.OnDemandFeatureView, _Mapping]] = ..., stream_feature_view: _Optional[_Union[_StreamFeatureView_pb2.StreamFeatureView, _Mapping]] = ..., label_view: _Optional[_Union[_LabelView_pb2.LabelView, _Mapping]] = ...) -> None: ...

class GetAnyFeatureViewRequest(_message.Message):
    __slots__ = ("name", "project", "allow_cache")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    allow_cache: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., allow_cache: _Optional[bool] = ...) -> None: ...

class GetAnyFeatureViewResponse(_message.Message):
    __slots__ = ("any_feature_view",)
    ANY_FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    any_feature_view: AnyFeatureView
    def __init__(self, any_feature_view: _Optional[_Union[AnyFeatureView, _Mapping]] = ...) -> None: ...

class ListAllFeatureViewsRequest(_message.Message):
    __slots__ = ("project", "allow_cache", "tags", "entity", "feature", "feature_service", "data_source", "pagination", "sorting", "updated_since")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    FEATURE_SERVICE_FIELD_NUMBER: _ClassVar[int]
    DATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORTING_FIELD_NUMBER: _ClassVar[int]
    UPDATED_SINCE_FIELD_NUMBER: _ClassVar[int]
    project: str
    allow_cache: bool
    tags: _containers.ScalarMap[str, str]
    entity: str
    feature: str
    feature_service: str
    data_source: str
    pagination: PaginationParams
    sorting: SortingParams
    updated_since: _timestamp_pb2.Timestamp
    def __init__(self, project: _Optional[str] = ..., allow_cache: _Optional[bool] = ..., tags: _Optional[_Mapping[str, str]] = ..., entity: _Optional[str] = ..., feature: _Optional[str] = ..., feature_service: _Optional[str] = ..., data_source: _Optional[str] = ..., pagination: _Optional[_Union[PaginationParams, _Mapping]] = ..., sorting: _Optional[_Union[SortingParams, _Mapping]] = ..., updated_since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAllFeatureViewsResponse(_message.Message):
    __slots__ = ("feature_views", "pagination")
    FEATURE_VIEWS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    feature_views: _containers.RepeatedCompositeFieldContainer[AnyFeatureView]
    pagination: PaginationMetadata
    def __init__(self, feature_views: _Optional[_Iterable[_Union[AnyFeatureView, _Mapping]]] = ..., pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ...) -> None: ...

class GetStreamFeatureViewRequest(_message.Message):
    __slots__ = ("name", "project", "allow_cache")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    allow_cache: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., allow_cache: _Optional[bool] = ...) -> None: ...

class ListStreamFeatureViewsRequest(_message.Message):
    __slots__ = ("project", "allow_cache", "tags", "pagination", "sorting")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORTING_FIELD_NUMBER: _ClassVar[int]
    project: str
    allow_cache: bool
    tags: _containers.ScalarMap[str, str]
    pagination: PaginationParams
    sorting: SortingParams
    def __init__(self, project: _Optional[str] = ..., allow_cache: _Optional[bool] = ..., tags: _Optional[_Mapping[str, str]] = ..., pagination: _Optional[_Union[PaginationParams, _Mapping]] = ..., sorting: _Optional[_Union[SortingParams, _Mapping]] = ...) -> None: ...

class ListStreamFeatureViewsResponse(_message.Message):
    __slots__ = ("stream_feature_views", "pagination")
    STREAM_FEATURE_VIEWS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    stream_feature_views: _containers.RepeatedCompositeFieldContainer[_StreamFeatureView_pb2.StreamFeatureView]
    pagination: PaginationMetadata
    def __init__(self, stream_feature_views: _Optional[_Iterable[_Union[_StreamFeatureView_pb2.StreamFeatureView, _Mapping]]] = ..., pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ...) -> None: ...

class GetOnDemandFeatureViewRequest(_message.Message):
    __slots__ = ("name", "project", "allow_cache")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    allow_cache: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., allow_cache: _Optional[bool] = ...) -> None: ...

class ListOnDemandFeatureViewsRequest(_message.Message):
    __slots__ = ("project", "allow_cache", "tags", "pagination", "sorting")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORTING_FIELD_NUMBER: _ClassVar[int]
    project: str
    allow_cache: bool
    tags: _containers.ScalarMap[str, str]
    pagination: PaginationParams
    sorting: SortingParams
    def __init__(self, project: _Optional[str] = ..., allow_cache: _Optional[bool] = ..., tags: _Optional[_Mapping[str, str]] = ..., pagination: _Optional[_Union[PaginationParams, _Mapping]] = ..., sorting: _Optional[_Union[SortingParams, _Mapping]] = ...) -> None: ...

class ListOnDemandFeatureViewsResponse(_message.Message):
    __slots__ = ("on_demand_feature_views", "pagination")
    ON_DEMAND_FEATURE_VIEWS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    on_demand_feature_views: _containers.RepeatedCompositeFieldContainer[_OnDemandFeatureView_pb2.OnDemandFeatureView]
    pagination: PaginationMetadata
    def __init__(self, on_demand_feature_views: _Optional[_Iterable[_Union[_OnDemandFeatureView_pb2.OnDemandFeatureView, _Mapping]]] = ..., pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ...) -> None: ...

class GetLabelViewRequest(_message.Message):
    __slots__ = ("name", "project", "allow_cache")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    allow_cache: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., allow_cache: _Optional[bool] = ...) -> None: ...

class ListLabelViewsRequest(_message.Message):
    __slots__ = ("project", "allow_cache", "tags", "pagination", "sorting")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORTING_FIELD_NUMBER: _ClassVar[int]
    project: str
    allow_cache: bool
    tags: _containers.ScalarMap[str, str]
    pagination: PaginationParams
    sorting: SortingParams
    def __init__(self, project: _Optional[str] = ..., allow_cache: _Optional[bool] = ..., tags: _Optional[_Mapping[str, str]] = ..., pagination: _Optional[_Union[PaginationParams, _Mapping]] = ..., sorting: _Optional[_Union[SortingParams, _Mapping]] = ...) -> None: ...

class ListLabelViewsResponse(_message.Message):
    __slots__ = ("label_views", "pagination")
    LABEL_VIEWS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    label_views: _containers.RepeatedCompositeFieldContainer[_LabelView_pb2.LabelView]
    pagination: PaginationMetadata
    def __init__(self, label_views: _Optional[_Iterable[_Union[_LabelView_pb2.LabelView, _Mapping]]] = ..., pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ...) -> None: ...

class ApplyFeatureServiceRequest(_message.Message):
    __slots__ = ("feature_service", "project", "commit")
    FEATURE_SERVICE_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    feature_service: _FeatureService_pb2.FeatureService
    project: str
    commit: bool
    def __init__(self, feature_service: _Optional[_Union[_FeatureService_pb2.FeatureService, _Mapping]] = ..., project: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class GetFeatureServiceRequest(_message.Message):
    __slots__ = ("name", "project", "allow_cache")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    allow_cache: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., allow_cache: _Optional[bool] = ...) -> None: ...

class ListFeatureServicesRequest(_message.Message):
    __slots__ = ("project", "allow_cache", "tags", "feature_view", "pagination", "sorting")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORTING_FIELD_NUMBER: _ClassVar[int]
    project: str
    allow_cache: bool
    tags: _containers.ScalarMap[str, str]
    feature_view: str
    pagination: PaginationParams
    sorting: SortingParams
    def __init__(self, project: _Optional[str] = ..., allow_cache: _Optional[bool] = ..., tags: _Optional[_Mapping[str, str]] = ..., feature_view: _Optional[str] = ..., pagination: _Optional[_Union[PaginationParams, _Mapping]] = ..., sorting: _Optional[_Union[SortingParams, _Mapping]] = ...) -> None: ...

class ListFeatureServicesResponse(_message.Message):
    __slots__ = ("feature_services", "pagination")
    FEATURE_SERVICES_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    feature_services: _containers.RepeatedCompositeFieldContainer[_FeatureService_pb2.FeatureService]
    pagination: PaginationMetadata
    def __init__(self, feature_services: _Optional[_Iterable[_Union[_FeatureService_pb2.FeatureService, _Mapping]]] = ..., pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ...) -> None: ...

class DeleteFeatureServiceRequest(_message.Message):
    __slots__ = ("name", "project", "commit")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    commit: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class ApplySavedDatasetRequest(_message.Message):
    __slots__ = ("saved_dataset", "project", "commit")
    SAVED_DATASET_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    saved_dataset: _SavedDataset_pb2.SavedDataset
    project: str
    commit: bool
    def __init__(self, saved_dataset: _Optional[_Union[_SavedDataset_pb2.SavedDataset, _Mapping]] = ..., project: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class GetSavedDatasetRequest(_message.Message):
    __slots__ = ("name", "project", "allow_cache")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    allow_cache: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., allow_cache: _Optional[bool] = ...) -> None: ...

class ListSavedDatasetsRequest(_message.Message):
    __slots__ = ("project", "allow_cache", "tags", "pagination", "sorting", "namespace", "collection")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORTING_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    project: str
    allow_cache: bool
    tags: _containers.ScalarMap[str, str]
    pagination: PaginationParams
    sorting: SortingParams
    namespace: str
    collection: str
    def __init__(self, project: _Optional[str] = ..., allow_cache: _Optional[bool] = ..., tags: _Optional[_Mapping[str, str]] = ..., pagination: _Optional[_Union[PaginationParams, _Mapping]] = ..., sorting: _Optional[_Union[SortingParams, _Mapping]] = ..., namespace: _Optional[str] = ..., collection: _Optional[str] = ...) -> None: ...

class ListSavedDatasetsResponse(_message.Message):
    __slots__ = ("saved_datasets", "pagination")
    SAVED_DATASETS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    saved_datasets: _containers.RepeatedCompositeFieldContainer[_SavedDataset_pb2.SavedDataset]
    pagination: PaginationMetadata
    def __init__(self, saved_datasets: _Optional[_Iterable[_Union[_SavedDataset_pb2.SavedDataset, _Mapping]]] = ..., pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ...) -> None: ...

class DeleteSavedDatasetRequest(_message.Message):
    __slots__ = ("name", "project", "commit")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    commit: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class CreateDatasetFromRetrievalRequest(_message.Message):
    __slots__ = ("name", "project", "feature_service_name", "features", "entity_source_type", "entity_source_path", "entity_keys", "entity_values", "start_date", "end_date", "extra_columns", "storage_type", "storage_path", "tags", "allow_overwrite")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    FEATURE_SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    ENTITY_SOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    ENTITY_SOURCE_PATH_FIELD_NUMBER: _ClassVar[int]
    ENTITY_KEYS_FIELD_NUMBER: _ClassVar[int]
    ENTITY_VALUES_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    EXTRA_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    STORAGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    STORAGE_PATH_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_OVERWRITE_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    feature_service_name: str
    features: _containers.RepeatedScalarFieldContainer[str]
    entity_source_type: str
    entity_source_path: str
    entity_keys: _containers.RepeatedScalarFieldContainer[str]
    entity_values: str
    start_date: str
    end_date: str
    extra_columns: str
    storage_type: str
    storage_path: str
    tags: _containers.ScalarMap[str, str]
    allow_overwrite: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., feature_service_name: _Optional[str] = ..., features: _Optional[_Iterable[str]] = ..., entity_source_type: _Optional[str] = ..., entity_source_path: _Optional[str] = ..., entity_keys: _Optional[_Iterable[str]] = ..., entity_values: _Optional[str] = ..., start_date: _Optional[str] = ..., end_date: _Optional[str] = ..., extra_columns: _Optional[str] = ..., storage_type: _Optional[str] = ..., storage_path: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., allow_overwrite: _Optional[bool] = ...) -> None: ...

class CreateDatasetFromRetrievalResponse(_message.Message):
    __slots__ = ("job_id", "status")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    status: str
    def __init__(self, job_id: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class GetDatasetDataRequest(_message.Message):
    __slots__ = ("name", "project", "limit")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    limit: int
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class TabularRow(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, values: _Optional[_Iterable[str]] = ...) -> None: ...

class GetDatasetDataResponse(_message.Message):
    __slots__ = ("columns", "rows", "total_rows", "sample_size")
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROWS_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_SIZE_FIELD_NUMBER: _ClassVar[int]
    columns: _containers.RepeatedScalarFieldContainer[str]
    rows: _containers.RepeatedCompositeFieldContainer[TabularRow]
    total_rows: int
    sample_size: int
    def __init__(self, columns: _Optional[_Iterable[str]] = ..., rows: _Optional[_Iterable[_Union[TabularRow, _Mapping]]] = ..., total_rows: _Optional[int] = ..., sample_size: _Optional[int] = ...) -> None: ...

class GetDatasetJobStatusRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class GetDatasetJobStatusResponse(_message.Message):
    __slots__ = ("job_id", "dataset_name", "project", "status", "created_at", "completed_at", "error")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    dataset_name: str
    project: str
    status: str
    created_at: str
    completed_at: str
    error: str
    def __init__(self, job_id: _Optional[str] = ..., dataset_name: _Optional[str] = ..., project: _Optional[str] = ..., status: _Optional[str] = ..., created_at: _Optional[str] = ..., completed_at: _Optional[str] = ..., error: _Optional[str] = ...) -> None: ...

class ListDatasetJobsRequest(_message.Message):
    __slots__ = ("project", "status_filter")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FILTER_FIELD_NUMBER: _ClassVar[int]
    project: str
    status_filter: str
    def __init__(self, project: _Optional[str] = ..., status_filter: _Optional[str] = ...) -> None: ...

class ListDatasetJobsResponse(_message.Message):
    __slots__ = ("jobs",)
    JOBS_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[GetDatasetJobStatusResponse]
    def __init__(self, jobs: _Optional[_Iterable[_Union[GetDatasetJobStatusResponse, _Mapping]]] = ...) -> None: ...

class ApplyValidationReferenceRequest(_message.Message):
    __slots__ = ("validation_reference", "project", "commit")
    VALIDATION_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    validation_reference: _ValidationProfile_pb2.ValidationReference
    project: str
    commit: bool
    def __init__(self, validation_reference: _Optional[_Union[_ValidationProfile_pb2.ValidationReference, _Mapping]] = ..., project: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class GetValidationReferenceRequest(_message.Message):
    __slots__ = ("name", "project", "allow_cache")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    allow_cache: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., allow_cache: _Optional[bool] = ...) -> None: ...

class ListValidationReferencesRequest(_message.Message):
    __slots__ = ("project", "allow_cache", "tags", "pagination", "sorting")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORTING_FIELD_NUMBER: _ClassVar[int]
    project: str
    allow_cache: bool
    tags: _containers.ScalarMap[str, str]
    pagination: PaginationParams
    sorting: SortingParams
    def __init__(self, project: _Optional[str] = ..., allow_cache: _Optional[bool] = ..., tags: _Optional[_Mapping[str, str]] = ..., pagination: _Optional[_Union[PaginationParams, _Mapping]] = ..., sorting: _Optional[_Union[SortingParams, _Mapping]] = ...) -> None: ...

class ListValidationReferencesResponse(_message.Message):
    __slots__ = ("validation_references", "pagination")
    VALIDATION_REFERENCES_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    validation_references: _containers.RepeatedCompositeFieldContainer[_ValidationProfile_pb2.ValidationReference]
    pagination: PaginationMetadata
    def __init__(self, validation_references: _Optional[_Iterable[_Union[_ValidationProfile_pb2.ValidationReference, _Mapping]]] = ..., pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ...) -> None: ...

class DeleteValidationReferenceRequest(_message.Message):
    __slots__ = ("name", "project", "commit")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    commit: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class ApplyPermissionRequest(_message.Message):
    __slots__ = ("permission", "project", "commit")
    PERMISSION_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    permission: _Permission_pb2.Permission
    project: str
    commit: bool
    def __init__(self, permission: _Optional[_Union[_Permission_pb2.Permission, _Mapping]] = ..., project: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class GetPermissionRequest(_message.Message):
    __slots__ = ("name", "project", "allow_cache")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    allow_cache: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., allow_cache: _Optional[bool] = ...) -> None: ...

class ListPermissionsRequest(_message.Message):
    __slots__ = ("project", "allow_cache", "tags", "pagination", "sorting")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORTING_FIELD_NUMBER: _ClassVar[int]
    project: str
    allow_cache: bool
    tags: _containers.ScalarMap[str, str]
    pagination: PaginationParams
    sorting: SortingParams
    def __init__(self, project: _Optional[str] = ..., allow_cache: _Optional[bool] = ..., tags: _Optional[_Mapping[str, str]] = ..., pagination: _Optional[_Union[PaginationParams, _Mapping]] = ..., sorting: _Optional[_Union[SortingParams, _Mapping]] = ...) -> None: ...

class ListPermissionsResponse(_message.Message):
    __slots__ = ("permissions", "pagination")
    PERMISSIONS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    permissions: _containers.RepeatedCompositeFieldContainer[_Permission_pb2.Permission]
    pagination: PaginationMetadata
    def __init__(self, permissions: _Optional[_Iterable[_Union[_Permission_pb2.Permission, _Mapping]]] = ..., pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ...) -> None: ...

class DeletePermissionRequest(_message.Message):
    __slots__ = ("name", "project", "commit")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    commit: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class ApplyProjectRequest(_message.Message):
    __slots__ = ("project", "commit")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    project: _Project_pb2.Project
    commit: bool
    def __init__(self, project: _Optional[_Union[_Project_pb2.Project, _Mapping]] = ..., commit: _Optional[bool] = ...) -> None: ...

class GetProjectRequest(_message.Message):
    __slots__ = ("name", "allow_cache")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    name: str
    allow_cache: bool
    def __init__(self, name: _Optional[str] = ..., allow_cache: _Optional[bool] = ...) -> None: ...

class ListProjectsRequest(_message.Message):
    __slots__ = ("allow_cache", "tags", "pagination", "sorting")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORTING_FIELD_NUMBER: _ClassVar[int]
    allow_cache: bool
    tags: _containers.ScalarMap[str, str]
    pagination: PaginationParams
    sorting: SortingParams
    def __init__(self, allow_cache: _Optional[bool] = ..., tags: _Optional[_Mapping[str, str]] = ..., pagination: _Optional[_Union[PaginationParams, _Mapping]] = ..., sorting: _Optional[_Union[SortingParams, _Mapping]] = ...) -> None: ...

class ListProjectsResponse(_message.Message):
    __slots__ = ("projects", "pagination")
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    projects: _containers.RepeatedCompositeFieldContainer[_Project_pb2.Project]
    pagination: PaginationMetadata
    def __init__(self, projects: _Optional[_Iterable[_Union[_Project_pb2.Project, _Mapping]]] = ..., pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ...) -> None: ...

class DeleteProjectRequest(_message.Message):
    __slots__ = ("name", "commit")
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    commit: bool
    def __init__(self, name: _Optional[str] = ..., commit: _Optional[bool] = ...) -> None: ...

class EntityReference(_message.Message):
    __slots__ = ("type", "name")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    type: str
    name: str
    def __init__(self, type: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class EntityRelation(_message.Message):
    __slots__ = ("source", "target")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    source: EntityReference
    target: EntityReference
    def __init__(self, source: _Optional[_Union[EntityReference, _Mapping]] = ..., target: _Optional[_Union[EntityReference, _Mapping]] = ...) -> None: ...

class GetRegistryLineageRequest(_message.Message):
    __slots__ = ("project", "allow_cache", "filter_object_type", "filter_object_name", "pagination", "sorting")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    FILTER_OBJECT_TYPE_FIELD_NUMBER: _ClassVar[int]
    FILTER_OBJECT_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORTING_FIELD_NUMBER: _ClassVar[int]
    project: str
    allow_cache: bool
    filter_object_type: str
    filter_object_name: str
    pagination: PaginationParams
    sorting: SortingParams
    def __init__(self, project: _Optional[str] = ..., allow_cache: _Optional[bool] = ..., filter_object_type: _Optional[str] = ..., filter_object_name: _Optional[str] = ..., pagination: _Optional[_Union[PaginationParams, _Mapping]] = ..., sorting: _Optional[_Union[SortingParams, _Mapping]] = ...) -> None: ...

class GetRegistryLineageResponse(_message.Message):
    __slots__ = ("relationships", "indirect_relationships", "relationships_pagination", "indirect_relationships_pagination")
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    INDIRECT_RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_PAGINATION_FIELD_NUMBER: _ClassVar[int]
    INDIRECT_RELATIONSHIPS_PAGINATION_FIELD_NUMBER: _ClassVar[int]
    relationships: _containers.RepeatedCompositeFieldContainer[EntityRelation]
    indirect_relationships: _containers.RepeatedCompositeFieldContainer[EntityRelation]
    relationships_pagination: PaginationMetadata
    indirect_relationships_pagination: PaginationMetadata
    def __init__(self, relationships: _Optional[_Iterable[_Union[EntityRelation, _Mapping]]] = ..., indirect_relationships: _Optional[_Iterable[_Union[EntityRelation, _Mapping]]] = ..., relationships_pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ..., indirect_relationships_pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ...) -> None: ...

class GetObjectRelationshipsRequest(_message.Message):
    __slots__ = ("project", "object_type", "object_name", "include_indirect", "allow_cache", "pagination", "sorting")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    OBJECT_TYPE_FIELD_NUMBER: _ClassVar[int]
    OBJECT_NAME_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_INDIRECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORTING_FIELD_NUMBER: _ClassVar[int]
    project: str
    object_type: str
    object_name: str
    include_indirect: bool
    allow_cache: bool
    pagination: PaginationParams
    sorting: SortingParams
    def __init__(self, project: _Optional[str] = ..., object_type: _Optional[str] = ..., object_name: _Optional[str] = ..., include_indirect: _Optional[bool] = ..., allow_cache: _Optional[bool] = ..., pagination: _Optional[_Union[PaginationParams, _Mapping]] = ..., sorting: _Optional[_Union[SortingParams, _Mapping]] = ...) -> None: ...

class GetObjectRelationshipsResponse(_message.Message):
    __slots__ = ("relationships", "pagination")
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    relationships: _containers.RepeatedCompositeFieldContainer[EntityRelation]
    pagination: PaginationMetadata
    def __init__(self, relationships: _Optional[_Iterable[_Union[EntityRelation, _Mapping]]] = ..., pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ...) -> None: ...

class Feature(_message.Message):
    __slots__ = ("name", "feature_view", "type", "description", "owner", "created_timestamp", "last_updated_timestamp", "tags", "kind")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    CREATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    name: str
    feature_view: str
    type: str
    description: str
    owner: str
    created_timestamp: _timestamp_pb2.Timestamp
    last_updated_timestamp: _timestamp_pb2.Timestamp
    tags: _containers.ScalarMap[str, str]
    kind: str
    def __init__(self, name: _Optional[str] = ..., feature_view: _Optional[str] = ..., type: _Optional[str] = ..., description: _Optional[str] = ..., owner: _Optional[str] = ..., created_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_updated_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tags: _Optional[_Mapping[str, str]] = ..., kind: _Optional[str] = ...) -> None: ...

class ListFeaturesRequest(_message.Message):
    __slots__ = ("project", "feature_view", "name", "pagination", "sorting", "allow_cache", "kind")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    SORTING_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    project: str
    feature_view: str
    name: str
    pagination: PaginationParams
    sorting: SortingParams
    allow_cache: bool
    kind: str
    def __init__(self, project: _Optional[str] = ..., feature_view: _Optional[str] = ..., name: _Optional[str] = ..., pagination: _Optional[_Union[PaginationParams, _Mapping]] = ..., sorting: _Optional[_Union[SortingParams, _Mapping]] = ..., allow_cache: _Optional[bool] = ..., kind: _Optional[str] = ...) -> None: ...

class ListFeaturesResponse(_message.Message):
    __slots__ = ("features", "pagination")
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    features: _containers.RepeatedCompositeFieldContainer[Feature]
    pagination: PaginationMetadata
    def __init__(self, features: _Optional[_Iterable[_Union[Feature, _Mapping]]] = ..., pagination: _Optional[_Union[PaginationMetadata, _Mapping]] = ...) -> None: ...

class GetFeatureRequest(_message.Message):
    __slots__ = ("project", "feature_view", "name", "allow_cache")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CACHE_FIELD_NUMBER: _ClassVar[int]
    project: str
    feature_view: str
    name: str
    allow_cache: bool
    def __init__(self, project: _Optional[str] = ..., feature_view: _Optional[str] = ..., name: _Optional[str] = ..., allow_cache: _Optional[bool] = ...) -> None: ...
