import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from feast_core.protos.feast.core import FeatureViewProjection_pb2 as _FeatureViewProjection_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FeatureService(_message.Message):
    __slots__ = ("spec", "meta")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    spec: FeatureServiceSpec
    meta: FeatureServiceMeta
    def __init__(self, spec: _Optional[_Union[FeatureServiceSpec, _Mapping]] = ..., meta: _Optional[_Union[FeatureServiceMeta, _Mapping]] = ...) -> None: ...

class FeatureServiceSpec(_message.Message):
    __slots__ = ("name", "project", "features", "tags", "description", "owner", "logging_config", "precompute_online")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    LOGGING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    PRECOMPUTE_ONLINE_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    features: _containers.RepeatedCompositeFieldContainer[_FeatureViewProjection_pb2.FeatureViewProjection]
    tags: _containers.ScalarMap[str, str]
    description: str
    owner: str
    logging_config: LoggingConfig
    precompute_online: bool
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., features: _Optional[_Iterable[_Union[_FeatureViewProjection_pb2.FeatureViewProjection, _Mapping]]] = ..., tags: _Optional[_Mapping[str, str]] = ..., description: _Optional[str] = ..., owner: _Optional[str] = ..., logging_config: _Optional[_Union[LoggingConfig, _Mapping]] = ..., precompute_online: _Optional[bool] = ...) -> None: ...

class FeatureServiceMeta(_message.Message):
    __slots__ = ("created_timestamp", "last_updated_timestamp")
    CREATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    created_timestamp: _timestamp_pb2.Timestamp
    last_updated_timestamp: _timestamp_pb2.Timestamp
    def __init__(self, created_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_updated_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LoggingConfig(_message.Message):
    __slots__ = ("sample_rate", "file_destination", "bigquery_destination", "redshift_destination", "snowflake_destination", "custom_destination", "athena_destination", "couchbase_columnar_destination")
    class FileDestination(_message.Message):
        __slots__ = ("path", "s3_endpoint_override", "partition_by")
        PATH_FIELD_NUMBER: _ClassVar[int]
        S3_ENDPOINT_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
        PARTITION_BY_FIELD_NUMBER: _ClassVar[int]
        path: str
        s3_endpoint_override: str
        partition_by: _containers.RepeatedScalarFieldContainer[str]
        def __init__(self, path: _Optional[str] = ..., s3_endpoint_override: _Optional[str] = ..., partition_by: _Optional[_Iterable[str]] = ...) -> None: ...
    class BigQueryDestination(_message.Message):
        __slots__ = ("table_ref",)
        TABLE_REF_FIELD_NUMBER: _ClassVar[int]
        table_ref: str
        def __init__(self, table_ref: _Optional[str] = ...) -> None: ...
    class RedshiftDestination(_message.Message):
        __slots__ = ("table_name",)
        TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
        table_name: str
        def __init__(self, table_name: _Optional[str] = ...) -> None: ...
    class AthenaDestination(_message.Message):
        __slots__ = ("table_name",)
        TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
        table_name: str
        def __init__(self, table_name: _Optional[str] = ...) -> None: ...
    class SnowflakeDestination(_message.Message):
        __slots__ = ("table_name",)
        TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
        table_name: str
        def __init__(self, table_name: _Optional[str] = ...) -> None: ...
    class CustomDestination(_message.Message):
        __slots__ = ("kind", "config")
        class ConfigEntry(_message.Message):
            __slots__ = ("key", "value")
            KEY_FIELD_NUMBER: _ClassVar[int]
            VALUE_FIELD_NUMBER: _ClassVar[int]
            key: str
            value: str
            def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
        KIND_FIELD_NUMBER: _ClassVar[int]
        CONFIG_FIELD_NUMBER: _ClassVar[int]
        kind: str
        config: _containers.ScalarMap[str, str]
        def __init__(self, kind: _Optional[str] = ..., config: _Optional[_Mapping[str, str]] = ...) -> None: ...
    class CouchbaseColumnarDestination(_message.Message):
        __slots__ = ("database", "scope", "collection")
        DATABASE_FIELD_NUMBER: _ClassVar[int]
        SCOPE_FIELD_NUMBER: _ClassVar[int]
        COLLECTION_FIELD_NUMBER: _ClassVar[int]
        database: str
        scope: str
        collection: str
        def __init__(self, database: _Optional[str] = ..., scope: _Optional[str] = ..., collection: _Optional[str] = ...) -> None: ...
    SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    FILE_DESTINATION_FIELD_NUMBER: _ClassVar[int]
    BIGQUERY_DESTINATION_FIELD_NUMBER: _ClassVar[int]
    REDSHIFT_DESTINATION_FIELD_NUMBER: _ClassVar[int]
    SNOWFLAKE_DESTINATION_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_DESTINATION_FIELD_NUMBER: _ClassVar[int]
    ATHENA_DESTINATION_FIELD_NUMBER: _ClassVar[int]
    COUCHBASE_COLUMNAR_DESTINATION_FIELD_NUMBER: _ClassVar[int]
    sample_rate: float
    file_destination: LoggingConfig.FileDestination
    bigquery_destination: LoggingConfig.BigQueryDestination
    redshift_destination: LoggingConfig.RedshiftDestination
    snowflake_destination: LoggingConfig.SnowflakeDestination
    custom_destination: LoggingConfig.CustomDestination
    athena_destination: LoggingConfig.AthenaDestination
    couchbase_columnar_destination: LoggingConfig.CouchbaseColumnarDestination
    def __init__(self, sample_rate: _Optional[float] = ..., file_destination: _Optional[_Union[LoggingConfig.FileDestination, _Mapping]] = ..., bigquery_destination: _Optional[_Union[LoggingConfig.BigQueryDestination, _Mapping]] = ..., redshift_destination: _Optional[_Union[LoggingConfig.RedshiftDestination, _Mapping]] = ..., snowflake_destination: _Optional[_Union[LoggingConfig.SnowflakeDestination, _Mapping]] = ..., custom_destination: _Optional[_Union[LoggingConfig.CustomDestination, _Mapping]] = ..., athena_destination: _Optional[_Union[LoggingConfig.AthenaDestination, _Mapping]] = ..., couchbase_columnar_destination: _Optional[_Union[LoggingConfig.CouchbaseColumnarDestination, _Mapping]] = ...) -> None: ...

class FeatureServiceList(_message.Message):
    __slots__ = ("featureservices",)
    FEATURESERVICES_FIELD_NUMBER: _ClassVar[int]
    featureservices: _containers.RepeatedCompositeFieldContainer[FeatureService]
    def __init__(self, featureservices: _Optional[_Iterable[_Union[FeatureService, _Mapping]]] = ...) -> None: ...
