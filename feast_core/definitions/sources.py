"""Where feature rows come from: files, PostgreSQL tables or queries, pushes, request data."""

from __future__ import annotations

import base64
import json

from ..timestamps import utc_now
from . import wire
from .base import Described, check_tags
from .field import Field

# DataSource.SourceType numbers and the class paths Feast loads each kind with
BATCH_FILE, CUSTOM_SOURCE, REQUEST_SOURCE, PUSH_SOURCE, BATCH_SPARK = 1, 6, 7, 9, 11
FILE_SOURCE_CLASS = "feast.infra.offline_stores.file_source.FileSource"
POSTGRES_SOURCE_CLASS = "feast.infra.offline_stores.contrib.postgres_offline_store.postgres_source.PostgreSQLSource"
PUSH_SOURCE_CLASS = "feast.data_source.PushSource"
SPARK_SOURCE_CLASS = "feast.infra.offline_stores.contrib.spark_offline_store.spark_source.SparkSource"
REQUEST_SOURCE_CLASS = "feast.data_source.RequestSource"


class DataSource(Described):
    kind = "data source"
    type = ""

    def _init_source(
        self,
        name: str,
        timestamp_field: str,
        created_timestamp_column: str,
        field_mapping: dict[str, str] | None,
        description: str,
        tags: dict | None,
        owner: str,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"{type(self).__name__} needs a name")
        self.name = name
        self.description = description or ""
        self.tags = check_tags(self.kind, name, tags)
        self.owner = owner or ""
        self.timestamp_field = timestamp_field or ""
        self.created_timestamp_column = created_timestamp_column or ""
        mapping = field_mapping or {}
        if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
            raise ValueError(f"data source {name!r}: field_mapping must map source column names to names")
        self.field_mapping = dict(mapping)

    def _source_dict(self) -> dict:
        return {
            **self._meta_dict(),
            "type": self.type,
            "timestamp_field": self.timestamp_field,
            "created_timestamp_column": self.created_timestamp_column,
            "field_mapping": self.field_mapping,
        }

    @property
    def batch_source(self) -> DataSource:
        """The source that rows are read from offline (a push source's batch source, else itself)."""
        return self

    def mapped(self, column: str) -> str:
        """The name a source column takes once field_mapping is applied."""
        return self.field_mapping.get(column, column)

    def source_column(self, name: str) -> str:
        """The source column behind a (mapped) name."""
        for src, dst in self.field_mapping.items():
            if dst == name:
                return src
        return name

    # ---- wire form: feast.core.DataSource (``project`` is the registry's to set) ----

    # what every kind writes; each kind adds its options arm
    MODELED_COMMON = (
        "name", "type", "field_mapping", "timestamp_field", "created_timestamp_column", "description", "tags",
        "owner", "data_source_class_type", "meta.created_timestamp", "meta.last_updated_timestamp",
    )
    MODELED: tuple[str, ...] = MODELED_COMMON
    proto_type = 0
    class_path = ""

    def _common_proto(self):
        from ..protos.feast.core.DataSource_pb2 import DataSource as DataSourceProto

        if self.created_timestamp is None and not self.__dict__.get("_wire"):  # as Feast, a declared source
            self.created_timestamp = self.last_updated_timestamp = utc_now()  # is stamped when first written

        proto = DataSourceProto(
            name=self.name, type=self.proto_type, timestamp_field=self.timestamp_field,
            created_timestamp_column=self.created_timestamp_column, description=self.description,
            owner=self.owner, data_source_class_type=self.class_path,
        )
        proto.field_mapping.update(self.field_mapping)
        proto.tags.update(self.tags)
        wire.set_timestamp(proto.meta, "created_timestamp", self.created_timestamp)
        wire.set_timestamp(proto.meta, "last_updated_timestamp", self.last_updated_timestamp)
        return proto

    def _build_proto(self):
        return self._common_proto()

    def to_proto(self):
        return wire.finish(self, self._build_proto(), self.MODELED)

    @classmethod
    def from_proto(cls, proto) -> DataSource:
        """Any stored data source: the class is chosen by ``type`` (and the class path for custom
        sources); a kind feast_core cannot read from becomes an UnsupportedSource, kept as written."""
        kind = _kind_of(proto)
        if cls is not DataSource and kind is not cls:
            raise ValueError(f"data source {proto.name!r} is a {kind.__name__}, not a {cls.__name__}")
        source = kind.__new__(kind)
        source._read_common(proto)
        source._read_options(proto)
        wire.remember(source, proto)
        return source

    def _read_common(self, proto) -> None:
        # no validation: what Feast stored is read as it is
        self.name, self.description, self.owner = proto.name, proto.description, proto.owner
        self.tags = dict(proto.tags)
        self.timestamp_field = proto.timestamp_field
        self.created_timestamp_column = proto.created_timestamp_column
        self.field_mapping = dict(proto.field_mapping)
        self.created_timestamp = wire.get_timestamp(proto.meta, "created_timestamp")
        self.last_updated_timestamp = wire.get_timestamp(proto.meta, "last_updated_timestamp")

    def _read_options(self, proto) -> None:
        raise NotImplementedError


