"""Feature references resolved against a registry snapshot, once, into what each backend must read."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field

from .definitions import FeatureService, FeatureView, FeatureViewProjection, OnDemandFeatureView
from .errors import FeatureNameCollisionError, FeatureReferenceError, FeatureViewNotFoundError
from .registry.snapshot import ProjectObjects
from .types import FeastType


@dataclass
class ViewPart:
    """The features read from one feature view (under one projection)."""

    view: FeatureView
    projection: FeatureViewProjection
    features: list[str]  # view feature names
    outputs: list[str]  # output column names, same order
    hidden: list[bool]  # read only as an on-demand input, not returned

    @functools.cached_property
    def key_columns(self) -> list[str]:
        """The entity-row / entity_df columns that hold this view's join keys."""
        return [self.projection.join_key_map.get(k, k) for k in self.view.entity_key_columns]

    @functools.cached_property
    def key_types(self) -> list[FeastType]:
        keys = set(self.view.entity_key_columns)
        return [f.dtype for f in self.view.entity_columns if f.name in keys]


@dataclass
class OnDemandPart:
    view: OnDemandFeatureView
    projection: FeatureViewProjection
    features: list[str]
    outputs: list[str]
    # input column name the function sees -> column of the joined result that holds it
    inputs: dict[str, str] = field(default_factory=dict)


@dataclass
class FeaturePlan:
    views: list[ViewPart]
    on_demand: list[OnDemandPart]
    request_fields: dict[str, FeastType]
    full_feature_names: bool

    @functools.cached_property
    def key_columns(self) -> list[str]:
        """Entity-row columns the views join on, each once (plans are built once and reused)."""
        seen: dict[str, None] = {}
        for part in self.views:
            for column in part.key_columns:
                seen.setdefault(column)
        return list(seen)

    @property
    def output_names(self) -> list[str]:
        names = [o for p in self.views for o, h in zip(p.outputs, p.hidden) if not h]
        return names + [o for p in self.on_demand for o in p.outputs]


def parse_reference(ref: object) -> tuple[str, str]:
    if not isinstance(ref, str) or ref.count(":") < 1:
        raise FeatureReferenceError(f"feature reference {ref!r} is not of the form 'view:feature'")
    view, feature = ref.split(":", 1)
    view = view.split("@", 1)[0]  # "view@v2:f" / "view@latest:f": a single version is kept
    if not view or not feature:
        raise FeatureReferenceError(f"feature reference {ref!r} is not of the form 'view:feature'")
    return view, feature


def check_reference_collisions(feature_refs: list[str], full_feature_names: bool = False) -> None:
    """Raise FeatureNameCollisionError when two references would give the same output column.

    With ``full_feature_names`` the column is ``view__feature``, so only a repeated reference collides;
    without, two views offering a feature of the same name do.
    """
    if full_feature_names:
        counts = Counter(feature_refs)
        collided = [ref for ref, n in counts.items() if n > 1]
    else:
        names = Counter(parse_reference(ref)[1] for ref in feature_refs)
        collided = [ref for ref in feature_refs if names[parse_reference(ref)[1]] > 1]
    if collided:
        raise FeatureNameCollisionError(collided, full_feature_names)


def _output(projection: FeatureViewProjection, feature: str, full: bool) -> str:
    return f"{projection.name_to_use()}__{feature}" if full else feature


def _find(objects: ProjectObjects, name: str) -> FeatureView | OnDemandFeatureView:
    views = objects.objects["feature_views"]
    odfvs = objects.objects["on_demand_feature_views"]
    if name in views:
        return views[name]  # type: ignore[return-value]
    if name in odfvs:
        return odfvs[name]  # type: ignore[return-value]
    raise FeatureViewNotFoundError(name, objects.name, [*views, *odfvs])


def build(
    objects: ProjectObjects, features: list[str] | FeatureService, full_feature_names: bool
) -> FeaturePlan:
    """Resolve references (``view:feature`` strings, or a feature service) into a plan."""
    requested: list[tuple[FeatureViewProjection, str]] = []
    if isinstance(features, FeatureService):
        for projection in features.projections:
            _find(objects, projection.name)
            requested.extend((projection, f) for f in projection.feature_names)
    else:
        if isinstance(features, str) or not isinstance(features, (list, tuple)) or not features:
            raise FeatureReferenceError("features must be a non-empty list of 'view:feature' references")
        for ref in features:
            view_name, feature = parse_reference(ref)
            view = _find(objects, view_name)
            requested.append((view.projection, feature))
    return build_requested(objects, requested, full_feature_names)


