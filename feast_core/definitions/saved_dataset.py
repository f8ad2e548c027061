"""Saved datasets: the rows of a historical retrieval, persisted (Feast's ``SavedDataset``)."""

from __future__ import annotations

import base64
from datetime import datetime

from . import wire
from .base import Described


class SavedDatasetFileStorage:
    """Parquet at ``path`` (a file or directory, local or ``s3://``)."""

    def __init__(self, path: str, file_format: object = None, s3_endpoint_override: str | None = None) -> None:
        if not isinstance(path, str) or not path:
            raise ValueError("SavedDatasetFileStorage needs a path")
        self.path = path
        self.s3_endpoint_override = s3_endpoint_override or ""

    def to_dict(self) -> dict:
        return {"type": "file", "path": self.path, "s3_endpoint_override": self.s3_endpoint_override}

    def to_proto(self):
        from ..protos.feast.core.SavedDataset_pb2 import SavedDatasetStorage

        proto = SavedDatasetStorage()
        options = proto.file_storage
        options.file_format.parquet_format.SetInParent()  # Feast's default format, written explicitly as Feast does
        options.uri, options.s3_endpoint_override = self.path, self.s3_endpoint_override
        return proto

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SavedDatasetFileStorage) and other.to_dict() == self.to_dict()

    def __repr__(self) -> str:
        return f"SavedDatasetFileStorage(path={self.path!r})"


class UnsupportedStorage:
    """Storage of a kind feast_core cannot read (BigQuery, Snowflake, a custom storage, ...), kept as written."""

    def __init__(self, proto) -> None:
        self.proto = proto

    @property
    def kind(self) -> str:
        return self.proto.WhichOneof("kind") or "none"

    def to_dict(self) -> dict:
        return {"type": "unsupported", "proto": base64.b64encode(self.proto.SerializeToString(deterministic=True)).decode()}

    def to_proto(self):
        return wire.copy_message(self.proto)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnsupportedStorage) and other.to_dict() == self.to_dict()

    def __repr__(self) -> str:
        return f"UnsupportedStorage(kind={self.kind!r})"


def storage_from_proto(proto) -> SavedDatasetFileStorage | UnsupportedStorage:
    if proto.WhichOneof("kind") == "file_storage":
        storage = SavedDatasetFileStorage.__new__(SavedDatasetFileStorage)
        storage.path = proto.file_storage.uri
        storage.s3_endpoint_override = proto.file_storage.s3_endpoint_override
        return storage
    return UnsupportedStorage(proto)


class SavedDataset(Described):
    """A persisted retrieval: which features, joined on which keys, stored where."""

    kind = "saved dataset"
    min_event_timestamp: datetime | None = None
    max_event_timestamp: datetime | None = None

    def __init__(
        self,
        name: str,
        features: list[str],
        join_keys: list[str],
        storage: SavedDatasetFileStorage,
        full_feature_names: bool = False,
        tags: dict[str, str] | None = None,
        feature_service_name: str | None = None,
        namespace: str = "",
        collection: str = "",
        description: str = "",
    ) -> None:
        self._init_meta(name, description, tags, "")
        if not isinstance(features, (list, tuple)) or not all(isinstance(f, str) and ":" in f for f in features):
            raise ValueError(f"saved dataset {name!r}: features must be a list of 'view:feature' references")
        if not isinstance(join_keys, (list, tuple)) or not all(isinstance(k, str) for k in join_keys):
            raise ValueError(f"saved dataset {name!r}: join_keys must be a list of column names")
        if not isinstance(storage, (SavedDatasetFileStorage, UnsupportedStorage)):
            raise ValueError(f"saved dataset {name!r}: storage must be a SavedDatasetFileStorage, got {storage!r}")
        self.features = list(features)
        self.join_keys = list(join_keys)
        self.storage = storage
        self.full_feature_names = bool(full_feature_names)
        self.feature_service_name = feature_service_name or ""
        self.namespace = namespace or ""
        self.collection = collection or ""

    def to_dict(self) -> dict:
        return {
            **self._meta_dict(),
            "features": list(self.features),
            "join_keys": list(self.join_keys),
            "storage": self.storage.to_dict(),
            "full_feature_names": self.full_feature_names,
            "feature_service_name": self.feature_service_name,
            "namespace": self.namespace,
            "collection": self.collection,
        }

    # ---- wire form: feast.core.SavedDataset (spec.project is the registry's to set) ----

    # not modeled, kept from a dataset read: spec.columns (Feast 0.67's column list)
    MODELED = (
        "spec.name", "spec.features", "spec.join_keys", "spec.full_feature_names", "spec.storage", "spec.tags",
        "spec.feature_service_name", "spec.namespace", "spec.collection", "spec.description",
        "meta.created_timestamp", "meta.last_updated_timestamp", "meta.min_event_timestamp",
        "meta.max_event_timestamp",
    )

    def _build_proto(self):
        from ..protos.feast.core.SavedDataset_pb2 import SavedDataset as SavedDatasetProto

        proto = SavedDatasetProto()
        spec = proto.spec
        spec.name, spec.description, spec.full_feature_names = self.name, self.description, self.full_feature_names
        spec.features.extend(self.features)
        spec.join_keys.extend(self.join_keys)
        spec.storage.CopyFrom(self.storage.to_proto())
        spec.tags.update(self.tags)
        spec.feature_service_name = self.feature_service_name
        spec.namespace, spec.collection = self.namespace, self.collection
        for field in ("created_timestamp", "last_updated_timestamp", "min_event_timestamp", "max_event_timestamp"):
            wire.set_timestamp(proto.meta, field, getattr(self, field))
        return proto

    def to_proto(self):
        return wire.finish(self, self._build_proto(), self.MODELED)

    @classmethod
    def from_proto(cls, proto) -> SavedDataset:
        spec = proto.spec
        dataset = cls.__new__(cls)
        dataset.name, dataset.description, dataset.owner = spec.name, spec.description, ""
        dataset.tags = dict(spec.tags)
        dataset.features, dataset.join_keys = list(spec.features), list(spec.join_keys)
        dataset.storage = storage_from_proto(spec.storage)
        dataset.full_feature_names = spec.full_feature_names
        dataset.feature_service_name = spec.feature_service_name
        dataset.namespace, dataset.collection = spec.namespace, spec.collection
        for field in ("created_timestamp", "last_updated_timestamp", "min_event_timestamp", "max_event_timestamp"):
            setattr(dataset, field, wire.get_timestamp(proto.meta, field))
        wire.remember(dataset, proto)
        return dataset
