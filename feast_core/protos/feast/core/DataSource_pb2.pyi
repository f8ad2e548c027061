import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from feast_core.protos.feast.core import DataFormat_pb2 as _DataFormat_pb2
from feast_core.protos.feast.core import Feature_pb2 as _Feature_pb2
from feast_core.protos.feast.types import Value_pb2 as _Value_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DataSource(_message.Message):
    __slots__ = ("type", "field_mapping", "timestamp_field", "date_partition_column", "created_timestamp_column", "file_options", "bigquery_options", "kafka_options", "kinesis_options", "redshift_options", "custom_options", "request_data_options", "snowflake_options", "push_options", "spark_options", "trino_options", "athena_options", "data_source_class_type", "name", "project", "description", "tags", "owner", "batch_source", "timestamp_field_type", "meta")
    class SourceType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        INVALID: _ClassVar[DataSource.SourceType]
        BATCH_FILE: _ClassVar[DataSource.SourceType]
        BATCH_BIGQUERY: _ClassVar[DataSource.SourceType]
        STREAM_KAFKA: _ClassVar[DataSource.SourceType]
        STREAM_KINESIS: _ClassVar[DataSource.SourceType]
        BATCH_REDSHIFT: _ClassVar[DataSource.SourceType]
        CUSTOM_SOURCE: _ClassVar[DataSource.SourceType]
        REQUEST_SOURCE: _ClassVar[DataSource.SourceType]
        BATCH_SNOWFLAKE: _ClassVar[DataSource.SourceType]
        PUSH_SOURCE: _ClassVar[DataSource.SourceType]
        BATCH_TRINO: _ClassVar[DataSource.SourceType]
        BATCH_SPARK: _ClassVar[DataSource.SourceType]
        BATCH_ATHENA: _ClassVar[DataSource.SourceType]
        BATCH_ICEBERG: _ClassVar[DataSource.SourceType]
    INVALID: DataSource.SourceType
    BATCH_FILE: DataSource.SourceType
    BATCH_BIGQUERY: DataSource.SourceType
    STREAM_KAFKA: DataSource.SourceType
    STREAM_KINESIS: DataSource.SourceType
    BATCH_REDSHIFT: DataSource.SourceType
    CUSTOM_SOURCE: DataSource.SourceType
    REQUEST_SOURCE: DataSource.SourceType
    BATCH_SNOWFLAKE: DataSource.SourceType
    PUSH_SOURCE: DataSource.SourceType
    BATCH_TRINO: DataSource.SourceType
    BATCH_SPARK: DataSource.SourceType
    BATCH_ATHENA: DataSource.SourceType
    BATCH_ICEBERG: DataSource.SourceType
    class SourceMeta(_message.Message):
        __slots__ = ("earliestEventTimestamp", "latestEventTimestamp", "created_timestamp", "last_updated_timestamp")
        EARLIESTEVENTTIMESTAMP_FIELD_NUMBER: _ClassVar[int]
        LATESTEVENTTIMESTAMP_FIELD_NUMBER: _ClassVar[int]
        CREATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
        LAST_UPDATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
        earliestEventTimestamp: _timestamp_pb2.Timestamp
        latestEventTimestamp: _timestamp_pb2.Timestamp
        created_timestamp: _timestamp_pb2.Timestamp
        last_updated_timestamp: _timestamp_pb2.Timestamp
        def __init__(self, earliestEventTimestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., latestEventTimestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_updated_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
    class FileOptions(_message.Message):
        __slots__ = ("file_format", "uri", "s3_endpoint_override")
        FILE_FORMAT_FIELD_NUMBER: _ClassVar[int]
        URI_FIELD_NUMBER: _ClassVar[int]
        S3_ENDPOINT_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
        file_format: _DataFormat_pb2.FileFormat
        uri: str
        s3_endpoint_override: str
        def __init__(self, file_format: _Optional[_Union[_DataFormat_pb2.FileFormat, _Mapping]] = ..., uri: _Optional[str] = ..., s3_endpoint_override: _Optional[str] = ...) -> None: ...
    class BigQueryOptions(_message.Message):
        __slots__ = ("table", "query")
        TABLE_FIELD_NUMBER: _ClassVar[int]
        QUERY_FIELD_NUMBER: _ClassVar[int]
        table: str
        query: str
        def __init__(self, table: _Optional[str] = ..., query: _Optional[str] = ...) -> None: ...
    class TrinoOptions(_message.Message):
        __slots__ = ("table", "query")
        TABLE_FIELD_NUMBER: _ClassVar[int]
        QUERY_FIELD_NUMBER: _ClassVar[int]
        table: str
        query: str
        def __init__(self, table: _Optional[str] = ..., query: _Optional[str] = ...) -> None: ...
    class KafkaOptions(_message.Message):
        __slots__ = ("kafka_bootstrap_servers", "topic", "message_format", "watermark_delay_threshold")
        KAFKA_BOOTSTRAP_SERVERS_FIELD_NUMBER: _ClassVar[int]
        TOPIC_FIELD_NUMBER: _ClassVar[int]
        MESSAGE_FORMAT_FIELD_NUMBER: _ClassVar[int]
        WATERMARK_DELAY_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
        kafka_bootstrap_servers: str
        topic: str
        message_format: _DataFormat_pb2.StreamFormat
        watermark_delay_threshold: _duration_pb2.Duration
        def __init__(self, kafka_bootstrap_servers: _Optional[str] = ..., topic: _Optional[str] = ..., message_format: _Optional[_Union[_DataFormat_pb2.StreamFormat, _Mapping]] = ..., watermark_delay_threshold: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...
    class KinesisOptions(_message.Message):
        __slots__ = ("region", "stream_name", "record_format")
        REGION_FIELD_NUMBER: _ClassVar[int]
        STREAM_NAME_FIELD_NUMBER: _ClassVar[int]
        RECORD_FORMAT_FIELD_NUMBER: _ClassVar[int]
        region: str
        stream_name: str
        record_format: _DataFormat_pb2.StreamFormat
        def __init__(self, region: _Optional[str] = ..., stream_name: _Optional[str] = ..., record_format: _Optional[_Union[_DataFormat_pb2.StreamFormat, _Mapping]] = ...) -> None: ...
    class RedshiftOptions(_message.Message):
        __slots__ = ("table", "query", "schema", "database")
        TABLE_FIELD_NUMBER: _ClassVar[int]
        QUERY_FIELD_NUMBER: _ClassVar[int]
        SCHEMA_FIELD_NUMBER: _ClassVar[int]
        DATABASE_FIELD_NUMBER: _ClassVar[int]
        table: str
        query: str
        schema: str
        database: str
        def __init__(self, table: _Optional[str] = ..., query: _Optional[str] = ..., schema: _Optional[str] = ..., database: _Optional[str] = ...) -> None: ...
    class AthenaOptions(_message.Message):
        __slots__ = ("table", "query", "database", "data_source")
        TABLE_FIELD_NUMBER: _ClassVar[int]
        QUERY_FIELD_NUMBER: _ClassVar[int]
        DATABASE_FIELD_NUMBER: _ClassVar[int]
        DATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
        table: str
        query: str
        database: str
        data_source: str
        def __init__(self, table: _Optional[str] = ..., query: _Optional[str] = ..., database: _Optional[str] = ..., data_source: _Optional[str] = ...) -> None: ...
    class SnowflakeOptions(_message.Message):
        __slots__ = ("table", "query", "schema", "database")
        TABLE_FIELD_NUMBER: _ClassVar[int]
        QUERY_FIELD_NUMBER: _ClassVar[int]
        SCHEMA_FIELD_NUMBER: _ClassVar[int]
        DATABASE_FIELD_NUMBER: _ClassVar[int]
        table: str
        query: str
        schema: str
        database: str
        def __init__(self, table: _Optional[str] = ..., query: _Optional[str] = ..., schema: _Optional[str] = ..., database: _Optional[str] = ...) -> None: ...
    class SparkOptions(_message.Message):
        __slots__ = ("table", "query", "path", "file_format", "date_partition_column_format", "table_format")
        TABLE_FIELD_NUMBER: _ClassVar[int]
        QUERY_FIELD_NUMBER: _ClassVar[int]
        PATH_FIELD_NUMBER: _ClassVar[int]
        FILE_FORMAT_FIELD_NUMBER: _ClassVar[int]
        DATE_PARTITION_COLUMN_FORMAT_FIELD_NUMBER: _ClassVar[int]
        TABLE_FORMAT_FIELD_NUMBER: _ClassVar[int]
        table: str
        query: str
        path: str
        file_format: str
        date_partition_column_format: str
        table_format: _DataFormat_pb2.TableFormat
        def __init__(self, table: _Optional[str] = ..., query: _Optional[str] = ..., path: _Optional[str] = ..., file_format: _Optional[str] = ..., date_partition_column_format: _Optional[str] = ..., table_format: _Optional[_Union[_DataFormat_pb2.TableFormat, _Mapping]] = ...) -> None: ...
    class CustomSourceOptions(_message.Message):
        __slots__ = ("configuration",)
        CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
        configuration: bytes
        def __init__(self, configuration: _Optional[bytes] = ...) -> None: ...
    class RequestDataOptions(_message.Message):
        __slots__ = ("deprecated_schema", "schema")
        class DeprecatedSchemaEntry(_message.Message):
            __slots__ = ("key", "value")
            KEY_FIELD_NUMBER: _ClassVar[int]
            VALUE_FIELD_NUMBER: _ClassVar[int]
            key: str
            value: _Value_pb2.ValueType.Enum
            def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_Value_pb2.ValueType.Enum, str]] = ...) -> None: ...
        DEPRECATED_SCHEMA_FIELD_NUMBER: _ClassVar[int]
        SCHEMA_FIELD_NUMBER: _ClassVar[int]
        deprecated_schema: _containers.ScalarMap[str, _Value_pb2.ValueType.Enum]
        schema: _containers.RepeatedCompositeFieldContainer[_Feature_pb2.FeatureSpecV2]
        def __init__(self, deprecated_schema: _Optional[_Mapping[str, _Value_pb2.ValueType.Enum]] = ..., schema: _Optional[_Iterable[_Union[_Feature_pb2.FeatureSpecV2, _Mapping]]] = ...) -> None: ...
    class PushOptions(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    class FieldMappingEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TYPE_FIELD_NUMBER: _ClassVar[int]
    FIELD_MAPPING_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_FIELD_NUMBER: _ClassVar[int]
    DATE_PARTITION_COLUMN_FIELD_NUMBER: _ClassVar[int]
    CREATED_TIMESTAMP_COLUMN_FIELD_NUMBER: _ClassVar[int]
    FILE_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    BIGQUERY_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    KAFKA_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    KINESIS_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    REDSHIFT_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_DATA_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    SNOWFLAKE_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    PUSH_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    SPARK_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    TRINO_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    ATHENA_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    DATA_SOURCE_CLASS_TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    BATCH_SOURCE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_TYPE_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    type: DataSource.SourceType
    field_mapping: _containers.ScalarMap[str, str]
    timestamp_field: str
    date_partition_column: str
    created_timestamp_column: str
    file_options: DataSource.FileOptions
    bigquery_options: DataSource.BigQueryOptions
    kafka_options: DataSource.KafkaOptions
    kinesis_options: DataSource.KinesisOptions
    redshift_options: DataSource.RedshiftOptions
    custom_options: DataSource.CustomSourceOptions
    request_data_options: DataSource.RequestDataOptions
    snowflake_options: DataSource.SnowflakeOptions
    push_options: DataSource.PushOptions
    spark_options: DataSource.SparkOptions
    trino_options: DataSource.TrinoOptions
    athena_options: DataSource.AthenaOptions
    data_source_class_type: str
    name: str
    project: str
    description: str
    tags: _containers.ScalarMap[str, str]
    owner: str
    batch_source: DataSource
    timestamp_field_type: str
    meta: DataSource.SourceMeta
    def __init__(self, type: _Optional[_Union[DataSource.SourceType, str]] = ..., field_mapping: _Optional[_Mapping[str, str]] = ..., timestamp_field: _Optional[str] = ..., date_partition_column: _Optional[str] = ..., created_timestamp_column: _Optional[str] = ..., file_options: _Optional[_Union[DataSource.FileOptions, _Mapping]] = ..., bigquery_options: _Optional[_Union[DataSource.BigQueryOptions, _Mapping]] = ..., kafka_options: _Optional[_Union[DataSource.KafkaOptions, _Mapping]] = ..., kinesis_options: _Optional[_Union[DataSource.KinesisOptions, _Mapping]] = ..., redshift_options: _Optional[_Union[DataSource.RedshiftOptions, _Mapping]] = ..., custom_options: _Optional[_Union[DataSource.CustomSourceOptions, _Mapping]] = ..., request_data_options: _Optional[_Union[DataSource.RequestDataOptions, _Mapping]] = ..., snowflake_options: _Optional[_Union[DataSource.SnowflakeOptions, _Mapping]] = ..., push_options: _Optional[_Union[DataSource.PushOptions, _Mapping]] = ..., spark_options: _Optional[_Union[DataSource.SparkOptions, _Mapping]] = ..., trino_options: _Optional[_Union[DataSource.TrinoOptions, _Mapping]] = ..., athena_options: _Optional[_Union[DataSource.AthenaOptions, _Mapping]] = ..., data_source_class_type: _Optional[str] = ..., name: _Optional[str] = ..., project: _Optional[str] = ..., description: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., owner: _Optional[str] = ..., batch_source: _Optional[_Union[DataSource, _Mapping]] = ..., timestamp_field_type: _Optional[str] = ..., meta: _Optional[_Union[DataSource.SourceMeta, _Mapping]] = ...) -> None: ...

class DataSourceList(_message.Message):
    __slots__ = ("datasources",)
    DATASOURCES_FIELD_NUMBER: _ClassVar[int]
    datasources: _containers.RepeatedCompositeFieldContainer[DataSource]
    def __init__(self, datasources: _Optional[_Iterable[_Union[DataSource, _Mapping]]] = ...) -> None: ...
