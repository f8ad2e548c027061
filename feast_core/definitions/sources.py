"""Where feature rows come from: files, PostgreSQL tables or queries, pushes, request data."""

from __future__ import annotations

from .base import Described, check_tags
from .field import Field


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
        self.path = path
        self._init_source(
            name or path, timestamp_field or event_timestamp_column, created_timestamp_column, field_mapping,
            description, tags, owner,
        )

    def to_dict(self) -> dict:
        return {**self._source_dict(), "path": self.path}

    @classmethod
    def from_dict(cls, data: dict) -> FileSource:
        return cls(path=data["path"], **_common(data))


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


class PushSource(DataSource):
    """Rows pushed by the user (``store.push``), stored offline in its batch source."""

    type = "push"

    def __init__(
        self,
        *,
        name: str,
        batch_source: DataSource,
        description: str = "",
        tags: dict[str, str] | None = None,
        owner: str = "",
    ) -> None:
        if not isinstance(batch_source, (FileSource, PostgreSQLSource)):
            raise ValueError(f"PushSource {name!r}: batch_source must be a FileSource or PostgreSQLSource")
        self._batch_source = batch_source
        self._init_source(
            name, batch_source.timestamp_field, batch_source.created_timestamp_column, batch_source.field_mapping,
            description, tags, owner,
        )

    @property
    def batch_source(self) -> DataSource:
        return self._batch_source

    def to_dict(self) -> dict:
        return {**self._meta_dict(), "type": self.type, "batch_source": self._batch_source.to_dict()}

    @classmethod
    def from_dict(cls, data: dict) -> PushSource:
        return cls(
            name=data["name"], batch_source=source_from_dict(data["batch_source"]),
            description=data["description"], tags=data["tags"], owner=data["owner"],
        )


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
    cls.type: cls for cls in (FileSource, PostgreSQLSource, PushSource, RequestSource)
}


def source_from_dict(data: dict) -> DataSource:
    try:
        cls = SOURCE_TYPES[data["type"]]
    except KeyError:
        raise ValueError(f"unknown data source type {data.get('type')!r} in registry") from None
    return cls.from_dict(data)  # type: ignore[attr-defined]
