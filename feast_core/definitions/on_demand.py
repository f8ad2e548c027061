"""On-demand feature views: features computed from other features and request data at read time.

The function (UDF) is stored the way Feast 0.67 stores it: its source text including decorator lines
(``body_text``), a dill pickle (``body``), its name and mode. A view read from the registry does not
touch either until ``.udf`` is first used: listing or describing a registry never runs user code.
Then, as Feast 0.67 does, the source text is preferred (decorators stripped, run with ``pd``/``np``
available) and the pickle is the fallback.
"""

from __future__ import annotations

import ast
import base64
import inspect
import sys
import textwrap
import types
from collections.abc import Callable

import cloudpickle

from ..types import String, to_proto_value_type
from . import wire
from .base import Described
from .feature_view import DUMMY_ENTITY_ID, DUMMY_ENTITY_NAME, FeatureView, Projectable, Projection
from .field import Field
from .sources import DataSource, RequestSource

MODES = ("pandas", "python")


class OnDemandFeatureView(Projectable, Described):
    """Output features computed by a Python function of view features and request values."""

    kind = "on-demand feature view"

    def __init__(
        self,
        *,
        name: str,
        sources: list,
        schema: list[Field],
        udf: Callable | None = None,
        mode: str = "pandas",
        entities: list | None = None,
        description: str = "",
        tags: dict[str, str] | None = None,
        owner: str = "",
        write_to_online_store: bool = False,
        singleton: bool = False,
        udf_string: str = "",
        feature_transformation: object = None,
        **_ignored,
    ) -> None:
        self._init_meta(name, description, tags, owner)
        if mode not in MODES:
            raise ValueError(f"on-demand feature view {name!r}: mode must be one of {MODES}, got {mode!r}")
        if not schema or not all(isinstance(f, Field) for f in schema):
            raise ValueError(f"on-demand feature view {name!r} needs a schema: a non-empty list of Field")
        if udf is None and feature_transformation is not None:
            udf = getattr(feature_transformation, "udf", None)
        if not callable(udf):
            raise ValueError(f"on-demand feature view {name!r} needs a function (udf)")
        self.view_sources: list[Projection] = []
        self.request_sources: list[RequestSource] = []
        for source in sources or []:
            if isinstance(source, RequestSource):
                self.request_sources.append(source)
            elif isinstance(source, (FeatureView, OnDemandFeatureView)):
                self.view_sources.append(source.projection)
            else:
                raise ValueError(
                    f"on-demand feature view {name!r}: sources must be feature views or request sources, got {source!r}"
                )
        if not sources:
            raise ValueError(f"on-demand feature view {name!r} needs at least one source")
        self.features = list(schema)
        self.mode = mode
        self.udf = udf
        self.udf_string = udf_string or _source_text(udf)
        self.write_to_online_store = bool(write_to_online_store)
        self.singleton = bool(singleton)
        self.entities = [getattr(e, "name", e) for e in entities or []]
        self._reset_projection()

    # ---- the function: set by the user, or resolved from the registry on first use ----

    @property
    def udf(self) -> Callable:
        if self.__dict__.get("_udf") is None:
            self._udf = self._resolve_udf()
        return self._udf

    @udf.setter
    def udf(self, function: Callable) -> None:
        self._udf = function
        self._udf_name = getattr(function, "__name__", "")
        self._udf_body = None  # None: pickled by the next to_proto
        self._udf_pickle = None

    def _resolve_udf(self) -> Callable:
        stored = self.__dict__.get("_udf_pickle")
        if stored:  # the dict form (feast_core's own registry format): a cloudpickle
            return cloudpickle.loads(base64.b64decode(stored))
        function = _from_source_text(self.udf_string, self.__dict__.get("_udf_name", ""))
        if function is not None:
            return function
        body = self.__dict__.get("_udf_body")
        if body:
            import dill

            return dill.loads(body)
        raise ValueError(
            f"on-demand feature view {self.name!r}: its function cannot be rebuilt: the stored source text "
            "does not define it and there is no pickle to fall back to; apply the view again"
        )

    @property
    def schema(self) -> list[Field]:
        return self.features

    def _declared(self) -> dict:
        return {
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

    def to_dict(self) -> dict:
        udf = self.udf
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
        view.view_sources = [Projection.from_dict(p) for p in data["sources"]]
        view.request_sources = [RequestSource.from_dict(r) for r in data["request_sources"]]
        view.features = [Field.from_dict(f) for f in data["features"]]
        view.mode = data["mode"]
        view.udf_string = data["udf_string"]
        view._udf, view._udf_name, view._udf_body = None, "", None
        view._udf_pickle = data["udf_pickle"]  # unpickled on first use only
        view.write_to_online_store = data["write_to_online_store"]
        view.singleton = data["singleton"]
        view.entities = list(data["entities"])
        view._reset_projection()
        return view

    # ---- wire form: feast.core.OnDemandFeatureView (spec.project is the registry's to set) ----

    # not modeled, kept from a view read: aggregations, version, org, disabled, the legacy
    # user_defined_function field 5; meta current_version_number, version_id, state
    MODELED = (
        "spec.name", "spec.features", "spec.sources", "spec.feature_transformation", "spec.description",
        "spec.tags", "spec.owner", "spec.mode", "spec.write_to_online_store", "spec.entities",
        "spec.entity_columns", "spec.singleton", "meta.created_timestamp", "meta.last_updated_timestamp",
    )

    def _build_proto(self):
        from ..protos.feast.core.Feature_pb2 import FeatureSpecV2
        from ..protos.feast.core.OnDemandFeatureView_pb2 import (
            OnDemandFeatureView as OnDemandFeatureViewProto,
        )

        proto = OnDemandFeatureViewProto()
        spec = proto.spec
        spec.name, spec.description, spec.owner, spec.mode = self.name, self.description, self.owner, self.mode
        spec.tags.update(self.tags)
        spec.features.extend(f.to_proto() for f in self.features)
        for projection in self.view_sources:
            spec.sources[projection.view_name].feature_view_projection.CopyFrom(projection.to_proto())
        for request in self.request_sources:
            spec.sources[request.name].request_data_source.CopyFrom(request.to_proto())
        if self._has_function():
            function = spec.feature_transformation.user_defined_function
            function.name = self.__dict__.get("_udf_name") or getattr(self.udf, "__name__", "")
            function.body = self._pickled_udf()
            function.body_text = self.udf_string
            function.mode = self.mode
        spec.write_to_online_store, spec.singleton = self.write_to_online_store, self.singleton
        if self.entities:
            spec.entities.extend(self.entities)
        else:
            spec.entities.append(DUMMY_ENTITY_NAME)
            spec.entity_columns.append(
                FeatureSpecV2(name=DUMMY_ENTITY_ID, value_type=to_proto_value_type(String))
            )
        wire.set_timestamp(proto.meta, "created_timestamp", self.created_timestamp)
        wire.set_timestamp(proto.meta, "last_updated_timestamp", self.last_updated_timestamp)
        return proto

    def _has_function(self) -> bool:
        return bool(
            self.__dict__.get("_udf") is not None or self.__dict__.get("_udf_body") or self.udf_string
            or self.__dict__.get("_udf_pickle")
        )

    def _pickled_udf(self) -> bytes:
        if self.__dict__.get("_udf_body") is None:
            self._udf_body = _dill_by_value(self.udf)
        return self._udf_body

    def to_proto(self):
        modeled = self.MODELED
        if not self._has_function():
            # read from a view whose transformation is not a Python function (Substrait, aggregations only)
            modeled = tuple(m for m in modeled if m != "spec.feature_transformation")
        return wire.finish(self, self._build_proto(), modeled)

    @classmethod
    def from_proto(cls, proto) -> OnDemandFeatureView:
        """A stored view; its function is not loaded (no user code runs) until ``.udf`` is used."""
        spec, meta = proto.spec, proto.meta
        view = cls.__new__(cls)
        view.name, view.description, view.owner = spec.name, spec.description, spec.owner
        view.tags = dict(spec.tags)
        view.mode = spec.mode or "pandas"
        view.features = [Field.from_proto(f) for f in spec.features]
        view.view_sources, view.request_sources = [], []
        for key, source in spec.sources.items():
            arm = source.WhichOneof("source")
            if arm == "feature_view_projection":
                view.view_sources.append(Projection.from_proto(source.feature_view_projection))
            elif arm == "feature_view":
                view.view_sources.append(FeatureView.from_proto(source.feature_view).projection)
            elif arm == "request_data_source":
                view.request_sources.append(DataSource.from_proto(source.request_data_source))
            else:
                raise ValueError(f"on-demand feature view {spec.name!r}: source {key!r} has no source set")
        function = spec.feature_transformation.user_defined_function
        if not spec.HasField("feature_transformation") and not spec.aggregations:
            function = spec.user_defined_function  # written by Feast before FeatureTransformationV2
        view._udf, view._udf_pickle = None, None
        # the stored pickle is kept as it is (even empty): re-pickling would mean loading the function
        view._udf_name, view._udf_body, view.udf_string = function.name, function.body, function.body_text
        view.write_to_online_store, view.singleton = spec.write_to_online_store, spec.singleton
        entities = list(spec.entities)
        view.entities = [] if entities == [DUMMY_ENTITY_NAME] else entities
        view.created_timestamp = wire.get_timestamp(meta, "created_timestamp")
        view.last_updated_timestamp = wire.get_timestamp(meta, "last_updated_timestamp")
        view._reset_projection()
        wire.remember(view, proto)
        return view


def on_demand_feature_view(
    *,
    name: str | None = None,
    entities: list | None = None,
    schema: list[Field],
    sources: list,
    mode: str = "pandas",
    description: str = "",
    tags: dict[str, str] | None = None,
    owner: str = "",
    write_to_online_store: bool = False,
    singleton: bool = False,
    **_ignored,
) -> Callable[[Callable], OnDemandFeatureView]:
    """Decorator form: ``@on_demand_feature_view(sources=[...], schema=[...])`` over a function."""

    def decorate(udf: Callable) -> OnDemandFeatureView:
        return OnDemandFeatureView(
            name=name or udf.__name__, sources=sources, schema=schema, udf=udf, mode=mode, entities=entities,
            description=description or (udf.__doc__ or "").strip(), tags=tags, owner=owner,
            write_to_online_store=write_to_online_store, singleton=singleton,
        )

    return decorate


def _source_text(udf: Callable) -> str:
    """The function's source, decorator lines included (what Feast stores as ``body_text``)."""
    try:
        return textwrap.dedent(inspect.getsource(udf))
    except (OSError, TypeError):
        return ""


def _from_source_text(text: str, name: str) -> Callable | None:
    """Run stored source text (decorators removed) with pandas and numpy available, as Feast 0.67 does,
    and return the function called ``name`` (or the only function it defines); None if it cannot."""
    if not text.strip():
        return None
    try:
        tree = ast.parse(textwrap.dedent(text))
    except SyntaxError:
        return None
    defined = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.decorator_list = []
            defined.append(node.name)
    import numpy
    import pandas

    namespace = {"__name__": "feast_core_udf", "pd": pandas, "pandas": pandas, "np": numpy, "numpy": numpy}
    try:
        exec(compile(tree, f"<udf {name or '?'}>", "exec"), namespace)  # the registry's own content
    except Exception:  # any failure of stored code means: fall back to the pickle
        return None
    chosen = name if name in namespace else (defined[0] if len(defined) == 1 else None)
    function = namespace.get(chosen) if chosen else None
    return function if callable(function) else None


def _dill_by_value(function: Callable) -> bytes:
    """Feast's ``body``: a dill pickle of the function. Pickled by value (its code, and the globals it
    uses), never as a reference to a module that only the repo's directory has."""
    import dill

    if isinstance(function, types.FunctionType):
        copy = types.FunctionType(
            function.__code__, function.__globals__, function.__name__, function.__defaults__, function.__closure__
        )
        copy.__kwdefaults__ = function.__kwdefaults__
        copy.__qualname__, copy.__doc__ = function.__qualname__, function.__doc__
        copy.__module__ = "__main__"  # dill pickles __main__'s functions by value
        function = copy
    return dill.dumps(function, recurse=True)
