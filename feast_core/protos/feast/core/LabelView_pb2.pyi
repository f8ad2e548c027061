import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from feast_core.protos.feast.core import DataSource_pb2 as _DataSource_pb2
from feast_core.protos.feast.core import Feature_pb2 as _Feature_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ConflictResolutionPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LAST_WRITE_WINS: _ClassVar[ConflictResolutionPolicy]
    LABELER_PRIORITY: _ClassVar[ConflictResolutionPolicy]
    MAJORITY_VOTE: _ClassVar[ConflictResolutionPolicy]
LAST_WRITE_WINS: ConflictResolutionPolicy
LABELER_PRIORITY: ConflictResolutionPolicy
MAJORITY_VOTE: ConflictResolutionPolicy

class LabelView(_message.Message):
    __slots__ = ("spec", "meta")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    spec: LabelViewSpec
    meta: LabelViewMeta
    def __init__(self, spec: _Optional[_Union[LabelViewSpec, _Mapping]] = ..., meta: _Optional[_Union[LabelViewMeta, _Mapping]] = ...) -> None: ...

class LabelViewSpec(_message.Message):
    __slots__ = ("name", "project", "entities", "features", "tags", "ttl", "source", "online", "description", "owner", "entity_columns", "labeler_field", "conflict_policy", "retain_history", "reference_feature_view")
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
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    ONLINE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    ENTITY_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    LABELER_FIELD_FIELD_NUMBER: _ClassVar[int]
    CONFLICT_POLICY_FIELD_NUMBER: _ClassVar[int]
    RETAIN_HISTORY_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    entities: _containers.RepeatedScalarFieldContainer[str]
    features: _containers.RepeatedCompositeFieldContainer[_Feature_pb2.FeatureSpecV2]
    tags: _containers.ScalarMap[str, str]
    ttl: _duration_pb2.Duration
    source: _DataSource_pb2.DataSource
    online: bool
    description: str
    owner: str
    entity_columns: _containers.RepeatedCompositeFieldContainer[_Feature_pb2.FeatureSpecV2]
    labeler_field: str
    conflict_policy: ConflictResolutionPolicy
    retain_history: bool
    reference_feature_view: str
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., entities: _Optional[_Iterable[str]] = ..., features: _Optional[_Iterable[_Union[_Feature_pb2.FeatureSpecV2, _Mapping]]] = ..., tags: _Optional[_Mapping[str, str]] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., source: _Optional[_Union[_DataSource_pb2.DataSource, _Mapping]] = ..., online: _Optional[bool] = ..., description: _Optional[str] = ..., owner: _Optional[str] = ..., entity_columns: _Optional[_Iterable[_Union[_Feature_pb2.FeatureSpecV2, _Mapping]]] = ..., labeler_field: _Optional[str] = ..., conflict_policy: _Optional[_Union[ConflictResolutionPolicy, str]] = ..., retain_history: _Optional[bool] = ..., reference_feature_view: _Optional[str] = ...) -> None: ...

class LabelViewMeta(_message.Message):
    __slots__ = ("created_timestamp", "last_updated_timestamp")
    CREATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    created_timestamp: _timestamp_pb2.Timestamp
    last_updated_timestamp: _timestamp_pb2.Timestamp
    def __init__(self, created_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_updated_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
