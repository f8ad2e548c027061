from __future__ import annotations

from . import wire
from .base import Described, check_unmodeled
from .feature_view import FeatureView, FeatureViewProjection, complete_projection
from .on_demand import OnDemandFeatureView


class FeatureService(Described):
    """A named set of features from one or more views, used for training and serving alike."""

    kind = "feature service"

    def __init__(
        self,
        *,
        name: str,
        features: list,
        tags: dict[str, str] | None = None,
        description: str = "",
        owner: str = "",
        logging_config: object = None,
        precompute_online: bool = False,
    ) -> None:
        self._init_meta(name, description, tags, owner)
        check_unmodeled("feature service", name, {"precompute_online": precompute_online}, {"precompute_online": False})
        if not isinstance(features, (list, tuple)):
            raise ValueError(f"feature service {name!r} needs a list of feature views (it may be empty)")
        self._features = list(features)
        self.projections: list[FeatureViewProjection] = []
        for item in features:
            if not isinstance(item, (FeatureView, OnDemandFeatureView)):
                raise ValueError(
                    f"feature service {name!r}: features must be feature views or projections, got {item!r}"
                )
            self.projections.append(item.projection)
        names = [p.name_to_use() for p in self.projections]
        if len(set(names)) != len(names):
            raise ValueError(f"feature service {name!r} lists a view twice: {names}; use .with_name() to alias")
        self.logging_config = logging_config

    @property
    def feature_view_projections(self) -> list[FeatureViewProjection]:
        """Feast's name for the service's projections (which features of which view, under which name)."""
        return self.projections

    @feature_view_projections.setter
    def feature_view_projections(self, projections: list[FeatureViewProjection]) -> None:
        self.projections = list(projections)

    def infer_features(self, fvs_to_update: dict) -> None:
        """Give each projection the types of the features it selects (all of its view's when it names none),
        from ``fvs_to_update`` (view name -> view); ValueError for a view or feature that is not there."""
        completed = []
        for projection in self.projections:
            view = fvs_to_update.get(projection.name)
            if view is None:
                from ..errors import FeatureViewMissingDuringFeatureServiceInference

                raise FeatureViewMissingDuringFeatureServiceInference(projection.name, self.name)
            completed.append(complete_projection(projection, view, f"feature service {self.name!r}"))
        self.projections = completed

    def prepare_for_apply(self, registry, project: str) -> None:
        """``infer_features`` with the views looked up in a registry (Feast's ``get_any_feature_view``)."""
        self.infer_features({p.name: registry.get_any_feature_view(p.name, project) for p in self.projections})

    @property
    def feature_references(self) -> list[str]:
        return [f"{p.name_to_use()}:{f}" for p in self.projections for f in p.feature_names]

    def to_dict(self) -> dict:
        return {**self._meta_dict(), "projections": [p.to_dict() for p in self.projections]}

    @classmethod
    def from_dict(cls, data: dict) -> FeatureService:
        service = cls.__new__(cls)
        service._init_meta(data["name"], data["description"], data["tags"], data["owner"])
        service.projections = [FeatureViewProjection.from_dict(p) for p in data["projections"]]
        service.logging_config = None
        return service

    # ---- wire form: feast.core.FeatureService (spec.project is the registry's to set) ----

    # not modeled, kept from a service read: logging_config, precompute_online
    MODELED = (
        "spec.name", "spec.features", "spec.tags", "spec.description", "spec.owner",
        "meta.created_timestamp", "meta.last_updated_timestamp",
    )

    def _build_proto(self):
        from ..protos.feast.core.FeatureService_pb2 import FeatureService as FeatureServiceProto

        proto = FeatureServiceProto()
        spec = proto.spec
        spec.name, spec.description, spec.owner = self.name, self.description, self.owner
        spec.tags.update(self.tags)
        spec.features.extend(p.to_proto() for p in self.projections)
        wire.set_timestamp(proto.meta, "created_timestamp", self.created_timestamp)
        wire.set_timestamp(proto.meta, "last_updated_timestamp", self.last_updated_timestamp)
        return proto

    def to_proto(self):
        return wire.finish(self, self._build_proto(), self.MODELED)

    @classmethod
    def from_proto(cls, proto) -> FeatureService:
        spec = proto.spec
        service = cls.__new__(cls)
        service.name, service.description, service.owner = spec.name, spec.description, spec.owner
        service.tags = dict(spec.tags)
        service.projections = [FeatureViewProjection.from_proto(p) for p in spec.features]
        service.logging_config = None
        service.created_timestamp = wire.get_timestamp(proto.meta, "created_timestamp")
        service.last_updated_timestamp = wire.get_timestamp(proto.meta, "last_updated_timestamp")
        wire.remember(service, proto)
        return service