def build_requested(
    objects: ProjectObjects, requested: list[tuple[FeatureViewProjection, str]], full_feature_names: bool
) -> FeaturePlan:
    """A plan for (projection, feature) pairs, in request order (each projection's view must exist)."""
    view_parts: dict[str, ViewPart] = {}
    od_parts: dict[str, OnDemandPart] = {}

    def view_part(view: FeatureView, projection: FeatureViewProjection) -> ViewPart:
        part = view_parts.get(projection.name_to_use())
        if part is None:
            part = view_parts[projection.name_to_use()] = ViewPart(view, projection, [], [], [])
        return part

    def add_view_feature(view: FeatureView, projection: FeatureViewProjection, feature: str, hidden: bool) -> str:
        known = [f.name for f in view.features]
        if feature not in known:
            raise FeatureReferenceError(
                f"feature view {view.name!r} has no feature {feature!r}; it has {', '.join(known)}"
            )
        part = view_part(view, projection)
        if feature in part.features:
            i = part.features.index(feature)
            part.hidden[i] = part.hidden[i] and hidden
            return part.outputs[i]
        part.features.append(feature)
        part.outputs.append(_output(projection, feature, full_feature_names) if not hidden else f"__input__{projection.name_to_use()}__{feature}")
        part.hidden.append(hidden)
        return part.outputs[-1]

    request_fields: dict[str, FeastType] = {}
    for projection, feature in requested:
        target = _find(objects, projection.name)
        if isinstance(target, FeatureView):
            add_view_feature(target, projection, feature, hidden=False)
            continue
        known = [f.name for f in target.features]
        if feature not in known:
            raise FeatureReferenceError(
                f"on-demand feature view {target.name!r} has no feature {feature!r}; it has {', '.join(known)}"
            )
        part = od_parts.get(projection.name_to_use())
        if part is None:
            part = od_parts[projection.name_to_use()] = OnDemandPart(target, projection, [], [])
            for source in target.view_sources:
                source_view = _find(objects, source.name)
                if not isinstance(source_view, FeatureView):
                    raise FeatureReferenceError(
                        f"on-demand feature view {target.name!r} reads {source.name!r}, which is not a feature view"
                    )
                source_projection = source
                for f in source.feature_names:
                    column = add_view_feature(source_view, source_projection, f, hidden=True)
                    part.inputs[f] = column
                    part.inputs[f"{source_projection.name_to_use()}__{f}"] = column
                # the function also sees its sources' join keys (as the entity rows name them), as in Feast
                for key in source_view.entity_key_columns:
                    column = source_projection.join_key_map.get(key, key)
                    part.inputs.setdefault(column, column)
            for request in target.request_sources:
                for f in request.schema:
                    request_fields[f.name] = f.dtype
                    part.inputs[f.name] = f.name
        if feature not in part.features:
            part.features.append(feature)
            part.outputs.append(_output(projection, feature, full_feature_names))

    # a hidden input that is also requested shows under its requested name
    for part in view_parts.values():
        for i, hidden in enumerate(part.hidden):
            if not hidden and part.outputs[i].startswith("__input__"):
                part.outputs[i] = _output(part.projection, part.features[i], full_feature_names)
    plan = FeaturePlan(list(view_parts.values()), list(od_parts.values()), request_fields, full_feature_names)
    _fix_inputs(plan)
    names = plan.output_names
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FeatureNameCollisionError(
            f"feature names {duplicates} appear in more than one view; pass full_feature_names=True "
            "to name columns 'view__feature'"
        )
    return plan


def _fix_inputs(plan: FeaturePlan) -> None:
    """Point on-demand inputs at the column that actually carries each value."""
    column_of: dict[str, str] = {}
    for part in plan.views:
        for feature, output in zip(part.features, part.outputs):
            column_of[f"__input__{part.projection.name_to_use()}__{feature}"] = output
    for od in plan.on_demand:
        od.inputs = {name: column_of.get(col, col) for name, col in od.inputs.items()}
