"""Batch feature views: feature views whose rows pass through a transformation (Feast's ``BatchFeatureView``).

The view, its function, mode and aggregations are stored as Feast stores them, so a registry shared with Feast
round-trips them. feast_core does not run the function (Feast's compute engines do): materializing such a view,
or reading it in a historical retrieval, stops with an error naming it rather than serve untransformed rows.
A batch feature view without a function is read like a feature view.
"""

from __future__ import annotations

from collections.abc import Callable

import cloudpickle

from . import wire
from .aggregation import Aggregation
from .feature_view import FeatureView
from .sources import DataSource
from .transformations import Transformation, mode_of, pickle_by_value, rebuild, source_text


class BatchFeatureView(FeatureView):
    """A feature view over a batch source whose rows a function transforms."""

    kind = "feature view"

    def __init__(
        self,
        *,
        name: str,
        mode: str = "python",
        source: DataSource | FeatureView | list | None = None,
        sink_source: DataSource | None = None,
        entities: list | None = None,
        ttl=None,
        tags: dict[str, str] | None = None,
        online: bool = False,
        offline: bool = False,
        description: str = "",
        owner: str = "",
        org: str = "",
        schema: list | None = None,
        udf: Callable | None = None,
        udf_string: str | None = "",
        feature_transformation: Transformation | None = None,
        batch_engine: dict | None = None,
        aggregations: list[Aggregation] | None = None,
        enable_validation: bool = False,
        version: str = "latest",
    ) -> None:
        if isinstance(source, DataSource) and source.batch_source is not source:
            raise ValueError(
                f"batch feature view {name!r} needs a batch source (a file, table or query), not the stream or "
                f"push source {source.name!r}"
            )
        if source is None and aggregations:
            raise ValueError(f"batch feature view {name!r}: aggregations need a source to aggregate")
        if source is None and udf is None and feature_transformation is None and not aggregations:
            raise ValueError(f"batch feature view {name!r} needs a source, a function or aggregations")
        self.mode = mode_of(mode).value
        if feature_transformation is None and udf is not None:
            feature_transformation = Transformation(mode=self.mode, udf=udf, udf_string=udf_string or source_text(udf))
        self._transformation = feature_transformation
        self._stored_function = None
        self.batch_engine = batch_engine
        self.aggregations = list(aggregations or [])
        super().__init__(
            name=name, source=source, sink_source=sink_source, entities=entities, ttl=ttl, tags=tags,
            online=online, offline=offline, description=description, owner=owner, schema=schema, version=version,
        )
        self.org, self.enable_validation = org or "", bool(enable_validation)

    @property
    def feature_transformation(self) -> Transformation | None:
        stored = self.__dict__.get("_stored_function")
        if self.__dict__.get("_transformation") is None and stored:
            name, body, text, pickled = stored
            function = cloudpickle.loads(bytes.fromhex(pickled)) if pickled else rebuild(text, body, name)
            self._transformation = Transformation(mode=self.mode, udf=function, udf_string=text)
        return self.__dict__.get("_transformation")

    @feature_transformation.setter
    def feature_transformation(self, transformation: Transformation | None) -> None:
        self._transformation, self._stored_function = transformation, None

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

    @property
    def transforms_rows(self) -> bool:
        return self._has_function()

    # ---- the registry's dict form ----

    def to_dict(self) -> dict:
        data = {**super().to_dict(), "batch": True, "mode": self.mode, "udf_string": self.udf_string}
        if self._has_function():
            data["udf_pickle"] = cloudpickle.dumps(self.udf).hex()
        return data

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BatchFeatureView):
            return False
        mine, theirs = self.to_dict(), other.to_dict()
        mine.pop("udf_pickle", None), theirs.pop("udf_pickle", None)  # the bytes of an unchanged function vary
        return mine == theirs

    __hash__ = FeatureView.__hash__

    @classmethod
    def _from_batch_dict(cls, data: dict, view: FeatureView) -> BatchFeatureView:
        batch = cls.__new__(cls)
        batch.__dict__.update(view.__dict__)
        batch.mode, batch.batch_engine, batch.aggregations = data["mode"], None, []
        batch._transformation = None
        pickled = data.get("udf_pickle")
        batch._stored_function = ("", b"", data["udf_string"], pickled) if pickled else None
        batch._reset_projection()
        return batch

    # ---- wire form: a FeatureView message with its transformation and mode ----

    MODELED = (*FeatureView.MODELED, "spec.feature_transformation", "spec.mode")

    def _fill_spec(self, spec, seen: tuple[str, ...]) -> None:
        super()._fill_spec(spec, seen)
        spec.mode = self.mode
        if self._has_function():
            function = spec.feature_transformation.user_defined_function
            stored = self.__dict__.get("_stored_function")
            if self.__dict__.get("_transformation") is None and stored and not stored[3]:
                function.name, function.body, function.body_text = stored[0], stored[1], stored[2]
            else:
                function.name = getattr(self.udf, "__name__", "")
                function.body = pickle_by_value(self.udf)
                function.body_text = self.udf_string
            function.mode = self.mode

    def _read_extra(self, spec) -> None:
        function = spec.feature_transformation.user_defined_function
        self.mode = function.mode or spec.mode or "python"
        self._transformation = None
        self._stored_function = (function.name, function.body, function.body_text, None)
        self.batch_engine, self.aggregations = None, []

    def to_proto(self):
        return wire.finish(self, self._build_proto(), self.MODELED)


__all__ = ["BatchFeatureView"]