class FileSource(DataSource):
    """A parquet file (or directory of parquet files) on local disk."""

    type = "file"

    def __init__(
        self,
        *,
        path: str,
        name: str = "",
        event_timestamp_column: str = "",
        file_format: object = None,
        created_timestamp_column: str = "",
        field_mapping: dict[str, str] | None = None,
        s3_endpoint_override: str | None = None,
        description: str = "",
        tags: dict[str, str] | None = None,
        owner: str = "",
        timestamp_field: str = "",
    ) -> None:
        if not isinstance(path, str) or not path:
            raise ValueError(f"FileSource {name!r} needs a path to a parquet file")
        stamp = timestamp_field or event_timestamp_column
        if stamp and stamp == created_timestamp_column:
            raise ValueError(
                f"FileSource {name or path!r}: timestamp_field and created_timestamp_column are both {stamp!r}; "
                "the created timestamp breaks ties between rows of the same event time, so it must be another column"
            )
        self.path = path
        self.file_format = file_format
        self.s3_endpoint_override = s3_endpoint_override or ""
        self._init_source(
            name or path, timestamp_field or event_timestamp_column, created_timestamp_column, field_mapping,
            description, tags, owner,
        )

    def to_dict(self) -> dict:
        data = {**self._source_dict(), "path": self.path}
        if self.s3_endpoint_override:
            data["s3_endpoint_override"] = self.s3_endpoint_override
        if self.file_format is not None:
            data["file_format"] = str(self.file_format)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> FileSource:
        from .formats import DeltaFormat, ParquetFormat

        file_format = {"parquet": ParquetFormat, "delta": DeltaFormat}.get(data.get("file_format", ""))
        return cls(path=data["path"], s3_endpoint_override=data.get("s3_endpoint_override"),
                   file_format=file_format() if file_format else None, **_common(data))

    MODELED = (
        *DataSource.MODELED_COMMON, "file_options.uri", "file_options.s3_endpoint_override", "file_options.file_format",
    )
    proto_type, class_path = BATCH_FILE, FILE_SOURCE_CLASS

    def _build_proto(self):
        proto = self._common_proto()
        proto.file_options.uri = self.path
        proto.file_options.s3_endpoint_override = self.s3_endpoint_override
        if self.file_format is not None:
            proto.file_options.file_format.CopyFrom(self.file_format.to_proto())
        return proto

    def _read_options(self, proto) -> None:
        from .formats import FileFormat

        self.path = proto.file_options.uri
        self.s3_endpoint_override = proto.file_options.s3_endpoint_override
        has_format = proto.file_options.HasField("file_format")
        self.file_format = FileFormat.from_proto(proto.file_options.file_format) if has_format else None


