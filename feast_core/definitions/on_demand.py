"""On-demand feature views: features computed from other features and request data at read time."""

from __future__ import annotations

import base64
import inspect
import sys
import textwrap
from collections.abc import Callable

import cloudpickle

from .base import Described
from .feature_view import FeatureView, Projectable, Projection
from .field import Field
from .sources import RequestSource

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

    @property
    def schema(self) -> list[Field]:
        return self.features

    def to_dict(self) -> dict:
        module = sys.modules.get(getattr(self.udf, "__module__", ""), None)
        if module is not None and getattr(module, "__feast_repo_module__", False):
            cloudpickle.register_pickle_by_value(module)
        return {
            **self._meta_dict(),
            "sources": [p.to_dict() for p in self.view_sources],
            "request_sources": [r.to_dict() for r in self.request_sources],
            "features": [f.to_dict() for f in self.features],
            "mode": self.mode,
            "udf_string": self.udf_string,
            "udf_pickle": base64.b64encode(cloudpickle.dumps(self.udf)).decode("ascii"),
            "write_to_online_store": self.write_to_online_store,
            "singleton": self.singleton,
            "entities": list(self.entities),
        }

    def __eq__(self, other: object) -> bool:
        # the pickle bytes of an unchanged function vary; compare what the user wrote
        strip = lambda d: {k: v for k, v in d.items() if k != "udf_pickle"}  # noqa: E731
        return isinstance(other, OnDemandFeatureView) and strip(other.to_dict()) == strip(self.to_dict())

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
        view._udf_pickle = data["udf_pickle"]
        view.write_to_online_store = data["write_to_online_store"]
        view.singleton = data["singleton"]
        view.entities = list(data["entities"])
        view._reset_projection()
        return view

    def __getattr__(self, item: str):
        # the function is unpickled on first use only: listing a registry never runs user code
        if item == "udf" and "_udf_pickle" in self.__dict__:
            self.udf = cloudpickle.loads(base64.b64decode(self.__dict__["_udf_pickle"]))
            return self.udf
        raise AttributeError(item)


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
    try:
        return textwrap.dedent(inspect.getsource(udf))
    except (OSError, TypeError):
        return ""
