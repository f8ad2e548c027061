import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from feast_core.protos.feast.core import Aggregation_pb2 as _Aggregation_pb2
from feast_core.protos.feast.core import DataSource_pb2 as _DataSource_pb2
from feast_core.protos.feast.core import Feature_pb2 as _Feature_pb2
from feast_core.protos.feast.core import FeatureView_pb2 as _FeatureView_pb2
from feast_core.protos.feast.core import OnDemandFeatureView_pb2 as _OnDemandFeatureView_pb2
from feast_core.protos.feast.core import Transformation_pb2 as _Transformation_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StreamFeatureView(_message.Message):
    __slots__ = ("spec", "meta")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    spec: StreamFeatureViewSpec
    meta: _FeatureView_pb2.FeatureViewMeta
    def __init__(self, spec: _Optional[_Union[StreamFeatureViewSpec, _Mapping]] = ..., meta: _Optional[_Union[_FeatureView_pb2.FeatureViewMeta, _Mapping]] = ...) -> None: ...

class StreamFeatureViewSpec(_message.Message):
    __slots__ = ("name", "project", "entities", "features", "entity_columns", "description", "tags", "owner", "ttl", "batch_source", "stream_source", "online", "user_defined_function", "mode", "aggregations", "timestamp_field", "feature_transformation", "enable_tiling", "tiling_hop_size", "enable_validation", "version", "org", "disabled")
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
    ENTITY_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    BATCH_SOURCE_FIELD_NUMBER: _ClassVar[int]
    STREAM_SOURCE_FIELD_NUMBER: _ClassVar[int]
    ONLINE_FIELD_NUMBER: _ClassVar[int]
    USER_DEFINED_FUNCTION_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    AGGREGATIONS_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_FIELD_NUMBER: _ClassVar[int]
    FEATURE_TRANSFORMATION_FIELD_NUMBER: _ClassVar[int]
    ENABLE_TILING_FIELD_NUMBER: _ClassVar[int]
    TILING_HOP_SIZE_FIELD_NUMBER: _ClassVar[int]
    ENABLE_VALIDATION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ORG_FIELD_NUMBER: _ClassVar[int]
    DISABLED_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    entities: _containers.RepeatedScalarFieldContainer[str]
    features: _containers.RepeatedCompositeFieldContainer[_Feature_pb2.FeatureSpecV2]
    entity_columns: _containers.RepeatedCompositeFieldContainer[_Feature_pb2.FeatureSpecV2]
    description: str
    tags: _containers.ScalarMap[str, str]
    owner: str
    ttl: _duration_pb2.Duration
    batch_source: _DataSource_pb2.DataSource
    stream_source: _DataSource_pb2.DataSource
    online: bool
    user_defined_function: _OnDemandFeatureView_pb2.UserDefinedFunction
    mode: str
    aggregations: _containers.RepeatedCompositeFieldContainer[_Aggregation_pb2.Aggregation]
    timestamp_field: str
    feature_transformation: _Transformation_pb2.FeatureTransformationV2
    enable_tiling: bool
    tiling_hop_size: _duration_pb2.Duration
    enable_validation: bool
    version: str
    org: str
    disabled: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., entities: _Optional[_Iterable[str]] = ..., features: _Optional[_Iterable[_Union[_Feature_pb2.FeatureSpecV2, _Mapping]]] = ..., entity_columns: _Optional[_Iterable[_Union[_Feature_pb2.FeatureSpecV2, _Mapping]]] = ..., description: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., owner: _Optional[str] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., batch_source: _Optional[_Union[_DataSource_pb2.DataSource, _Mapping]] = ..., stream_source: _Optional[_Union[_DataSource_pb2.DataSource, _Mapping]] = ..., online: _Optional[bool] = ..., user_defined_function: _Optional[_Union[_OnDemandFeatureView_pb2.UserDefinedFunction, _Mapping]] = ..., mode: _Optional[str] = ..., aggregations: _Optional[_Iterable[_Union[_Aggregation_pb2.Aggregation, _Mapping]]] = ..., timestamp_field: _Optional[str] = ..., feature_transformation: _Optional[_Union[_Transformation_pb2.FeatureTransformationV2, _Mapping]] = ..., enable_tiling: _Optional[bool] = ..., tiling_hop_size: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., enable_validation: _Optional[bool] = ..., version: _Optional[str] = ..., org: _Optional[str] = ..., disabled: _Optional[bool] = ...) -> None: ...
