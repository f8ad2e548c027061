"""Stream feature views (Feast's ``StreamFeatureView``): feature views fed by a stream (Kafka, Kinesis) or a push
source, with the aggregations and function a stream processor applies.

feast_core does not consume streams: a stream feature view is served from what reaches its online store
(``push``, ``write_to_online_store``) and read offline from its source's batch source, like a feature view.
Its function, mode and aggregations are kept as declared, and round-trip through a registry shared with Feast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import cloudpickle

from . import wire
from .aggregation import Aggregation
from .feature_view import FeatureView
from .sources import DataSource
from .transformations import Transformation, pickle_by_value, rebuild, source_text


class StreamFeatureView(FeatureView):
    """A feature view over a stream or push source."""

    def __init__(
        self,
        *,
        name: str,
        source: DataSource,
        entities: list | None = None,
        ttl: timedelta = timedelta(days=0),
        tags: dict[str, str] | None = None,
        online: bool = True,
        description: str = "",
        owner: str = "",
        schema: list | None = None,
        aggregations: list[Aggregation] | None = None,
        mode: str = "python",  # upstream's class default (its decorator's is "spark")
        timestamp_field: str = "",
        udf: Callable | None = None,
        udf_string: str | None = "",
        feature_transformation: Transformation | None = None,
        org: str = "",
        enable_tiling: bool = False,
        tiling_hop_size: timedelta | None = None,
        enable_validation: bool = False,
        sink_source: DataSource | None = None,
        offline: bool = False,
        stream_engine: dict | None = None,
        version: str = "latest",
    ) -> None:
        if not isinstance(source, DataSource) or source.batch_source is source:
            raise ValueError(
                f"stream feature view {name!r} needs a stream source (KafkaSource, KinesisSource or PushSource), "
                f"not {source!r}"
            )
        self.aggregations = list(aggregations or [])
        if not all(isinstance(a, Aggregation) for a in self.aggregations):
            raise ValueError(f"stream feature view {name!r}: aggregations must be Aggregation objects")
        self.mode = mode.value if hasattr(mode, "value") else str(mode)
        self.timestamp_field = timestamp_field or ""
        if feature_transformation is not None:
            udf, udf_string = feature_transformation.udf, feature_transformation.udf_string
        self._udf = udf
        self._udf_string = udf_string if udf_string else (source_text(udf) if udf is not None else "")
        self._stored_function = None
        self.enable_tiling = bool(enable_tiling)
        self.tiling_hop_size = tiling_hop_size
        super().__init__(
            name=name, source=source, entities=entities, ttl=ttl, tags=tags, online=online,
            description=description, owner=owner, schema=schema, org=org, enable_validation=enable_validation,
            sink_source=sink_source, offline=offline, version=version,
        )
        self.stream_engine = stream_engine  # the stream processor's settings: kept, not run (see the module)
        if self.features and self.entity_columns:
            # as upstream Feast 0.67 stores a stream view: join keys declared in its schema stay among its features
            self.features = list(schema)
            self._reset_projection()

    @property
    def udf(self) -> Callable | None:
        stored = self.__dict__.get("_stored_function")
        if self.__dict__.get("_udf") is None and stored:
            name, body, text, pickled = stored
            self._udf = cloudpickle.loads(bytes.fromhex(pickled)) if pickled else rebuild(text, body, name)
        return self.__dict__.get("_udf")

    @property
    def udf_string(self) -> str:
        stored = self.__dict__.get("_stored_function")
        return stored[2] if self.__dict__.get("_udf") is None and stored else self._udf_string

    @property
    def feature_transformation(self) -> Transformation | None:
        """The function as a transformation, for the modes feast_core runs (pandas, python)."""
        if self.udf is None or self.mode not in ("pandas", "python"):
            return None
        return Transformation(mode=self.mode, udf=self.udf, udf_string=self.udf_string)

    def _has_function(self) -> bool:
        return self.__dict__.get("_udf") is not None or bool(self.__dict__.get("_stored_function"))

    @property
    def proto_class(self):
        from ..protos.feast.core.StreamFeatureView_pb2 import StreamFeatureView as StreamFeatureViewProto

        return StreamFeatureViewProto

    # ---- the registry's dict form ----

    def _stream_settings(self) -> dict:
        return {
            "stream": True, "mode": self.mode, "timestamp_field": self.timestamp_field, "udf_string": self.udf_string,
            "aggregations": [a.to_proto().SerializeToString(deterministic=True).hex() for a in self.aggregations],
            "enable_tiling": self.enable_tiling,
        }

    def to_dict(self) -> dict:
        data = {**super().to_dict(), **self._stream_settings()}
        if self._has_function():
            data["udf_pickle"] = cloudpickle.dumps(self.udf).hex()
        return data

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StreamFeatureView):
            return False
        mine, theirs = self.to_dict(), other.to_dict()
        mine.pop("udf_pickle", None), theirs.pop("udf_pickle", None)  # the bytes of an unchanged function vary
        for data in (mine, theirs):  # as Feast compares views: features in any order (upstream's vary between runs)
            data["features"] = sorted(data["features"], key=lambda f: f["name"])
        return mine == theirs

    __hash__ = FeatureView.__hash__

    @classmethod
    def _from_stream_dict(cls, data: dict, view: FeatureView) -> StreamFeatureView:
        from ..protos.feast.core.Aggregation_pb2 import Aggregation as AggregationProto

        stream = cls.__new__(cls)
        stream.__dict__.update(view.__dict__)
        stream.mode, stream.timestamp_field = data["mode"], data["timestamp_field"]
        stream.aggregations = [Aggregation.from_proto(AggregationProto.FromString(bytes.fromhex(a)))
                               for a in data["aggregations"]]
        stream.enable_tiling, stream.tiling_hop_size = data.get("enable_tiling", False), None
        stream._udf, stream._udf_string = None, data["udf_string"]
        pickled = data.get("udf_pickle")
        stream._stored_function = ("", b"", data["udf_string"], pickled) if pickled else None
        stream._reset_projection()
        return stream

    # ---- wire form: feast.core.StreamFeatureView ----

    MODELED = (
        "spec.name", "spec.entities", "spec.features", "spec.entity_columns", "spec.description", "spec.tags",
        "spec.owner", "spec.ttl", "spec.batch_source", "spec.stream_source", "spec.online", "spec.mode",
        "spec.aggregations", "spec.timestamp_field", "spec.feature_transformation", "spec.enable_tiling",
        "spec.tiling_hop_size", "spec.enable_validation", "spec.org",
        "meta.created_timestamp", "meta.last_updated_timestamp", "meta.materialization_intervals",
    )

    def _build_proto(self):
        proto = self.proto_class()
        self._fill_spec(proto.spec, ())
        spec = proto.spec
        spec.mode, spec.timestamp_field, spec.enable_tiling = self.mode, self.timestamp_field, self.enable_tiling
        wire.set_duration(spec, "tiling_hop_size", self.tiling_hop_size)
        spec.aggregations.extend(a.to_proto() for a in self.aggregations)
        if self._has_function():
            function = spec.feature_transformation.user_defined_function
            stored = self.__dict__.get("_stored_function")
            if self.__dict__.get("_udf") is None and stored and not stored[3]:
                function.name, function.body, function.body_text = stored[0], stored[1], stored[2]
            else:
                function.name = getattr(self.udf, "__name__", "")
                function.body = pickle_by_value(self.udf)
                function.body_text = self.udf_string
            function.mode = self.mode
        meta = proto.meta
        wire.set_timestamp(meta, "created_timestamp", self.created_timestamp)
        wire.set_timestamp(meta, "last_updated_timestamp", self.last_updated_timestamp)
        for start, end in self.materialization_intervals:
            interval = meta.materialization_intervals.add()
            wire.set_timestamp(interval, "start_time", start)
            wire.set_timestamp(interval, "end_time", end)
        return proto

    def to_proto(self):
        return wire.finish(self, self._build_proto(), self.MODELED)

    @classmethod
    def from_proto(cls, sfv_proto, skip_udf: bool = False) -> StreamFeatureView:
        """A stored stream view; its function is not rebuilt (no user code runs) until it is used."""
        spec, meta = sfv_proto.spec, sfv_proto.meta
        view = cls.__new__(cls)
        view._read_spec(spec, ())
        view.mode, view.timestamp_field = spec.mode, spec.timestamp_field
        view.aggregations = [Aggregation.from_proto(a) for a in spec.aggregations]
        view.enable_tiling = spec.enable_tiling
        view.tiling_hop_size = spec.tiling_hop_size.ToTimedelta() if spec.HasField("tiling_hop_size") else None
        function = spec.feature_transformation.user_defined_function
        legacy = spec.user_defined_function  # written by Feast before FeatureTransformationV2
        if not (function.name or function.body or function.body_text) and (legacy.name or legacy.body or legacy.body_text):
            function = legacy
        view._udf, view._udf_string = None, function.body_text
        has_function = bool(function.body or function.body_text or function.name)
        view._stored_function = (function.name, function.body, function.body_text, None) if has_function else None
        view.created_timestamp = wire.get_timestamp(meta, "created_timestamp")
        view.last_updated_timestamp = wire.get_timestamp(meta, "last_updated_timestamp")
        view.materialization_intervals = [
            (wire.get_timestamp(i, "start_time"), wire.get_timestamp(i, "end_time"))
            for i in meta.materialization_intervals
        ]
        view._reset_projection()
        wire.remember(view, sfv_proto)
        return view


def stream_feature_view(
    *,
    entities: list | None = None,
    ttl: timedelta | None = None,
    tags: dict[str, str] | None = None,
    online: bool = True,
    description: str = "",
    owner: str = "",
    schema: list | None = None,
    source: DataSource | None = None,
    aggregations: list[Aggregation] | None = None,
    mode: str = "spark",
    timestamp_field: str = "",
    org: str = "",
    enable_validation: bool = False,
    version: str = "latest",
    name: str | None = None,
) -> Callable[[Callable], StreamFeatureView]:
    """Decorator form: ``@stream_feature_view(source=..., schema=[...])`` over the stream processor's function."""

    def decorate(udf: Callable) -> StreamFeatureView:
        return StreamFeatureView(
            name=name or udf.__name__, entities=entities, ttl=ttl or timedelta(0), tags=tags,
            online=online, description=description, owner=owner, schema=schema, source=source,
            aggregations=aggregations, mode=mode, timestamp_field=timestamp_field, udf=udf,
            udf_string=source_text(udf), org=org, enable_validation=enable_validation, version=version,
        )

    return decorate


__all__ = ["StreamFeatureView", "stream_feature_view"]
