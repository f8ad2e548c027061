"""Data sources of systems feast_core does not read: warehouses (BigQuery, Redshift, Snowflake) and streams
(Kafka, Kinesis).

They are Feast's classes, with Feast's constructors and wire form, so a repository or a registry shared with
Feast that declares them loads, applies, lists and round-trips. A feature view over a stream source is served
from the stream's ``batch_source`` (as in Feast, rows reach the online store by ``push``); reading rows of a
warehouse source fails with a message naming the source and the offline stores that can read it.
"""

from __future__ import annotations

from datetime import timedelta

from . import wire
from .base import check_unmodeled
from .formats import StreamFormat
from .sources import PROTO_KINDS, SOURCE_TYPES, DataSource, source_from_dict

BATCH_BIGQUERY, STREAM_KAFKA, STREAM_KINESIS, BATCH_REDSHIFT, BATCH_SNOWFLAKE, BATCH_ATHENA = 2, 3, 4, 5, 8, 12


class _Options:
    """A source's system-specific settings (Feast's ``bigquery_options``, ``kafka_options``, ...)."""

    fields: tuple[str, ...] = ()

    def __init__(self, **values) -> None:
        for name in self.fields:
            setattr(self, name, values.get(name))

    def to_dict(self) -> dict:
        return {name: getattr(self, name) or "" for name in self.fields}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.to_dict() == self.to_dict()  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_dict()})"


class BigQueryOptions(_Options):
    fields = ("table", "query")


class RedshiftOptions(_Options):
    fields = ("table", "schema", "query", "database")

    @property
    def fully_qualified_table_name(self) -> str:
        """``database.schema.table`` as Redshift resolves the table (schema ``public`` when none is given);
        empty for a query source."""
        if not self.table:
            return ""
        parts = self.table.split(".")
        if len(parts) == 3:
            return self.table
        if len(parts) == 2:
            return f"{self.database}.{self.table}" if self.database else self.table
        schema = self.schema or "public"
        return f"{self.database}.{schema}.{self.table}" if self.database else f"{schema}.{self.table}"


class SnowflakeOptions(_Options):
    fields = ("database", "schema", "table", "query", "warehouse")


class AthenaOptions(_Options):
    fields = ("table", "query", "database", "data_source")


def _option(name: str) -> property:
    """The source's ``name`` setting (``table``, ``database``, ...) as Feast exposes it: "" when unset."""
    return property(lambda self: getattr(self.options, name) or "", doc=f"The source's {name} setting.")


class _Warehouse(DataSource):
    """A table or query of a data warehouse."""

    options_class: type[_Options] = _Options
    options_attribute = ""

    def _init_warehouse(self, name, table, query, timestamp_field, created_timestamp_column, field_mapping,
                        description, tags, owner, **settings) -> None:
        if not table and not query:
            raise ValueError(f"{type(self).__name__} {name!r} needs table= or query=")
        if not name and not table:
            from ..errors import DataSourceNoNameException

            raise DataSourceNoNameException()
        setattr(self, self.options_attribute, self.options_class(table=table, query=query, **settings))
        self._init_source(name or table, timestamp_field, created_timestamp_column, field_mapping, description, tags,
                          owner)

    @property
    def options(self) -> _Options:
        return getattr(self, self.options_attribute)

    table = _option("table")
    query = _option("query")

    def get_table_query_string(self) -> str:
        return f"`{self.table}`" if self.table else f"({self.query})"

    def to_dict(self) -> dict:
        return {**self._source_dict(), "options": self.options.to_dict()}

    @classmethod
    def from_dict(cls, data: dict):
        source = cls.__new__(cls)
        source._init_source(data["name"], data["timestamp_field"], data["created_timestamp_column"],
                            data["field_mapping"], data["description"], data["tags"], data["owner"])
        setattr(source, cls.options_attribute, cls.options_class(**data["options"]))
        return source

    @property
    def MODELED(self) -> tuple[str, ...]:
        return (*DataSource.MODELED_COMMON, self.options_attribute)

    def _build_proto(self):
        proto = self._common_proto()
        options = getattr(proto, self.options_attribute)
        options.SetInParent()
        for name in self.options_class.fields:
            if name in options.DESCRIPTOR.fields_by_name:
                setattr(options, name, getattr(self.options, name) or "")
        return proto

    def _read_options(self, proto) -> None:
        options = getattr(proto, self.options_attribute)
        values = {name: getattr(options, name) for name in self.options_class.fields
                  if name in options.DESCRIPTOR.fields_by_name}
        setattr(self, self.options_attribute, self.options_class(**values))


