from feast_core.protos.feast.core import DatastoreTable_pb2 as _DatastoreTable_pb2
from feast_core.protos.feast.core import SqliteTable_pb2 as _SqliteTable_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Infra(_message.Message):
    __slots__ = ("infra_objects",)
    INFRA_OBJECTS_FIELD_NUMBER: _ClassVar[int]
    infra_objects: _containers.RepeatedCompositeFieldContainer[InfraObject]
    def __init__(self, infra_objects: _Optional[_Iterable[_Union[InfraObject, _Mapping]]] = ...) -> None: ...

class InfraObject(_message.Message):
    __slots__ = ("infra_object_class_type", "datastore_table", "sqlite_table", "custom_infra")
    class CustomInfra(_message.Message):
        __slots__ = ("field",)
        FIELD_FIELD_NUMBER: _ClassVar[int]
        field: bytes
        def __init__(self, field: _Optional[bytes] = ...) -> None: ...
    INFRA_OBJECT_CLASS_TYPE_FIELD_NUMBER: _ClassVar[int]
    DATASTORE_TABLE_FIELD_NUMBER: _ClassVar[int]
    SQLITE_TABLE_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_INFRA_FIELD_NUMBER: _ClassVar[int]
    infra_object_class_type: str
    datastore_table: _DatastoreTable_pb2.DatastoreTable
    sqlite_table: _SqliteTable_pb2.SqliteTable
    custom_infra: InfraObject.CustomInfra
    def __init__(self, infra_object_class_type: _Optional[str] = ..., datastore_table: _Optional[_Union[_DatastoreTable_pb2.DatastoreTable, _Mapping]] = ..., sqlite_table: _Optional[_Union[_SqliteTable_pb2.SqliteTable, _Mapping]] = ..., custom_infra: _Optional[_Union[InfraObject.CustomInfra, _Mapping]] = ...) -> None: ...
