"""How a source's bytes are laid out: file formats (parquet, delta) and stream message formats (avro, json,
protobuf). feast_core reads parquet; the others are declarations it keeps (a Feast repo or registry that names
them loads, applies and round-trips), Feast's ``feast.data_format`` classes with Feast's wire form."""

from __future__ import annotations


class _Format:
    """A format is its kind and its settings: equal when both are."""

    kind = ""

    def _settings(self) -> tuple:
        return ()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._settings() == self._settings()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.kind, self._settings()))

    def __str__(self) -> str:
        return self.kind

    def __repr__(self) -> str:
        settings = ", ".join(f"{v!r}" for v in self._settings())
        return f"{type(self).__name__}({settings})"


class FileFormat(_Format):
    """The layout of a file source's files (``FileSource(file_format=...)``)."""

    def to_proto(self):
        raise NotImplementedError

    @staticmethod
    def from_proto(proto) -> FileFormat | None:
        """``feast.core.FileFormat`` to a format; None when the message names none."""
        which = proto.WhichOneof("format")
        if which == "parquet_format":
            return ParquetFormat()
        if which == "delta_format":
            return DeltaFormat()
        return None


class ParquetFormat(FileFormat):
    kind = "parquet"

    def to_proto(self):
        from ..protos.feast.core.DataFormat_pb2 import FileFormat as FileFormatProto

        return FileFormatProto(parquet_format=FileFormatProto.ParquetFormat())


class DeltaFormat(FileFormat):
    """A Delta Lake table (declared only: the file offline store reads parquet)."""

    kind = "delta"

    def to_proto(self):
        from ..protos.feast.core.DataFormat_pb2 import FileFormat as FileFormatProto
        from ..protos.feast.core.DataFormat_pb2 import TableFormat

        return FileFormatProto(delta_format=TableFormat.DeltaFormat())


class StreamFormat(_Format):
    """The encoding of a stream source's messages (``KafkaSource(message_format=...)``)."""

    def to_proto(self):
        raise NotImplementedError

    @staticmethod
    def from_proto(proto) -> StreamFormat | None:
        """``feast.core.StreamFormat`` to a format; None when the message names none."""
        which = proto.WhichOneof("format")
        if which == "avro_format":
            return AvroFormat(schema_json=proto.avro_format.schema_json)
        if which == "json_format":
            return JsonFormat(schema_json=proto.json_format.schema_json)
        if which == "proto_format":
            return ProtoFormat(class_path=proto.proto_format.class_path)
        return None


class AvroFormat(StreamFormat):
    kind = "avro"

    def __init__(self, schema_json: str) -> None:
        self.schema_json = schema_json

    def _settings(self) -> tuple:
        return (self.schema_json,)

    def to_proto(self):
        from ..protos.feast.core.DataFormat_pb2 import StreamFormat as StreamFormatProto

        return StreamFormatProto(avro_format=StreamFormatProto.AvroFormat(schema_json=self.schema_json))


class JsonFormat(StreamFormat):
    kind = "json"

    def __init__(self, schema_json: str) -> None:
        self.schema_json = schema_json

    def _settings(self) -> tuple:
        return (self.schema_json,)

    def to_proto(self):
        from ..protos.feast.core.DataFormat_pb2 import StreamFormat as StreamFormatProto

        return StreamFormatProto(json_format=StreamFormatProto.JsonFormat(schema_json=self.schema_json))


class ProtoFormat(StreamFormat):
    """Protobuf messages, decoded by the (Java) class at ``class_path``."""

    kind = "proto"

    def __init__(self, class_path: str) -> None:
        self.class_path = class_path

    def _settings(self) -> tuple:
        return (self.class_path,)

    def to_proto(self):
        from ..protos.feast.core.DataFormat_pb2 import StreamFormat as StreamFormatProto

        return StreamFormatProto(proto_format=StreamFormatProto.ProtoFormat(class_path=self.class_path))


__all__ = [
    "AvroFormat", "DeltaFormat", "FileFormat", "JsonFormat", "ParquetFormat", "ProtoFormat", "StreamFormat",
]