class BigQuerySource(_Warehouse):
    """A BigQuery table (``project.dataset.table``) or query."""

    type = "bigquery"
    options_class, options_attribute = BigQueryOptions, "bigquery_options"
    proto_type, class_path = BATCH_BIGQUERY, "feast.infra.offline_stores.bigquery_source.BigQuerySource"

    def __init__(self, *, name: str | None = None, timestamp_field: str | None = None, table: str | None = None,
                 created_timestamp_column: str | None = "", field_mapping: dict[str, str] | None = None,
                 query: str | None = None, description: str | None = "", tags: dict[str, str] | None = None,
                 owner: str | None = "") -> None:
        self._init_warehouse(name, table, query, timestamp_field, created_timestamp_column, field_mapping,
                             description, tags, owner)


class RedshiftSource(_Warehouse):
    """A Redshift table or query."""

    type = "redshift"
    options_class, options_attribute = RedshiftOptions, "redshift_options"
    proto_type, class_path = BATCH_REDSHIFT, "feast.infra.offline_stores.redshift_source.RedshiftSource"
    database = _option("database")
    schema = _option("schema")

    def __init__(self, *, name: str | None = None, timestamp_field: str | None = "", table: str | None = None,
                 schema: str | None = None, created_timestamp_column: str | None = "",
                 field_mapping: dict[str, str] | None = None, query: str | None = None,
                 description: str | None = "", tags: dict[str, str] | None = None, owner: str | None = "",
                 database: str | None = "") -> None:
        self._init_warehouse(name, table, query, timestamp_field, created_timestamp_column, field_mapping,
                             description, tags, owner, schema=schema, database=database)


class SnowflakeSource(_Warehouse):
    """A Snowflake table or query."""

    type = "snowflake"
    options_class, options_attribute = SnowflakeOptions, "snowflake_options"
    proto_type, class_path = BATCH_SNOWFLAKE, "feast.infra.offline_stores.snowflake_source.SnowflakeSource"
    database = _option("database")
    schema = _option("schema")
    warehouse = _option("warehouse")

    def __init__(self, *, name: str | None = None, timestamp_field: str | None = "", database: str | None = None,
                 warehouse: str | None = None, schema: str | None = None, table: str | None = None,
                 query: str | None = None, created_timestamp_column: str | None = "",
                 field_mapping: dict[str, str] | None = None, description: str | None = "",
                 tags: dict[str, str] | None = None, owner: str | None = "") -> None:
        self._init_warehouse(name, table, query, timestamp_field, created_timestamp_column, field_mapping,
                             description, tags, owner, database=database, schema=schema, warehouse=warehouse)


class AthenaSource(_Warehouse):
    """An Athena table or query (``data_source`` is Athena's catalog)."""

    type = "athena"
    options_class, options_attribute = AthenaOptions, "athena_options"
    proto_type, class_path = BATCH_ATHENA, "feast.infra.offline_stores.contrib.athena_offline_store.athena_source.AthenaSource"
    database = _option("database")
    data_source = _option("data_source")

    def __init__(self, *, timestamp_field: str | None = "", table: str | None = None, database: str | None = None,
                 data_source: str | None = None, created_timestamp_column: str | None = None,
                 field_mapping: dict[str, str] | None = None, date_partition_column: str | None = None,
                 query: str | None = None, name: str | None = None, description: str | None = "",
                 tags: dict[str, str] | None = None, owner: str | None = "", connection_ref: str | None = None) -> None:
        check_unmodeled("AthenaSource", name or table or "", {
            "date_partition_column": date_partition_column, "connection_ref": connection_ref,
        }, {"date_partition_column": None, "connection_ref": None})
        self._init_warehouse(name, table, query, timestamp_field, created_timestamp_column or "", field_mapping,
                             description, tags, owner, database=database, data_source=data_source)


# ---- streams ---------------------------------------------------------------------------------------------


