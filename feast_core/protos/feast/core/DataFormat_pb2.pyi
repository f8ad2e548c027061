from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FileFormat(_message.Message):
    __slots__ = ("parquet_format", "delta_format")
    class ParquetFormat(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    PARQUET_FORMAT_FIELD_NUMBER: _ClassVar[int]
    DELTA_FORMAT_FIELD_NUMBER: _ClassVar[int]
    parquet_format: FileFormat.ParquetFormat
    delta_format: TableFormat.DeltaFormat
    def __init__(self, parquet_format: _Optional[_Union[FileFormat.ParquetFormat, _Mapping]] = ..., delta_format: _Optional[_Union[TableFormat.DeltaFormat, _Mapping]] = ...) -> None: ...

class TableFormat(_message.Message):
    __slots__ = ("iceberg_format", "delta_format", "hudi_format", "lance_format")
    class IcebergFormat(_message.Message):
        __slots__ = ("catalog", "namespace", "properties")
        class PropertiesEntry(_message.Message):
            __slots__ = ("key", "value")
            KEY_FIELD_NUMBER: _ClassVar[int]
            VALUE_FIELD_NUMBER: _ClassVar[int]
            key: str
            value: str
            def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
        CATALOG_FIELD_NUMBER: _ClassVar[int]
        NAMESPACE_FIELD_NUMBER: _ClassVar[int]
        PROPERTIES_FIELD_NUMBER: _ClassVar[int]
        catalog: str
        namespace: str
        properties: _containers.ScalarMap[str, str]
        def __init__(self, catalog: _Optional[str] = ..., namespace: _Optional[str] = ..., properties: _Optional[_Mapping[str, str]] = ...) -> None: ...
    class DeltaFormat(_message.Message):
        __slots__ = ("checkpoint_location", "properties")
        class PropertiesEntry(_message.Message):
            __slots__ = ("key", "value")
            KEY_FIELD_NUMBER: _ClassVar[int]
            VALUE_FIELD_NUMBER: _ClassVar[int]
            key: str
            value: str
            def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
        CHECKPOINT_LOCATION_FIELD_NUMBER: _ClassVar[int]
        PROPERTIES_FIELD_NUMBER: _ClassVar[int]
        checkpoint_location: str
        properties: _containers.ScalarMap[str, str]
        def __init__(self, checkpoint_location: _Optional[str] = ..., properties: _Optional[_Mapping[str, str]] = ...) -> None: ...
    class HudiFormat(_message.Message):
        __slots__ = ("table_type", "record_key", "precombine_field", "properties")
        class PropertiesEntry(_message.Message):
            __slots__ = ("key", "value")
            KEY_FIELD_NUMBER: _ClassVar[int]
            VALUE_FIELD_NUMBER: _ClassVar[int]
            key: str
            value: str
            def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
        TABLE_TYPE_FIELD_NUMBER: _ClassVar[int]
        RECORD_KEY_FIELD_NUMBER: _ClassVar[int]
        PRECOMBINE_FIELD_FIELD_NUMBER: _ClassVar[int]
        PROPERTIES_FIELD_NUMBER: _ClassVar[int]
        table_type: str
        record_key: str
        precombine_field: str
        properties: _containers.ScalarMap[str, str]
        def __init__(self, table_type: _Optional[str] = ..., record_key: _Optional[str] = ..., precombine_field: _Optional[str] = ..., properties: _Optional[_Mapping[str, str]] = ...) -> None: ...
    class LanceFormat(_message.Message):
        __slots__ = ("catalog", "namespace", "version", "tag", "properties")
        class PropertiesEntry(_message.Message):
            __slots__ = ("key", "value")
            KEY_FIELD_NUMBER: _ClassVar[int]
            VALUE_FIELD_NUMBER: _ClassVar[int]
            key: str
            value: str
            def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
        CATALOG_FIELD_NUMBER: _ClassVar[int]
        NAMESPACE_FIELD_NUMBER: _ClassVar[int]
        VERSION_FIELD_NUMBER: _ClassVar[int]
        TAG_FIELD_NUMBER: _ClassVar[int]
        PROPERTIES_FIELD_NUMBER: _ClassVar[int]
        catalog: str
        namespace: str
        version: int
        tag: str
        properties: _containers.ScalarMap[str, str]
        def __init__(self, catalog: _Optional[str] = ..., namespace: _Optional[str] = ..., version: _Optional[int] = ..., tag: _Optional[str] = ..., properties: _Optional[_Mapping[str, str]] = ...) -> None: ...
    ICEBERG_FORMAT_FIELD_NUMBER: _ClassVar[int]
    DELTA_FORMAT_FIELD_NUMBER: _ClassVar[int]
    HUDI_FORMAT_FIELD_NUMBER: _ClassVar[int]
    LANCE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    iceberg_format: TableFormat.IcebergFormat
    delta_format: TableFormat.DeltaFormat
    hudi_format: TableFormat.HudiFormat
    lance_format: TableFormat.LanceFormat
    def __init__(self, iceberg_format: _Optional[_Union[TableFormat.IcebergFormat, _Mapping]] = ..., delta_format: _Optional[_Union[TableFormat.DeltaFormat, _Mapping]] = ..., hudi_format: _Optional[_Union[TableFormat.HudiFormat, _Mapping]] = ..., lance_format: _Optional[_Union[TableFormat.LanceFormat, _Mapping]] = ...) -> None: ...

class StreamFormat(_message.Message):
    __slots__ = ("avro_format", "proto_format", "json_format")
    class ProtoFormat(_message.Message):
        __slots__ = ("class_path",)
        CLASS_PATH_FIELD_NUMBER: _ClassVar[int]
        class_path: str
        def __init__(self, class_path: _Optional[str] = ...) -> None: ...
    class AvroFormat(_message.Message):
        __slots__ = ("schema_json",)
        SCHEMA_JSON_FIELD_NUMBER: _ClassVar[int]
        schema_json: str
        def __init__(self, schema_json: _Optional[str] = ...) -> None: ...
    class JsonFormat(_message.Message):
        __slots__ = ("schema_json",)
        SCHEMA_JSON_FIELD_NUMBER: _ClassVar[int]
        schema_json: str
        def __init__(self, schema_json: _Optional[str] = ...) -> None: ...
    AVRO_FORMAT_FIELD_NUMBER: _ClassVar[int]
    PROTO_FORMAT_FIELD_NUMBER: _ClassVar[int]
    JSON_FORMAT_FIELD_NUMBER: _ClassVar[int]
    avro_format: StreamFormat.AvroFormat
    proto_format: StreamFormat.ProtoFormat
    json_format: StreamFormat.JsonFormat
    def __init__(self, avro_format: _Optional[_Union[StreamFormat.AvroFormat, _Mapping]] = ..., proto_format: _Optional[_Union[StreamFormat.ProtoFormat, _Mapping]] = ..., json_format: _Optional[_Union[StreamFormat.JsonFormat, _Mapping]] = ...) -> None: ...
