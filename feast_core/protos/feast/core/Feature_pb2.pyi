from feast_core.protos.feast.types import Value_pb2 as _Value_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FeatureSpecV2(_message.Message):
    __slots__ = ("name", "value_type", "tags", "description", "vector_index", "vector_search_metric", "vector_length")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_TYPE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    VECTOR_INDEX_FIELD_NUMBER: _ClassVar[int]
    VECTOR_SEARCH_METRIC_FIELD_NUMBER: _ClassVar[int]
    VECTOR_LENGTH_FIELD_NUMBER: _ClassVar[int]
    name: str
    value_type: _Value_pb2.ValueType.Enum
    tags: _containers.ScalarMap[str, str]
    description: str
    vector_index: bool
    vector_search_metric: str
    vector_length: int
    def __init__(self, name: _Optional[str] = ..., value_type: _Optional[_Union[_Value_pb2.ValueType.Enum, str]] = ..., tags: _Optional[_Mapping[str, str]] = ..., description: _Optional[str] = ..., vector_index: _Optional[bool] = ..., vector_search_metric: _Optional[str] = ..., vector_length: _Optional[int] = ...) -> None: ...