class KafkaOptions:
    def __init__(self, kafka_bootstrap_servers: str | None, message_format: StreamFormat | None, topic: str | None,
                 watermark_delay_threshold: timedelta | None = None) -> None:
        self.kafka_bootstrap_servers = kafka_bootstrap_servers or ""
        self.message_format = message_format
        self.topic = topic or ""
        self.watermark_delay_threshold = watermark_delay_threshold

    def to_dict(self) -> dict:
        return {
            "kafka_bootstrap_servers": self.kafka_bootstrap_servers, "topic": self.topic,
            "message_format": _format_proto_hex(self.message_format),
            "watermark_delay_threshold": (self.watermark_delay_threshold.total_seconds()
                                          if self.watermark_delay_threshold is not None else None),
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KafkaOptions) and other.to_dict() == self.to_dict()


class KinesisOptions:
    def __init__(self, record_format: StreamFormat | None, region: str | None, stream_name: str | None) -> None:
        self.record_format = record_format
        self.region = region or ""
        self.stream_name = stream_name or ""

    def to_dict(self) -> dict:
        return {"record_format": _format_proto_hex(self.record_format), "region": self.region,
                "stream_name": self.stream_name}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KinesisOptions) and other.to_dict() == self.to_dict()


def _format_proto_hex(fmt: StreamFormat | None) -> str:
    return fmt.to_proto().SerializeToString(deterministic=True).hex() if fmt is not None else ""


def _format_from_hex(text: str) -> StreamFormat | None:
    if not text:
        return None
    from ..protos.feast.core.DataFormat_pb2 import StreamFormat as StreamFormatProto

    return StreamFormat.from_proto(StreamFormatProto.FromString(bytes.fromhex(text)))


class _Stream(DataSource):
    """Messages of a stream; offline, its rows are in ``batch_source``."""

    def _init_stream(self, name, timestamp_field, created_timestamp_column, field_mapping, description, tags, owner,
                     batch_source) -> None:
        if batch_source is not None and not isinstance(batch_source, DataSource):
            raise ValueError(f"{type(self).__name__} {name!r}: batch_source must be a data source, not {batch_source!r}")
        self._batch_source = batch_source
        self._init_source(name, timestamp_field, created_timestamp_column, field_mapping, description, tags, owner)

    @property
    def batch_source(self) -> DataSource | None:  # type: ignore[override]
        return self._batch_source

    def _stream_dict(self) -> dict:
        batch = self._batch_source.to_dict() if self._batch_source is not None else None
        return {**self._source_dict(), "batch_source": batch}

    def _read_batch(self, proto) -> None:
        self._batch_source = DataSource.from_proto(proto.batch_source) if proto.HasField("batch_source") else None

    def _write_batch(self, proto) -> None:
        if self._batch_source is not None:
            proto.batch_source.CopyFrom(self._batch_source.to_proto())


class KafkaSource(_Stream):
    """A Kafka topic."""

    type = "kafka"
    proto_type, class_path = STREAM_KAFKA, "feast.data_source.KafkaSource"
    MODELED = (*DataSource.MODELED_COMMON, "kafka_options", "batch_source")

    def __init__(self, *, name: str, timestamp_field: str, message_format: StreamFormat,
                 bootstrap_servers: str | None = None, kafka_bootstrap_servers: str | None = None,
                 topic: str | None = None, created_timestamp_column: str = "",
                 field_mapping: dict[str, str] | None = None, description: str = "",
                 tags: dict[str, str] | None = None, owner: str = "", batch_source: DataSource | None = None,
                 watermark_delay_threshold: timedelta | None = None) -> None:
        if not isinstance(message_format, StreamFormat):
            raise ValueError(f"KafkaSource {name!r}: message_format must be a stream format such as AvroFormat")
        self.kafka_options = KafkaOptions(kafka_bootstrap_servers or bootstrap_servers, message_format, topic,
                                          watermark_delay_threshold)
        self._init_stream(name, timestamp_field, created_timestamp_column, field_mapping, description, tags, owner,
                          batch_source)

    def to_dict(self) -> dict:
        return {**self._stream_dict(), "kafka_options": self.kafka_options.to_dict()}

    @classmethod
    def from_dict(cls, data: dict) -> KafkaSource:
        options = data["kafka_options"]
        threshold = options.get("watermark_delay_threshold")
        batch = data.get("batch_source")
        return cls(name=data["name"], timestamp_field=data["timestamp_field"],
                   message_format=_format_from_hex(options["message_format"]),
                   kafka_bootstrap_servers=options["kafka_bootstrap_servers"], topic=options["topic"],
                   created_timestamp_column=data["created_timestamp_column"], field_mapping=data["field_mapping"],
                   description=data["description"], tags=data["tags"], owner=data["owner"],
                   batch_source=source_from_dict(batch) if batch else None,
                   watermark_delay_threshold=timedelta(seconds=threshold) if threshold is not None else None)

    def _build_proto(self):
        proto = self._common_proto()
        options = proto.kafka_options
        options.kafka_bootstrap_servers, options.topic = self.kafka_options.kafka_bootstrap_servers, self.kafka_options.topic
        if self.kafka_options.message_format is not None:
            options.message_format.CopyFrom(self.kafka_options.message_format.to_proto())
        wire.set_duration(options, "watermark_delay_threshold", self.kafka_options.watermark_delay_threshold)
        self._write_batch(proto)
        return proto

    def _read_options(self, proto) -> None:
        options = proto.kafka_options
        threshold = options.watermark_delay_threshold.ToTimedelta() if options.HasField("watermark_delay_threshold") else None
        self.kafka_options = KafkaOptions(options.kafka_bootstrap_servers, StreamFormat.from_proto(options.message_format),
                                          options.topic, threshold)
        self._read_batch(proto)


