import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from feast_core.protos.feast.core import Aggregation_pb2 as _Aggregation_pb2
from feast_core.protos.feast.core import DataSource_pb2 as _DataSource_pb2
from feast_core.protos.feast.core import Feature_pb2 as _Feature_pb2
from feast_core.protos.feast.core import FeatureView_pb2 as _FeatureView_pb2
from feast_core.protos.feast.core import FeatureViewProjection_pb2 as _FeatureViewProjection_pb2
from feast_core.protos.feast.core import Transformation_pb2 as _Transformation_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OnDemandFeatureView(_message.Message):
    __slots__ = ("spec", "meta")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    spec: OnDemandFeatureViewSpec
    meta: OnDemandFeatureViewMeta
    def __init__(self, spec: _Optional[_Union[OnDemandFeatureViewSpec, _Mapping]] = ..., meta: _Optional[_Union[OnDemandFeatureViewMeta, _Mapping]] = ...) -> None: ...

class OnDemandFeatureViewSpec(_message.Message):
    __slots__ = ("name", "project", "features", "sources", "user_defined_function", "description", "tags", "owner", "feature_transformation", "mode", "write_to_online_store", "entities", "entity_columns", "singleton", "aggregations", "version", "org", "disabled")
    class SourcesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: OnDemandSource
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[OnDemandSource, _Mapping]] = ...) -> None: ...
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    USER_DEFINED_FUNCTION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    FEATURE_TRANSFORMATION_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    WRITE_TO_ONLINE_STORE_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    ENTITY_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    SINGLETON_FIELD_NUMBER: _ClassVar[int]
    AGGREGATIONS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ORG_FIELD_NUMBER: _ClassVar[int]
    DISABLED_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    features: _containers.RepeatedCompositeFieldContainer[_Feature_pb2.FeatureSpecV2]
    sources: _containers.MessageMap[str, OnDemandSource]
    user_defined_function: UserDefinedFunction
    description: str
    tags: _containers.ScalarMap[str, str]
    owner: str
    feature_transformation: _Transformation_pb2.FeatureTransformationV2
    mode: str
    write_to_online_store: bool
    entities: _containers.RepeatedScalarFieldContainer[str]
    entity_columns: _containers.RepeatedCompositeFieldContainer[_Feature_pb2.FeatureSpecV2]
    singleton: bool
    aggregations: _containers.RepeatedCompositeFieldContainer[_Aggregation_pb2.Aggregation]
    version: str
    org: str
    disabled: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., features: _Optional[_Iterable[_Union[_Feature_pb2.FeatureSpecV2, _Mapping]]] = ..., sources: _Optional[_Mapping[str, OnDemandSource]] = ..., user_defined_function: _Optional[_Union[UserDefinedFunction, _Mapping]] = ..., description: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., owner: _Optional[str] = ..., feature_transformation: _Optional[_Union[_Transformation_pb2.FeatureTransformationV2, _Mapping]] = ..., mode: _Optional[str] = ..., write_to_online_store: _Optional[bool] = ..., entities: _Optional[_Iterable[str]] = ..., entity_columns: _Optional[_Iterable[_Union[_Feature_pb2.FeatureSpecV2, _Mapping]]] = ..., singleton: _Optional[bool] = ..., aggregations: _Optional[_Iterable[_Union[_Aggregation_pb2.Aggregation, _Mapping]]] = ..., version: _Optional[str] = ..., org: _Optional[str] = ..., disabled: _Optional[bool] = ...) -> None: ...

class OnDemandFeatureViewMeta(_message.Message):
    __slots__ = ("created_timestamp", "last_updated_timestamp", "current_version_number", "version_id", "state")
    CREATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VERSION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    created_timestamp: _timestamp_pb2.Timestamp
    last_updated_timestamp: _timestamp_pb2.Timestamp
    current_version_number: int
    version_id: str
    state: _FeatureView_pb2.FeatureViewState
    def __init__(self, created_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_updated_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., current_version_number: _Optional[int] = ..., version_id: _Optional[str] = ..., state: _Optional[_Union[_FeatureView_pb2.FeatureViewState, str]] = ...) -> None: ...

class OnDemandSource(_message.Message):
    __slots__ = ("feature_view", "request_data_source", "feature_view_projection")
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    REQUEST_DATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_PROJECTION_FIELD_NUMBER: _ClassVar[int]
    feature_view: _FeatureView_pb2.FeatureView
    request_data_source: _DataSource_pb2.DataSource
    feature_view_projection: _FeatureViewProjection_pb2.FeatureViewProjection
    def __init__(self, feature_view: _Optional[_Union[_FeatureView_pb2.FeatureView, _Mapping]] = ..., request_data_source: _Optional[_Union[_DataSource_pb2.DataSource, _Mapping]] = ..., feature_view_projection: _Optional[_Union[_FeatureViewProjection_pb2.FeatureViewProjection, _Mapping]] = ...) -> None: ...

class UserDefinedFunction(_message.Message):
    __slots__ = ("name", "body", "body_text")
    NAME_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    BODY_TEXT_FIELD_NUMBER: _ClassVar[int]
    name: str
    body: bytes
    body_text: str
    def __init__(self, name: _Optional[str] = ..., body: _Optional[bytes] = ..., body_text: _Optional[str] = ...) -> None: ...

class OnDemandFeatureViewList(_message.Message):
    __slots__ = ("ondemandfeatureviews",)
    ONDEMANDFEATUREVIEWS_FIELD_NUMBER: _ClassVar[int]
    ondemandfeatureviews: _containers.RepeatedCompositeFieldContainer[OnDemandFeatureView]
    def __init__(self, ondemandfeatureviews: _Optional[_Iterable[_Union[OnDemandFeatureView, _Mapping]]] = ...) -> None: ...
