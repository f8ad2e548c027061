"""On-demand feature views: features computed from other features and request data at read time.

The function is a transformation (transformations.py: PandasTransformation or PythonTransformation), stored the
way Feast 0.67 stores it. A view read from the registry does not rebuild its function until it is first used:
listing or describing a registry never runs user code.
"""

from __future__ import annotations

import base64
import sys
import warnings
from collections.abc import Callable

import cloudpickle

from ..types import String, ValueType, from_value_type, to_proto_value_type
from . import wire
from .aggregation import Aggregation
from .base import Described, check_unmodeled
from .entity import Entity
from .feature_view import DUMMY_ENTITY_ID, DUMMY_ENTITY_NAME, FeatureView, FeatureViewProjection, Projectable
from .field import Field
from .sources import DataSource, RequestSource
from .transformations import (
    PandasTransformation,
    PythonTransformation,
    Transformation,
    TransformationMode,
    mode_of,
    pickle_by_value,
    rebuild,
    source_text,
)

MODES = ("pandas", "python")


class OnDemandFeatureView(Projectable, Described):
    """Output features computed by a function of view features and request values (or, declared only,
    by aggregations of an input schema)."""

    kind = "on-demand feature view"
    _TRACK_METRICS_TAG = "feast:track_metrics"
    _INPUT_SCHEMA_SOURCE_PREFIX = "__input_schema__"

    def __init__(
        self,
        *,
        name: str,
        schema: list[Field],
        sources: list | None = None,
        udf: Callable | None = None,
        udf_string: str | None = "",
        feature_transformation: Transformation | None = None,
        mode: str | TransformationMode = "pandas",
        entities: list | None = None,
        description: str = "",
        tags: dict[str, str] | None = None,
        owner: str = "",
        write_to_online_store: bool = False,
        singleton: bool = False,
        aggregations: list[Aggregation] | None = None,
        track_metrics: bool = False,
        org: str = "",
        input_schema: list[Field] | None = None,
        version: str = "latest",
        enabled: bool = True,
    ) -> None:
        self._init_meta(name, description, tags, owner)
        check_unmodeled("on-demand feature view", name, {"version": version, "enabled": enabled},
                        {"version": "latest", "enabled": True})
        self.mode = mode_of(mode).value
        if self.mode not in MODES:
            raise ValueError(f"on-demand feature view {name!r}: mode must be one of {MODES}, got {self.mode!r}")
        if not schema or not all(isinstance(f, Field) for f in schema):
            raise ValueError(f"on-demand feature view {name!r} needs a schema: a non-empty list of Field")
        self.aggregations = list(aggregations or [])
        if not all(isinstance(a, Aggregation) for a in self.aggregations):
            raise ValueError(f"on-demand feature view {name!r}: aggregations must be Aggregation objects")
        if feature_transformation is not None:
            expected = PythonTransformation if self.mode == "python" else PandasTransformation
            if not isinstance(feature_transformation, expected):
                raise TypeError(
                    f"on-demand feature view {name!r} has mode {self.mode!r}, so its feature_transformation must be a "
                    f"{expected.__name__}, not {type(feature_transformation).__name__}"
                )
        elif udf is not None:
            warnings.warn(
                "udf and udf_string parameters are deprecated; pass feature_transformation="
                f"{'PythonTransformation' if self.mode == 'python' else 'PandasTransformation'}(udf, udf_string)",
                DeprecationWarning, stacklevel=2,
            )
            transformation_class = PythonTransformation if self.mode == "python" else PandasTransformation
            feature_transformation = transformation_class(udf=udf, udf_string=udf_string or source_text(udf))
        elif not self.aggregations:
            raise ValueError(f"on-demand feature view {name!r} needs a function (feature_transformation or udf)")
        if singleton and self.mode != "python":
            raise ValueError(f"on-demand feature view {name!r}: singleton needs mode 'python', not {self.mode!r}")
        self._transformation = feature_transformation
        self.view_sources: list[FeatureViewProjection] = []
        self.request_sources: list[RequestSource] = []
        for source in sources or []:
            if isinstance(source, RequestSource):
                if not source.name.startswith(self._INPUT_SCHEMA_SOURCE_PREFIX):  # a copy's own sentinel
                    self.request_sources.append(source)
            elif isinstance(source, (FeatureView, OnDemandFeatureView)):
                self.view_sources.append(source.projection)
            else:
                raise ValueError(
                    f"on-demand feature view {name!r}: sources must be feature views or request sources, got {source!r}"
                )
        if input_schema is not None:
            # as Feast: the input schema travels as a request source named after the view
            self.request_sources.append(RequestSource(name=f"{self._INPUT_SCHEMA_SOURCE_PREFIX}{name}", schema=input_schema))
        elif not self.view_sources and not self.request_sources:
            raise ValueError(f"on-demand feature view {name!r} needs sources (or an input_schema)")
        entity_objects = [e for e in entities or [] if isinstance(e, Entity)]
        join_keys = {e.join_key: e for e in entity_objects}
        self.entities = [getattr(e, "name", e) for e in entities or []]
        self.entity_columns = [f for f in schema if f.name in join_keys]
        for column in self.entity_columns:
            declared = join_keys[column.name].value_type
            if declared != ValueType.UNKNOWN and from_value_type(declared) != column.dtype:
                raise ValueError(
                    f"on-demand feature view {name!r}: entity {join_keys[column.name].name!r} has type "
                    f"{declared.name}, but its join key is declared {column.dtype}"
                )
        self.features = [f for f in schema if f.name not in join_keys]
        self.write_to_online_store = bool(write_to_online_store)
        self.singleton = bool(singleton)
        self.track_metrics = bool(track_metrics)
        self.org = org or ""
        self._reset_projection()

    # ---- the function: set by the user, or rebuilt from the registry on first use ----

    @property
    def feature_transformation(self) -> Transformation | None:
        if self.__dict__.get("_transformation") is None and self.__dict__.get("_stored_function"):
            self._transformation = self._rebuild()
        return self.__dict__.get("_transformation")

    @feature_transformation.setter
    def feature_transformation(self, transformation: Transformation | None) -> None:
        self._transformation = transformation
        self._stored_function = None

    def _rebuild(self) -> Transformation:
        name, body, text, pickled = self._stored_function
        if pickled:  # the dict form (feast_core's own registry format): a cloudpickle
            function = cloudpickle.loads(base64.b64decode(pickled))
        else:
            try:
                function = rebuild(text, body, name)
            except ValueError as exc:
                raise ValueError(f"on-demand feature view {self.name!r}: {exc}") from None
        transformation_class = PythonTransformation if self.mode == "python" else PandasTransformation
        return transformation_class(udf=function, udf_string=text)

    @property
    def udf(self) -> Callable | None:
        transformation = self.feature_transformation
        return transformation.udf if transformation is not None else None

    @property
    def udf_string(self) -> str:
        stored = self.__dict__.get("_stored_function")
        if self.__dict__.get("_transformation") is None and stored:
            return stored[2]
        transformation = self.__dict__.get("_transformation")
        return transformation.udf_string if transformation is not None else ""

    def _has_function(self) -> bool:
        return self.__dict__.get("_transformation") is not None or bool(self.__dict__.get("_stored_function"))

    # ---- Feast's views of the sources ----

    @property
    def source_feature_view_projections(self) -> dict[str, FeatureViewProjection]:
        return {p.name: p for p in self.view_sources}

    @property
    def source_request_sources(self) -> dict[str, RequestSource]:
        return {r.name: r for r in self.request_sources}

    @property
    def sources(self) -> list:
        """The sources as declared: projections of feature views and request sources (not the input schema's)."""
        prefix = self._INPUT_SCHEMA_SOURCE_PREFIX
        return [*self.view_sources, *(r for r in self.request_sources if not r.name.startswith(prefix))]

    @property
    def input_schema(self) -> list[Field] | None:
        sentinel = self.source_request_sources.get(f"{self._INPUT_SCHEMA_SOURCE_PREFIX}{self.name}")
        return list(sentinel.schema) if sentinel is not None else None

    @property
    def schema(self) -> list[Field]:
        return self.entity_columns + self.features

    def get_request_data_schema(self) -> dict[str, object]:
        return {f.name: f.dtype for r in self.request_sources for f in r.schema}

    def ensure_valid(self) -> None:
        """ValueError if the view cannot be applied as it stands."""
        if not self.features:
            raise ValueError(f"on-demand feature view {self.name!r} declares no features")
        if not self._has_function() and not self.aggregations:
            raise ValueError(f"on-demand feature view {self.name!r} has neither a function nor aggregations")

    def infer_features(self) -> None:
        """The declared schema is the view's features; with no function (aggregations only) there is nothing
        to run, and without a schema there is nothing to take the features from."""
        if not self.features:
            from ..errors import RegistryInferenceFailure

            raise RegistryInferenceFailure("OnDemandFeatureView", f"no features declared for {self.name!r}")
        inputs = self._typed_inputs()
        if inputs is None or not self._has_function():
            return  # a source view's features are not typed yet: the apply runs the function
        from ..errors import SpecifiedFeaturesNotPresentError
        from ..transform import MissingOutputsError, try_on_sample

        try:
            try_on_sample(self, inputs)  # as in Feast, the function runs on a made-up row
        except MissingOutputsError as exc:
            raise SpecifiedFeaturesNotPresentError(exc.missing, exc.returned, self.name) from None

    def _typed_inputs(self) -> dict | None:
        """The columns the function receives, with their types, or None while a source view's are unknown."""
        inputs: dict = {}
        for projection in self.view_sources:
            if not projection.features:
                return None
            for feature in projection.features:
                inputs[feature.name] = inputs[f"{projection.name_to_use()}__{feature.name}"] = feature.dtype
        for request in self.request_sources:
            inputs.update({f.name: f.dtype for f in request.schema})
        return inputs

    def transform_dict(self, feature_dict: dict) -> dict:
        """Run the function (python mode) on a dict of inputs; the result holds the inputs and the outputs.
        Features may be given by name or by ``view__feature``."""
        transformation = self.feature_transformation
        if transformation is None:
            raise ValueError(f"on-demand feature view {self.name!r} has no function to run")
        given = dict(feature_dict)
        added = []
        for projection in self.view_sources:
            for feature in projection.feature_names:
                full = f"{projection.name_to_use()}__{feature}"
                if full in given and feature not in given:
                    given[feature] = given[full]
                    added.append(feature)
                elif feature in given and full not in given:
                    given[full] = given[feature]
                    added.append(full)
        if self.singleton and isinstance(transformation, PythonTransformation):
            output = {**given, **transformation.udf(given)}
        else:
            output = {**given, **transformation.udf(given)}
        for name in added:
            output.pop(name, None)
        return output

    # ---- the registry's dict form ----

    def _declared(self) -> dict:
        data = {
            **self._meta_dict(),
            "sources": [p.to_dict() for p in self.view_sources],
            "request_sources": [r.to_dict() for r in self.request_sources],
            "features": [f.to_dict() for f in self.features],
            "mode": self.mode,
            "udf_string": self.udf_string,
            "write_to_online_store": self.write_to_online_store,
            "singleton": self.singleton,
            "entities": list(self.entities),
        }
        if self.entity_columns:
            data["entity_columns"] = [f.to_dict() for f in self.entity_columns]
        if self.aggregations:
            data["aggregations"] = [_aggregation_dict(a) for a in self.aggregations]
        for attribute in ("track_metrics", "org"):
            if getattr(self, attribute):
                data[attribute] = getattr(self, attribute)
        return data

    def to_dict(self) -> dict:
        udf = self.udf if self._has_function() else None
        if udf is None:
            return {**self._declared(), "udf_pickle": None}
        module = sys.modules.get(getattr(udf, "__module__", ""), None)
        if module is not None and getattr(module, "__feast_repo_module__", False):
            cloudpickle.register_pickle_by_value(module)
        return {**self._declared(), "udf_pickle": base64.b64encode(cloudpickle.dumps(udf)).decode("ascii")}

    def __eq__(self, other: object) -> bool:
        # compare what the user wrote (never the function's bytes, which vary); the order in which
        # sources were listed does not change the view
        if not isinstance(other, OnDemandFeatureView):
            return False
        mine, theirs = self._declared(), other._declared()
        for key in ("sources", "request_sources"):
            mine[key], theirs[key] = sorted(mine[key], key=repr), sorted(theirs[key], key=repr)
        return mine == theirs

    __hash__ = Described.__hash__

    @classmethod
    def from_dict(cls, data: dict) -> OnDemandFeatureView:
        view = cls.__new__(cls)
        view._init_meta(data["name"], data["description"], data["tags"], data["owner"])
        view.view_sources = [FeatureViewProjection.from_dict(p) for p in data["sources"]]
        view.request_sources = [RequestSource.from_dict(r) for r in data["request_sources"]]
        view.features = [Field.from_dict(f) for f in data["features"]]
        view.entity_columns = [Field.from_dict(f) for f in data.get("entity_columns", [])]
        view.mode = data["mode"]
        view._transformation = None
        pickled = data["udf_pickle"]
        view._stored_function = ("", b"", data["udf_string"], pickled) if pickled else None  # unpickled on first use
        view.write_to_online_store = data["write_to_online_store"]
        view.singleton = data["singleton"]
        view.entities = list(data["entities"])
        view.aggregations = [_aggregation_from_dict(a) for a in data.get("aggregations", [])]
        view.track_metrics = data.get("track_metrics", False)
        view.org = data.get("org", "")
        view._reset_projection()
        return view

    # ---- wire form: feast.core.OnDemandFeatureView (spec.project is the registry's to set) ----

    # not modeled, kept from a view read: version, disabled, the legacy user_defined_function field 5;
    # meta current_version_number, version_id, state
    MODELED = (
        "spec.name", "spec.features", "spec.sources", "spec.feature_transformation", "spec.description",
        "spec.tags", "spec.owner", "spec.mode", "spec.write_to_online_store", "spec.entities",
        "spec.entity_columns", "spec.singleton", "spec.aggregations", "spec.org",
        "meta.created_timestamp", "meta.last_updated_timestamp",
    )

    def _build_proto(self):
        from ..protos.feast.core.Feature_pb2 import FeatureSpecV2
        from ..protos.feast.core.OnDemandFeatureView_pb2 import (
            OnDemandFeatureView as OnDemandFeatureViewProto,
        )

        proto = OnDemandFeatureViewProto()
        spec = proto.spec
        spec.name, spec.description, spec.owner, spec.mode = self.name, self.description, self.owner, self.mode
        spec.org = self.org
        spec.tags.update(self.tags)
        if self.track_metrics:
            spec.tags[self._TRACK_METRICS_TAG] = "true"
        spec.features.extend(f.to_proto() for f in self.features)
        for projection in self.view_sources:
            spec.sources[projection.name].feature_view_projection.CopyFrom(projection.to_proto())
        for request in self.request_sources:
            spec.sources[request.name].request_data_source.CopyFrom(request.to_proto())
        if self._has_function():
            function = spec.feature_transformation.user_defined_function
            stored = self.__dict__.get("_stored_function")
            if self.__dict__.get("_transformation") is None and stored and not stored[3]:
                function.name, function.body, function.body_text = stored[0], stored[1], stored[2]
            else:  # the stored pickle is kept as it is: re-pickling would mean loading the function
                function.name = getattr(self.udf, "__name__", "")
                function.body = self._pickled_udf()
                function.body_text = self.udf_string
            function.mode = self.mode
        spec.aggregations.extend(a.to_proto() for a in self.aggregations)
        spec.write_to_online_store, spec.singleton = self.write_to_online_store, self.singleton
        entities = [e for e in self.entities if e != DUMMY_ENTITY_NAME]
        spec.entities.extend(entities or [DUMMY_ENTITY_NAME])
        spec.entity_columns.extend(f.to_proto() for f in self.entity_columns)
        if not entities:
            spec.entity_columns.append(FeatureSpecV2(name=DUMMY_ENTITY_ID, value_type=to_proto_value_type(String)))
        wire.set_timestamp(proto.meta, "created_timestamp", self.created_timestamp)
        wire.set_timestamp(proto.meta, "last_updated_timestamp", self.last_updated_timestamp)
        return proto

    def _pickled_udf(self) -> bytes:
        if self.__dict__.get("_udf_body") is None or self.__dict__.get("_udf_body_of") is not self.udf:
            self._udf_body, self._udf_body_of = pickle_by_value(self.udf), self.udf
        return self._udf_body

    def to_proto(self):
        modeled = self.MODELED
        if not self._has_function():
            # read from a view whose transformation is not a Python function (Substrait, aggregations only)
            modeled = tuple(m for m in modeled if m != "spec.feature_transformation")
        return wire.finish(self, self._build_proto(), modeled)

    @classmethod
    def from_proto(cls, proto) -> OnDemandFeatureView:
        """A stored view; its function is not rebuilt (no user code runs) until it is used."""
        spec, meta = proto.spec, proto.meta
        view = cls.__new__(cls)
        view.name, view.description, view.owner = spec.name, spec.description, spec.owner
        view.tags = dict(spec.tags)
        view.track_metrics = view.tags.pop(cls._TRACK_METRICS_TAG, "false").lower() == "true"
        view.mode = spec.mode or "pandas"
        view.org = spec.org
        view.features = [Field.from_proto(f) for f in spec.features]
        view.view_sources, view.request_sources = [], []
        for key, source in spec.sources.items():
            arm = source.WhichOneof("source")
            if arm == "feature_view_projection":
                view.view_sources.append(FeatureViewProjection.from_proto(source.feature_view_projection))
            elif arm == "feature_view":
                view.view_sources.append(FeatureView.from_proto(source.feature_view).projection)
            elif arm == "request_data_source":
                view.request_sources.append(DataSource.from_proto(source.request_data_source))
            else:
                raise ValueError(f"on-demand feature view {spec.name!r}: source {key!r} has no source set")
        function = spec.feature_transformation.user_defined_function
        legacy = spec.user_defined_function  # written by Feast before FeatureTransformationV2
        if not (function.name or function.body or function.body_text) and (legacy.name or legacy.body or legacy.body_text):
            function = legacy
        view._transformation = None
        has_function = bool(function.body or function.body_text or function.name)
        view._stored_function = (function.name, function.body, function.body_text, None) if has_function else None
        view.aggregations = [Aggregation.from_proto(a) for a in spec.aggregations]
        view.write_to_online_store, view.singleton = spec.write_to_online_store, spec.singleton
        entities = list(spec.entities)
        view.entities = [] if entities == [DUMMY_ENTITY_NAME] else entities
        view.entity_columns = [Field.from_proto(f) for f in spec.entity_columns if f.name != DUMMY_ENTITY_ID]
        view.created_timestamp = wire.get_timestamp(meta, "created_timestamp")
        view.last_updated_timestamp = wire.get_timestamp(meta, "last_updated_timestamp")
        view._reset_projection()
        wire.remember(view, proto)
        return view