class PostgreSQLSource(DataSource):
    """A PostgreSQL table or query."""

    type = "postgres"

    def __init__(
        self,
        name: str | None = None,
        query: str | None = None,
        table: str | None = None,
        timestamp_field: str = "",
        created_timestamp_column: str = "",
        field_mapping: dict[str, str] | None = None,
        description: str = "",
        tags: dict[str, str] | None = None,
        owner: str = "",
    ) -> None:
        if bool(query) == bool(table):
            raise ValueError(f"PostgreSQLSource {name!r} needs exactly one of query= or table=")
        self.query = query or ""
        self.table = table or ""
        self._init_source(
            name or table or "", timestamp_field, created_timestamp_column, field_mapping, description, tags, owner
        )

    def to_dict(self) -> dict:
        return {**self._source_dict(), "query": self.query, "table": self.table}

    @classmethod
    def from_dict(cls, data: dict) -> PostgreSQLSource:
        return cls(query=data["query"] or None, table=data["table"] or None, **_common(data))

    # Feast's PostgreSQLSource is a custom source: its settings are JSON in custom_options.configuration
    MODELED = (*DataSource.MODELED_COMMON, "custom_options.configuration")
    proto_type, class_path = CUSTOM_SOURCE, POSTGRES_SOURCE_CLASS

    def _build_proto(self):
        proto = self._common_proto()
        # keys Feast may add later are kept (read into _other_settings) and written back
        settings = {**self.__dict__.get("_other_settings", {}), "name": self.name, "query": self.query, "table": self.table}
        proto.custom_options.configuration = json.dumps(settings).encode()
        return proto

    def _read_options(self, proto) -> None:
        try:
            settings = json.loads(proto.custom_options.configuration or b"{}")
        except ValueError:
            raise ValueError(
                f"PostgreSQLSource {proto.name!r}: custom_options.configuration is not JSON"
            ) from None
        self.query = settings.pop("query", "") or ""
        self.table = settings.pop("table", "") or ""
        settings.pop("name", None)
        self._other_settings = settings


SPARK_FILE_FORMATS = ("csv", "json", "parquet", "avro")


class SparkSource(DataSource):
    """A Spark table, a Spark SQL query, or files Spark reads (``path`` with ``file_format``).

    Feast's constructor and rules: a name (or a table, which then names it); ``table`` stands alone;
    ``query`` may come with ``path`` (the query is read, the path receives appended rows); a ``path`` needs
    a ``file_format`` (csv, json, parquet, avro). ``date_partition_column`` (formatted with
    ``date_partition_column_format``) lets reads skip partitions outside the time range asked for.
    """

    type = "spark"

    def __init__(
        self,
        *,
        name: str | None = None,
        table: str | None = None,
        query: str | None = None,
        path: str | None = None,
        file_format: str | None = None,
        table_format: object = None,
        created_timestamp_column: str | None = None,
        field_mapping: dict[str, str] | None = None,
        description: str | None = "",
        tags: dict[str, str] | None = None,
        owner: str | None = "",
        timestamp_field: str | None = None,
        date_partition_column: str | None = None,
        date_partition_column_format: str | None = "%Y-%m-%d",
        connection_ref: object = None,
    ) -> None:
        if not name and not table:
            raise ValueError("SparkSource needs a name (or a table, which names it)")
        label = name or table
        if table and (query or path):
            raise ValueError(f"SparkSource {label!r}: table= cannot be combined with query= or path=")
        if not (table or query or path):
            raise ValueError(f"SparkSource {label!r} needs one of table=, query= or path=")
        if table_format is not None:
            raise ValueError(f"SparkSource {label!r}: table_format (Iceberg, Delta, Hudi) is not supported by feast_core")
        if path:
            if not file_format:
                raise ValueError(f"SparkSource {label!r}: path= needs a file_format ({', '.join(SPARK_FILE_FORMATS)})")
            if file_format not in SPARK_FILE_FORMATS:
                raise ValueError(
                    f"SparkSource {label!r}: file_format {file_format!r} is not one of {', '.join(SPARK_FILE_FORMATS)}"
                )
        self.table = table or ""
        self.query = query or ""
        self.path = path or ""
        self.file_format = file_format or ""
        self.date_partition_column = date_partition_column or ""
        self.date_partition_column_format = date_partition_column_format or "%Y-%m-%d"
        self._init_source(
            label, timestamp_field or "", created_timestamp_column or "", field_mapping, description or "", tags,
            owner or "",
        )

    @property
    def table_format(self) -> None:
        return None

    def to_dict(self) -> dict:
        return {
            **self._source_dict(), "table": self.table, "query": self.query, "path": self.path,
            "file_format": self.file_format, "date_partition_column": self.date_partition_column,
            "date_partition_column_format": self.date_partition_column_format,
        }

    @classmethod
    def from_dict(cls, data: dict) -> SparkSource:
        return cls(
            table=data["table"] or None, query=data["query"] or None, path=data["path"] or None,
            file_format=data["file_format"] or None, date_partition_column=data["date_partition_column"] or None,
            date_partition_column_format=data["date_partition_column_format"], **_common(data),
        )

    # Feast's DataSource.spark_options (field 27); SparkOptions.table_format is not modeled (feast_core
    # refuses table formats) and survives a re-write through the kept proto
    MODELED = (
        *DataSource.MODELED_COMMON, "date_partition_column", "spark_options.table", "spark_options.query",
        "spark_options.path", "spark_options.file_format", "spark_options.date_partition_column_format",
    )
    proto_type, class_path = BATCH_SPARK, SPARK_SOURCE_CLASS

    def _build_proto(self):
        proto = self._common_proto()
        proto.date_partition_column = self.date_partition_column
        options = proto.spark_options
        options.table, options.query, options.path = self.table, self.query, self.path
        options.file_format = self.file_format
        options.date_partition_column_format = self.date_partition_column_format
        return proto

    def _read_options(self, proto) -> None:
        options = proto.spark_options
        self.table, self.query, self.path = options.table, options.query, options.path
        self.file_format = options.file_format
        self.date_partition_column = proto.date_partition_column
        self.date_partition_column_format = options.date_partition_column_format or "%Y-%m-%d"


