from google.protobuf import wrappers_pb2 as _wrappers_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DatastoreTable(_message.Message):
    __slots__ = ("project", "name", "project_id", "namespace", "database")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    DATABASE_FIELD_NUMBER: _ClassVar[int]
    project: str
    name: str
    project_id: _wrappers_pb2.StringValue
    namespace: _wrappers_pb2.StringValue
    database: _wrappers_pb2.StringValue
    def __init__(self, project: _Optional[str] = ..., name: _Optional[str] = ..., project_id: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., namespace: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., database: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...