def _aggregation_dict(aggregation: Aggregation) -> dict:
    seconds = lambda span: span.total_seconds() if span is not None else None  # noqa: E731
    return {"column": aggregation.column, "function": aggregation.function, "name": aggregation.name,
            "time_window": seconds(aggregation.time_window), "slide_interval": seconds(aggregation.slide_interval)}


def _aggregation_from_dict(data: dict) -> Aggregation:
    from datetime import timedelta

    span = lambda seconds: timedelta(seconds=seconds) if seconds is not None else None  # noqa: E731
    return Aggregation(column=data["column"], function=data["function"], name=data["name"] or None,
                       time_window=span(data["time_window"]), slide_interval=span(data["slide_interval"]))


def on_demand_feature_view(
    *,
    name: str | None = None,
    entities: list | None = None,
    schema: list[Field],
    sources: list | None = None,
    mode: str | TransformationMode = "pandas",
    description: str = "",
    tags: dict[str, str] | None = None,
    owner: str = "",
    write_to_online_store: bool = False,
    singleton: bool = False,
    aggregations: list[Aggregation] | None = None,
    track_metrics: bool = False,
    org: str = "",
    input_schema: list[Field] | None = None,
    explode: bool = False,
    version: str = "latest",
) -> Callable[[Callable], OnDemandFeatureView]:
    """Decorator form: ``@on_demand_feature_view(sources=[...], schema=[...])`` over a function."""

    def decorate(udf: Callable) -> OnDemandFeatureView:
        check_unmodeled("on-demand feature view", name or udf.__name__, {"explode": explode}, {"explode": False})
        transformation_class = PythonTransformation if mode_of(mode).value == "python" else PandasTransformation
        if transformation_class is PandasTransformation and _returns_dict(udf):
            raise TypeError(
                f"on-demand feature view {name or udf.__name__!r} has mode 'pandas' but its function returns a dict; "
                "a pandas function takes and returns a DataFrame (use mode='python' for dicts)"
            )
        return OnDemandFeatureView(
            name=name or udf.__name__, sources=sources, schema=schema, mode=mode, entities=entities,
            feature_transformation=transformation_class(udf=udf, udf_string=source_text(udf)),
            description=description or (udf.__doc__ or "").strip(), tags=tags, owner=owner,
            write_to_online_store=write_to_online_store, singleton=singleton, aggregations=aggregations,
            track_metrics=track_metrics, org=org, input_schema=input_schema, version=version,
        )

    return decorate


def _returns_dict(function: Callable) -> bool:
    """Whether the function's return annotation says it returns a dict."""
    import typing

    try:
        returned = typing.get_type_hints(function).get("return")
    except (NameError, TypeError):  # an annotation naming something not importable here: take no view
        return False
    return returned is dict or typing.get_origin(returned) is dict


__all__ = ["OnDemandFeatureView", "PandasTransformation", "PythonTransformation", "on_demand_feature_view"]