BATCH_SOURCE_TYPES = (FileSource, PostgreSQLSource, SparkSource)


class PushSource(DataSource):
    """Rows pushed by the user (``store.push``), stored offline in its batch source."""

    type = "push"

    def __init__(
        self,
        *,
        name: str,
        batch_source: DataSource | None = None,
        description: str = "",
        tags: dict[str, str] | None = None,
        owner: str = "",
    ) -> None:
        if batch_source is not None and not isinstance(batch_source, DataSource):
            raise ValueError(f"PushSource {name!r}: batch_source must be a data source such as FileSource")
        self._batch_source = batch_source
        # like Feast, the push source repeats its batch source's timestamp columns and field mapping
        self._init_source(
            name, getattr(batch_source, "timestamp_field", ""), getattr(batch_source, "created_timestamp_column", ""),
            getattr(batch_source, "field_mapping", None), description, tags, owner,
        )

    @property
    def batch_source(self) -> DataSource:
        return self._batch_source

    def to_dict(self) -> dict:
        batch = self._batch_source.to_dict() if self._batch_source is not None else None
        return {**self._meta_dict(), "type": self.type, "batch_source": batch}

    @classmethod
    def from_dict(cls, data: dict) -> PushSource:
        return cls(
            name=data["name"], batch_source=source_from_dict(data["batch_source"]) if data["batch_source"] else None,
            description=data["description"], tags=data["tags"], owner=data["owner"],
        )

    # like Feast, the push source repeats its batch source's timestamp columns and field mapping
    MODELED = (*DataSource.MODELED_COMMON, "batch_source")
    proto_type, class_path = PUSH_SOURCE, PUSH_SOURCE_CLASS

    def _build_proto(self):
        proto = self._common_proto()
        if self._batch_source is not None:
            proto.batch_source.CopyFrom(self._batch_source.to_proto())
        return proto

    def _read_options(self, proto) -> None:
        # Feast always writes one; None only for a hand-made proto without it
        self._batch_source = DataSource.from_proto(proto.batch_source) if proto.HasField("batch_source") else None