class KinesisSource(_Stream):
    """An AWS Kinesis stream."""

    type = "kinesis"
    proto_type, class_path = STREAM_KINESIS, "feast.data_source.KinesisSource"
    MODELED = (*DataSource.MODELED_COMMON, "kinesis_options", "batch_source")

    def __init__(self, *, name: str, record_format: StreamFormat, region: str, stream_name: str,
                 timestamp_field: str = "", created_timestamp_column: str = "",
                 field_mapping: dict[str, str] | None = None, description: str = "",
                 tags: dict[str, str] | None = None, owner: str = "",
                 batch_source: DataSource | None = None) -> None:
        if not isinstance(record_format, StreamFormat):
            raise ValueError(f"KinesisSource {name!r}: record_format must be a stream format such as JsonFormat")
        self.kinesis_options = KinesisOptions(record_format, region, stream_name)
        self._init_stream(name, timestamp_field, created_timestamp_column, field_mapping, description, tags, owner,
                          batch_source)

    def to_dict(self) -> dict:
        return {**self._stream_dict(), "kinesis_options": self.kinesis_options.to_dict()}

    @classmethod
    def from_dict(cls, data: dict) -> KinesisSource:
        options = data["kinesis_options"]
        batch = data.get("batch_source")
        return cls(name=data["name"], record_format=_format_from_hex(options["record_format"]),
                   region=options["region"], stream_name=options["stream_name"],
                   timestamp_field=data["timestamp_field"], created_timestamp_column=data["created_timestamp_column"],
                   field_mapping=data["field_mapping"], description=data["description"], tags=data["tags"],
                   owner=data["owner"], batch_source=source_from_dict(batch) if batch else None)

    def _build_proto(self):
        proto = self._common_proto()
        options = proto.kinesis_options
        options.region, options.stream_name = self.kinesis_options.region, self.kinesis_options.stream_name
        if self.kinesis_options.record_format is not None:
            options.record_format.CopyFrom(self.kinesis_options.record_format.to_proto())
        self._write_batch(proto)
        return proto

    def _read_options(self, proto) -> None:
        options = proto.kinesis_options
        self.kinesis_options = KinesisOptions(StreamFormat.from_proto(options.record_format), options.region,
                                              options.stream_name)
        self._read_batch(proto)


FOREIGN_SOURCES = (BigQuerySource, RedshiftSource, SnowflakeSource, AthenaSource, KafkaSource, KinesisSource)
STREAM_SOURCES = (KafkaSource, KinesisSource)
PROTO_KINDS.update({cls.proto_type: cls for cls in FOREIGN_SOURCES})
SOURCE_TYPES.update({cls.type: cls for cls in FOREIGN_SOURCES})

__all__ = [
    "AthenaOptions", "AthenaSource", "BigQueryOptions", "BigQuerySource", "FOREIGN_SOURCES", "KafkaOptions", "KafkaSource", "KinesisOptions",
    "KinesisSource", "RedshiftOptions", "RedshiftSource", "STREAM_SOURCES", "SnowflakeOptions", "SnowflakeSource",
]
