import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from feast_core.protos.feast.types import Value_pb2 as _Value_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FieldStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INVALID: _ClassVar[FieldStatus]
    PRESENT: _ClassVar[FieldStatus]
    NULL_VALUE: _ClassVar[FieldStatus]
    NOT_FOUND: _ClassVar[FieldStatus]
    OUTSIDE_MAX_AGE: _ClassVar[FieldStatus]
INVALID: FieldStatus
PRESENT: FieldStatus
NULL_VALUE: FieldStatus
NOT_FOUND: FieldStatus
OUTSIDE_MAX_AGE: FieldStatus

class GetFeastServingInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetFeastServingInfoResponse(_message.Message):
    __slots__ = ("version",)
    VERSION_FIELD_NUMBER: _ClassVar[int]
    version: str
    def __init__(self, version: _Optional[str] = ...) -> None: ...

class FeatureReferenceV2(_message.Message):
    __slots__ = ("feature_view_name", "feature_name")
    FEATURE_VIEW_NAME_FIELD_NUMBER: _ClassVar[int]
    FEATURE_NAME_FIELD_NUMBER: _ClassVar[int]
    feature_view_name: str
    feature_name: str
    def __init__(self, feature_view_name: _Optional[str] = ..., feature_name: _Optional[str] = ...) -> None: ...

class GetOnlineFeaturesRequestV2(_message.Message):
    __slots__ = ("entity_rows", "features", "project")
    class EntityRow(_message.Message):
        __slots__ = ("timestamp", "fields")
        class FieldsEntry(_message.Message):
            __slots__ = ("key", "value")
            KEY_FIELD_NUMBER: _ClassVar[int]
            VALUE_FIELD_NUMBER: _ClassVar[int]
            key: str
            value: _Value_pb2.Value
            def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_Value_pb2.Value, _Mapping]] = ...) -> None: ...
        TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
        FIELDS_FIELD_NUMBER: _ClassVar[int]
        timestamp: _timestamp_pb2.Timestamp
        fields: _containers.MessageMap[str, _Value_pb2.Value]
        def __init__(self, timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., fields: _Optional[_Mapping[str, _Value_pb2.Value]] = ...) -> None: ...
    ENTITY_ROWS_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    entity_rows: _containers.RepeatedCompositeFieldContainer[GetOnlineFeaturesRequestV2.EntityRow]
    features: _containers.RepeatedCompositeFieldContainer[FeatureReferenceV2]
    project: str
    def __init__(self, entity_rows: _Optional[_Iterable[_Union[GetOnlineFeaturesRequestV2.EntityRow, _Mapping]]] = ..., features: _Optional[_Iterable[_Union[FeatureReferenceV2, _Mapping]]] = ..., project: _Optional[str] = ...) -> None: ...

class FeatureList(_message.Message):
    __slots__ = ("val",)
    VAL_FIELD_NUMBER: _ClassVar[int]
    val: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, val: _Optional[_Iterable[str]] = ...) -> None: ...

class GetOnlineFeaturesRequest(_message.Message):
    __slots__ = ("feature_service", "features", "entities", "full_feature_names", "request_context", "include_feature_view_version_metadata")
    class EntitiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _Value_pb2.RepeatedValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_Value_pb2.RepeatedValue, _Mapping]] = ...) -> None: ...
    class RequestContextEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _Value_pb2.RepeatedValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_Value_pb2.RepeatedValue, _Mapping]] = ...) -> None: ...
    FEATURE_SERVICE_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    FULL_FEATURE_NAMES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FEATURE_VIEW_VERSION_METADATA_FIELD_NUMBER: _ClassVar[int]
    feature_service: str
    features: FeatureList
    entities: _containers.MessageMap[str, _Value_pb2.RepeatedValue]
    full_feature_names: bool
    request_context: _containers.MessageMap[str, _Value_pb2.RepeatedValue]
    include_feature_view_version_metadata: bool
    def __init__(self, feature_service: _Optional[str] = ..., features: _Optional[_Union[FeatureList, _Mapping]] = ..., entities: _Optional[_Mapping[str, _Value_pb2.RepeatedValue]] = ..., full_feature_names: _Optional[bool] = ..., request_context: _Optional[_Mapping[str, _Value_pb2.RepeatedValue]] = ..., include_feature_view_version_metadata: _Optional[bool] = ...) -> None: ...

class GetOnlineFeaturesResponse(_message.Message):
    __slots__ = ("metadata", "results", "status")
    class FeatureVector(_message.Message):
        __slots__ = ("values", "statuses", "event_timestamps")
        VALUES_FIELD_NUMBER: _ClassVar[int]
        STATUSES_FIELD_NUMBER: _ClassVar[int]
        EVENT_TIMESTAMPS_FIELD_NUMBER: _ClassVar[int]
        values: _containers.RepeatedCompositeFieldContainer[_Value_pb2.Value]
        statuses: _containers.RepeatedScalarFieldContainer[FieldStatus]
        event_timestamps: _containers.RepeatedCompositeFieldContainer[_timestamp_pb2.Timestamp]
        def __init__(self, values: _Optional[_Iterable[_Union[_Value_pb2.Value, _Mapping]]] = ..., statuses: _Optional[_Iterable[_Union[FieldStatus, str]]] = ..., event_timestamps: _Optional[_Iterable[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]]] = ...) -> None: ...
    METADATA_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    metadata: GetOnlineFeaturesResponseMetadata
    results: _containers.RepeatedCompositeFieldContainer[GetOnlineFeaturesResponse.FeatureVector]
    status: bool
    def __init__(self, metadata: _Optional[_Union[GetOnlineFeaturesResponseMetadata, _Mapping]] = ..., results: _Optional[_Iterable[_Union[GetOnlineFeaturesResponse.FeatureVector, _Mapping]]] = ..., status: _Optional[bool] = ...) -> None: ...

class FeatureViewMetadata(_message.Message):
    __slots__ = ("name", "version")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: int
    def __init__(self, name: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetOnlineFeaturesResponseMetadata(_message.Message):
    __slots__ = ("feature_names", "feature_view_metadata")
    FEATURE_NAMES_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_METADATA_FIELD_NUMBER: _ClassVar[int]
    feature_names: FeatureList
    feature_view_metadata: _containers.RepeatedCompositeFieldContainer[FeatureViewMetadata]
    def __init__(self, feature_names: _Optional[_Union[FeatureList, _Mapping]] = ..., feature_view_metadata: _Optional[_Iterable[_Union[FeatureViewMetadata, _Mapping]]] = ...) -> None: ...
