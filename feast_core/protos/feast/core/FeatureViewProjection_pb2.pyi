from feast_core.protos.feast.core import DataSource_pb2 as _DataSource_pb2
from feast_core.protos.feast.core import Feature_pb2 as _Feature_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FeatureViewProjection(_message.Message):
    __slots__ = ("feature_view_name", "feature_columns", "feature_view_name_alias", "join_key_map", "timestamp_field", "date_partition_column", "created_timestamp_column", "batch_source", "stream_source", "version_tag", "view_type")
    class JoinKeyMapEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    FEATURE_VIEW_NAME_FIELD_NUMBER: _ClassVar[int]
    FEATURE_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_NAME_ALIAS_FIELD_NUMBER: _ClassVar[int]
    JOIN_KEY_MAP_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_FIELD_NUMBER: _ClassVar[int]
    DATE_PARTITION_COLUMN_FIELD_NUMBER: _ClassVar[int]
    CREATED_TIMESTAMP_COLUMN_FIELD_NUMBER: _ClassVar[int]
    BATCH_SOURCE_FIELD_NUMBER: _ClassVar[int]
    STREAM_SOURCE_FIELD_NUMBER: _ClassVar[int]
    VERSION_TAG_FIELD_NUMBER: _ClassVar[int]
    VIEW_TYPE_FIELD_NUMBER: _ClassVar[int]
    feature_view_name: str
    feature_columns: _containers.RepeatedCompositeFieldContainer[_Feature_pb2.FeatureSpecV2]
    feature_view_name_alias: str
    join_key_map: _containers.ScalarMap[str, str]
    timestamp_field: str
    date_partition_column: str
    created_timestamp_column: str
    batch_source: _DataSource_pb2.DataSource
    stream_source: _DataSource_pb2.DataSource
    version_tag: int
    view_type: str
    def __init__(self, feature_view_name: _Optional[str] = ..., feature_columns: _Optional[_Iterable[_Union[_Feature_pb2.FeatureSpecV2, _Mapping]]] = ..., feature_view_name_alias: _Optional[str] = ..., join_key_map: _Optional[_Mapping[str, str]] = ..., timestamp_field: _Optional[str] = ..., date_partition_column: _Optional[str] = ..., created_timestamp_column: _Optional[str] = ..., batch_source: _Optional[_Union[_DataSource_pb2.DataSource, _Mapping]] = ..., stream_source: _Optional[_Union[_DataSource_pb2.DataSource, _Mapping]] = ..., version_tag: _Optional[int] = ..., view_type: _Optional[str] = ...) -> None: ...
