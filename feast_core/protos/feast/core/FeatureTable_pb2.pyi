import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from feast_core.protos.feast.core import DataSource_pb2 as _DataSource_pb2
from feast_core.protos.feast.core import Feature_pb2 as _Feature_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FeatureTable(_message.Message):
    __slots__ = ("spec", "meta")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    spec: FeatureTableSpec
    meta: FeatureTableMeta
    def __init__(self, spec: _Optional[_Union[FeatureTableSpec, _Mapping]] = ..., meta: _Optional[_Union[FeatureTableMeta, _Mapping]] = ...) -> None: ...

class FeatureTableSpec(_message.Message):
    __slots__ = ("name", "entities", "features", "labels", "max_age", "batch_source", "stream_source", "project")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    MAX_AGE_FIELD_NUMBER: _ClassVar[int]
    BATCH_SOURCE_FIELD_NUMBER: _ClassVar[int]
    STREAM_SOURCE_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    name: str
    entities: _containers.RepeatedScalarFieldContainer[str]
    features: _containers.RepeatedCompositeFieldContainer[_Feature_pb2.FeatureSpecV2]
    labels: _containers.ScalarMap[str, str]
    max_age: _duration_pb2.Duration
    batch_source: _DataSource_pb2.DataSource
    stream_source: _DataSource_pb2.DataSource
    project: str
    def __init__(self, name: _Optional[str] = ..., entities: _Optional[_Iterable[str]] = ..., features: _Optional[_Iterable[_Union[_Feature_pb2.FeatureSpecV2, _Mapping]]] = ..., labels: _Optional[_Mapping[str, str]] = ..., max_age: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., batch_source: _Optional[_Union[_DataSource_pb2.DataSource, _Mapping]] = ..., stream_source: _Optional[_Union[_DataSource_pb2.DataSource, _Mapping]] = ..., project: _Optional[str] = ...) -> None: ...

class FeatureTableMeta(_message.Message):
    __slots__ = ("created_timestamp", "last_updated_timestamp", "revision", "hash")
    CREATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    created_timestamp: _timestamp_pb2.Timestamp
    last_updated_timestamp: _timestamp_pb2.Timestamp
    revision: int
    hash: str
    def __init__(self, created_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_updated_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revision: _Optional[int] = ..., hash: _Optional[str] = ...) -> None: ...
