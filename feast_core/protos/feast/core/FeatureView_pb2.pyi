import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from feast_core.protos.feast.core import DataSource_pb2 as _DataSource_pb2
from feast_core.protos.feast.core import Feature_pb2 as _Feature_pb2
from feast_core.protos.feast.core import Transformation_pb2 as _Transformation_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FeatureViewState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STATE_UNSPECIFIED: _ClassVar[FeatureViewState]
    CREATED: _ClassVar[FeatureViewState]
    GENERATED: _ClassVar[FeatureViewState]
    MATERIALIZING: _ClassVar[FeatureViewState]
    AVAILABLE_ONLINE: _ClassVar[FeatureViewState]
STATE_UNSPECIFIED: FeatureViewState
CREATED: FeatureViewState
GENERATED: FeatureViewState
MATERIALIZING: FeatureViewState
AVAILABLE_ONLINE: FeatureViewState

class FeatureView(_message.Message):
    __slots__ = ("spec", "meta")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    spec: FeatureViewSpec
    meta: FeatureViewMeta
    def __init__(self, spec: _Optional[_Union[FeatureViewSpec, _Mapping]] = ..., meta: _Optional[_Union[FeatureViewMeta, _Mapping]] = ...) -> None: ...

class FeatureViewSpec(_message.Message):
    __slots__ = ("name", "project", "entities", "features", "tags", "ttl", "batch_source", "online", "stream_source", "description", "owner", "entity_columns", "offline", "source_views", "feature_transformation", "mode", "enable_validation", "version", "org", "disabled")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    BATCH_SOURCE_FIELD_NUMBER: _ClassVar[int]
    ONLINE_FIELD_NUMBER: _ClassVar[int]
    STREAM_SOURCE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    OFFLINE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_VIEWS_FIELD_NUMBER: _ClassVar[int]
    FEATURE_TRANSFORMATION_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    ENABLE_VALIDATION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ORG_FIELD_NUMBER: _ClassVar[int]
    DISABLED_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    entities: _containers.RepeatedScalarFieldContainer[str]
    features: _containers.RepeatedCompositeFieldContainer[_Feature_pb2.FeatureSpecV2]
    tags: _containers.ScalarMap[str, str]
    ttl: _duration_pb2.Duration
    batch_source: _DataSource_pb2.DataSource
    online: bool
    stream_source: _DataSource_pb2.DataSource
    description: str
    owner: str
    entity_columns: _containers.RepeatedCompositeFieldContainer[_Feature_pb2.FeatureSpecV2]
    offline: bool
    source_views: _containers.RepeatedCompositeFieldContainer[FeatureViewSpec]
    feature_transformation: _Transformation_pb2.FeatureTransformationV2
    mode: str
    enable_validation: bool
    version: str
    org: str
    disabled: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., entities: _Optional[_Iterable[str]] = ..., features: _Optional[_Iterable[_Union[_Feature_pb2.FeatureSpecV2, _Mapping]]] = ..., tags: _Optional[_Mapping[str, str]] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., batch_source: _Optional[_Union[_DataSource_pb2.DataSource, _Mapping]] = ..., online: _Optional[bool] = ..., stream_source: _Optional[_Union[_DataSource_pb2.DataSource, _Mapping]] = ..., description: _Optional[str] = ..., owner: _Optional[str] = ..., entity_columns: _Optional[_Iterable[_Union[_Feature_pb2.FeatureSpecV2, _Mapping]]] = ..., offline: _Optional[bool] = ..., source_views: _Optional[_Iterable[_Union[FeatureViewSpec, _Mapping]]] = ..., feature_transformation: _Optional[_Union[_Transformation_pb2.FeatureTransformationV2, _Mapping]] = ..., mode: _Optional[str] = ..., enable_validation: _Optional[bool] = ..., version: _Optional[str] = ..., org: _Optional[str] = ..., disabled: _Optional[bool] = ...) -> None: ...

class FeatureViewMeta(_message.Message):
    __slots__ = ("created_timestamp", "last_updated_timestamp", "materialization_intervals", "current_version_number", "version_id", "state")
    CREATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    MATERIALIZATION_INTERVALS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VERSION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    created_timestamp: _timestamp_pb2.Timestamp
    last_updated_timestamp: _timestamp_pb2.Timestamp
    materialization_intervals: _containers.RepeatedCompositeFieldContainer[MaterializationInterval]
    current_version_number: int
    version_id: str
    state: FeatureViewState
    def __init__(self, created_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_updated_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., materialization_intervals: _Optional[_Iterable[_Union[MaterializationInterval, _Mapping]]] = ..., current_version_number: _Optional[int] = ..., version_id: _Optional[str] = ..., state: _Optional[_Union[FeatureViewState, str]] = ...) -> None: ...

class MaterializationInterval(_message.Message):
    __slots__ = ("start_time", "end_time")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FeatureViewList(_message.Message):
    __slots__ = ("featureviews",)
    FEATUREVIEWS_FIELD_NUMBER: _ClassVar[int]
    featureviews: _containers.RepeatedCompositeFieldContainer[FeatureView]
    def __init__(self, featureviews: _Optional[_Iterable[_Union[FeatureView, _Mapping]]] = ...) -> None: ...