class RequestSource(DataSource):
    """Values supplied with each request, for on-demand feature views."""

    type = "request"

    def __init__(
        self, *, name: str, schema: list[Field], description: str = "", tags: dict[str, str] | None = None, owner: str = ""
    ) -> None:
        if not schema or not all(isinstance(f, Field) for f in schema):
            raise ValueError(f"RequestSource {name!r} needs a schema: a non-empty list of Field")
        self.schema = list(schema)
        self._init_source(name, "", "", None, description, tags, owner)

    def to_dict(self) -> dict:
        return {**self._meta_dict(), "type": self.type, "schema": [f.to_dict() for f in self.schema]}

    @classmethod
    def from_dict(cls, data: dict) -> RequestSource:
        return cls(
            name=data["name"], schema=[Field.from_dict(f) for f in data["schema"]],
            description=data["description"], tags=data["tags"], owner=data["owner"],
        )

    # request_data_options.deprecated_schema (a pre-0.2x map) is not modeled; Feast reads only `schema`
    MODELED = (*DataSource.MODELED_COMMON, "request_data_options.schema")
    proto_type, class_path = REQUEST_SOURCE, REQUEST_SOURCE_CLASS

    def _build_proto(self):
        proto = self._common_proto()
        proto.request_data_options.SetInParent()
        proto.request_data_options.schema.extend(f.to_proto() for f in self.schema)
        return proto

    def _read_options(self, proto) -> None:
        self.schema = [Field.from_proto(f) for f in proto.request_data_options.schema]


class UnsupportedSource(DataSource):
    """A data source of a kind feast_core cannot read from (BigQuery, Kafka, Snowflake, ...), as Feast wrote it.

    It lists and describes, and is written back unchanged; a feature view over it loads, but
    reading its rows fails with a message naming the source.
    """

    type = "unsupported"

    def __init__(self, *_args, **_kwargs) -> None:
        raise TypeError("UnsupportedSource is read from a Feast registry, not declared")

    @property
    def source_kind(self) -> str:
        """Feast's name for the kind: its class path, else its SourceType."""
        proto = self._proto()
        if proto.data_source_class_type:
            return proto.data_source_class_type.rsplit(".", 1)[-1]
        return type(proto).SourceType.Name(proto.type) if proto.type in type(proto).SourceType.values() else str(proto.type)

    def _proto(self):
        return self.__dict__["_wire"][0]

    def _build_proto(self):
        # nothing here is modeled: what was read is what is written
        return wire.copy_message(self._proto()) if self.__dict__.get("_wire") else self._common_proto()

    MODELED = ()

    def to_proto(self):
        return wire.copy_message(self._proto())

    def _read_options(self, proto) -> None:
        pass

    def to_dict(self) -> dict:
        raw = self._proto().SerializeToString(deterministic=True)
        return {**self._source_dict(), "proto": base64.b64encode(raw).decode("ascii")}

    @classmethod
    def from_dict(cls, data: dict) -> UnsupportedSource:
        from ..protos.feast.core.DataSource_pb2 import DataSource as DataSourceProto

        return DataSource.from_proto(DataSourceProto.FromString(base64.b64decode(data["proto"])))  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"UnsupportedSource(name={self.name!r}, kind={self.source_kind!r})"


# SourceType number -> class, for kinds other modules define (foreign_sources.py registers itself here)
PROTO_KINDS: dict[int, type[DataSource]] = {}


def _kind_of(proto) -> type[DataSource]:
    if proto.type == CUSTOM_SOURCE:
        return PostgreSQLSource if proto.data_source_class_type == POSTGRES_SOURCE_CLASS else UnsupportedSource
    return {
        BATCH_FILE: FileSource, BATCH_SPARK: SparkSource, PUSH_SOURCE: PushSource, REQUEST_SOURCE: RequestSource,
        **PROTO_KINDS,
    }.get(
        proto.type, UnsupportedSource
    )


def _common(data: dict) -> dict:
    return {
        "name": data["name"],
        "timestamp_field": data["timestamp_field"],
        "created_timestamp_column": data["created_timestamp_column"],
        "field_mapping": data["field_mapping"],
        "description": data["description"],
        "tags": data["tags"],
        "owner": data["owner"],
    }


SOURCE_TYPES: dict[str, type[DataSource]] = {
    cls.type: cls for cls in (FileSource, PostgreSQLSource, SparkSource, PushSource, RequestSource, UnsupportedSource)
}


def source_from_dict(data: dict) -> DataSource:
    try:
        cls = SOURCE_TYPES[data["type"]]
    except KeyError:
        raise ValueError(f"unknown data source type {data.get('type')!r} in registry") from None
    return cls.from_dict(data)  # type: ignore[attr-defined]
