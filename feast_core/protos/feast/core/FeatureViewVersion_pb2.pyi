import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FeatureViewVersionRecord(_message.Message):
    __slots__ = ("feature_view_name", "project_id", "version_number", "feature_view_type", "feature_view_proto", "created_timestamp", "description", "version_id")
    FEATURE_VIEW_NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_TYPE_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_PROTO_FIELD_NUMBER: _ClassVar[int]
    CREATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    feature_view_name: str
    project_id: str
    version_number: int
    feature_view_type: str
    feature_view_proto: bytes
    created_timestamp: _timestamp_pb2.Timestamp
    description: str
    version_id: str
    def __init__(self, feature_view_name: _Optional[str] = ..., project_id: _Optional[str] = ..., version_number: _Optional[int] = ..., feature_view_type: _Optional[str] = ..., feature_view_proto: _Optional[bytes] = ..., created_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., description: _Optional[str] = ..., version_id: _Optional[str] = ...) -> None: ...

class FeatureViewVersionHistory(_message.Message):
    __slots__ = ("records",)
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[FeatureViewVersionRecord]
    def __init__(self, records: _Optional[_Iterable[_Union[FeatureViewVersionRecord, _Mapping]]] = ...) -> None: ...
