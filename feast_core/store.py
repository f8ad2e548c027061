"""FeatureStore: the one facade every face (CLI, HTTP server, UI, notebooks) calls."""

from __future__ import annotations

import asyncio
import enum
import functools
import logging
import time
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa

from . import definitions, diff, plans, telemetry
from .config import RepoConfig, load_config
from .definitions import (
    DataSource,
    Entity,
    FeatureService,
    FeatureView,
    OnDemandFeatureView,
    Permission,
    Project,
    PushSource,
    SavedDataset,
    StreamFeatureView,
    wire,
)
from .definitions.feature_view import DUMMY_ENTITY_ID, DUMMY_ENTITY_VAL
from .errors import (
    ConfigError,
    DataSourceError,
    EntityDataError,
    FeatureViewNotFoundException,
    ProtectedProjectError,
    PushSourceNotFoundError,
)
from .materialize import DEFAULT_CHUNK_ROWS
from .offline.base import OfflineStore, ViewQuery
from .online.base import CREATED_TS, EVENT_TS, OnlineStore, table_name
from .registry import Changes, Materialization, ProjectObjects, Registry, Snapshot, empty_project, open_store
from .registry import message as registry_message
from .registry.snapshot import NEVER
from .response import OnlineResponse, read_online
from .telemetry.nospan import NO_SPAN
from .timestamps import to_utc, utc_now
from .transform import apply_to_table
from .validate import Desired, fill_in, prepare

log = logging.getLogger(__name__)

# what apply() and apply_repo() write: the kinds a repo declares, and saved datasets
_APPLIED_KINDS = (*diff.KIND_LABELS, "saved_datasets")

PROTECTED_PROJECT_TAG = "feast.dev/protected-project"
DEFAULT_INCREMENTAL_LOOKBACK = timedelta(weeks=52)
DEFAULT_RANGE_LOOKBACK = timedelta(days=30)  # historical retrieval by date range, no view with a ttl (as Feast)
ENTITY_DF_TIMESTAMP = "event_timestamp"


class PushMode(enum.Enum):
    ONLINE = 1
    OFFLINE = 2
    ONLINE_AND_OFFLINE = 3


def open_offline_store(config: RepoConfig) -> OfflineStore:
    if config.offline_store.type == "postgres":
        from .offline.postgres import PostgresOfflineStore

        return PostgresOfflineStore(config.offline_store)
    if config.offline_store.type == "spark":
        from .offline.spark import SparkOfflineStore

        return SparkOfflineStore(config.offline_store, config.repo_path)
    if config.offline_store.type == "remote":
        from .offline.remote import RemoteOfflineStore

        return RemoteOfflineStore(config.offline_store, config.auth)
    from .offline.file import FileOfflineStore

    return FileOfflineStore(config.offline_store, config.repo_path)


def open_online_store(config: RepoConfig) -> OnlineStore:
    online = config.online_store
    if online is None:
        raise ConfigError(f"{config.source}: online_store is 'none'; online features are not available")
    if online.type == "postgres":
        from .online.postgres import PostgresOnlineStore

        return PostgresOnlineStore(online, config.entity_key_serialization_version)
    if online.type == "remote":
        from .online.remote import RemoteOnlineStore

        return RemoteOnlineStore(online, config.auth)
    from .online.sqlite import SqliteOnlineStore

    return SqliteOnlineStore(online, config.repo_path, config.entity_key_serialization_version)


class RetrievalJob:
    """A historical retrieval, run when its result is asked for (``to_df()`` / ``to_arrow()``)."""

    def __init__(self, compute: Callable[[], pa.Table], plan: plans.FeaturePlan, call_span=None) -> None:
        self._compute = compute
        self._plan = plan
        self._table: pa.Table | None = None
        self._call_span = call_span  # get_historical_features' span: the parent when no span is current later

    @property
    def full_feature_names(self) -> bool:
        return self._plan.full_feature_names

    @property
    def on_demand_feature_views(self) -> list[OnDemandFeatureView]:
        return [p.view for p in self._plan.on_demand]

    def to_arrow(self, timeout: float | None = None) -> pa.Table:
        return self._result("to_arrow")

    def to_df(self, validation_reference: object = None, timeout: float | None = None) -> pd.DataFrame:
        return self._result("to_df").to_pandas().reset_index(drop=True)

    def _result(self, method: str) -> pa.Table:
        if self._table is not None:
            return self._table
        started = time.perf_counter()
        status = "error"
        try:
            with telemetry.span("feast.historical_retrieval", {"feast.feature_view_count": len(self._plan.views)},
                                parent=self._call_span) as span:
                self._table = self._compute()
                span.set_attribute("feast.row_count", self._table.num_rows)
            status = "success"
            return self._table
        finally:
            if telemetry.flags.offline_features:
                from .telemetry import metrics

                metrics.OFFLINE_REQUESTS.labels(method, status).inc()
                metrics.OFFLINE_LATENCY.labels(method).observe(time.perf_counter() - started)
                if self._table is not None:
                    metrics.OFFLINE_ROWS.labels(method).observe(self._table.num_rows)
            if telemetry.flags.audit_logging:
                from .telemetry import audit

                audit.offline_retrieval(
                    method, [p.projection.name_to_use() for p in self._plan.views],
                    sum(len(p.outputs) for p in self._plan.views), self._table.num_rows if self._table else 0,
                    status, (time.perf_counter() - started) * 1000,
                )


class FeatureStore:
    """A feature repository's store: registry, offline store and online store, configured by feature_store.yaml."""

    def __init__(
        self,
        repo_path: str | Path | None = None,
        config: RepoConfig | None = None,
        fs_yaml_file: str | Path | None = None,
    ) -> None:
        if config is not None and fs_yaml_file is not None:
            raise ValueError("pass either config or fs_yaml_file, not both")
        self.repo_path = Path(repo_path or Path.cwd()).resolve()
        self.config = config if config is not None else load_config(self.repo_path, fs_yaml_file)
        self.project = self.config.project
        self._registry = Registry(open_store(self.config), self.config.registry.cache_ttl_seconds)
        self._offline: OfflineStore | None = None
        self._online: OnlineStore | None = None
        self._engine = None
        self._plan_cache: dict[tuple, plans.FeaturePlan] = {}
        self._plan_snapshot: Snapshot | None = None
        telemetry.configure(self.config, store=self)

    # ---- backends -------------------------------------------------------------------------

    @property
    def registry(self) -> Registry:
        return self._registry

    @property
    def offline_store(self) -> OfflineStore:
        if self._offline is None:
            self._offline = open_offline_store(self.config)
        return self._offline

    @property
    def online_store(self) -> OnlineStore:
        if self._online is None:
            self._online = open_online_store(self.config)
        return self._online

    def _materialization_engine(self):
        """The configured batch engine: ``local`` (this process writes what the offline store streams) or
        ``spark.engine`` (Spark computes and its partitions write)."""
        if self._engine is None:
            if self.config.batch_engine.type == "spark.engine":
                from .spark.engine import SparkMaterializationEngine

                self._engine = SparkMaterializationEngine(
                    self.config, self.offline_store, self.online_store, functools.partial(open_online_store, self.config)
                )
            else:
                from .materialize import LocalEngine

                self._engine = LocalEngine(self.offline_store, self.online_store)
        return self._engine

    def _get_provider(self):
        """Feast's provider interface over this store's online and offline stores (provider.py)."""
        from .provider import LocalProvider

        return LocalProvider(self.config, store=self)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        for backend in (self._offline, self._online):
            if backend is not None:
                backend.close()
        self._offline = self._online = None

    def refresh_registry(self) -> None:
        self._registry.refresh()

    def _objects(self, allow_cache: bool = True):
        return self._registry.snapshot(allow_cache).project(self.project)

    # ---- registry accessors (Feast's names) -----------------------------------------------

    def _list(self, kind: str, allow_cache: bool, tags: dict | None) -> list:
        items = self._objects(allow_cache).list(kind)
        if tags:
            items = [o for o in items if all(o.tags.get(k) == v for k, v in tags.items())]
        return items

    def list_entities(self, allow_cache: bool = False, tags: dict | None = None) -> list[Entity]:
        return self._list("entities", allow_cache, tags)

    def list_feature_views(self, allow_cache: bool = False, tags: dict | None = None) -> list[FeatureView]:
        """Feature views and batch feature views (Feast lists stream feature views apart)."""
        return [v for v in self._list("feature_views", allow_cache, tags) if not isinstance(v, StreamFeatureView)]

    list_batch_feature_views = list_feature_views

    def list_stream_feature_views(self, allow_cache: bool = False, tags: dict | None = None) -> list:
        return [v for v in self._list("feature_views", allow_cache, tags) if isinstance(v, StreamFeatureView)]

    def list_all_feature_views(self, allow_cache: bool = False, tags: dict | None = None) -> list:
        return (self._list("feature_views", allow_cache, tags)
                + self.list_on_demand_feature_views(allow_cache, tags))

    def list_on_demand_feature_views(self, allow_cache: bool = False, tags: dict | None = None) -> list:
        return self._list("on_demand_feature_views", allow_cache, tags)

    def list_feature_services(self, allow_cache: bool = False, tags: dict | None = None) -> list[FeatureService]:
        return self._list("feature_services", allow_cache, tags)

    def list_data_sources(self, allow_cache: bool = False, tags: dict | None = None) -> list[DataSource]:
        return self._list("data_sources", allow_cache, tags)

    def list_permissions(self, allow_cache: bool = False, tags: dict | None = None) -> list[Permission]:
        return self._list("permissions", allow_cache, tags)

    def list_saved_datasets(self, allow_cache: bool = False, tags: dict | None = None) -> list[SavedDataset]:
        return self._list("saved_datasets", allow_cache, tags)

    def list_projects(self, allow_cache: bool = False, tags: dict | None = None) -> list[Project]:
        snapshot = self._registry.snapshot(allow_cache)
        projects = [snapshot.project(name).project for name in snapshot.project_names]
        return [p for p in projects if not tags or all(p.tags.get(k) == v for k, v in tags.items())]

    def get_entity(self, name: str, allow_registry_cache: bool = False) -> Entity:
        return self._objects(allow_registry_cache).get("entities", name)

    def get_feature_view(self, name: str, allow_registry_cache: bool = False) -> FeatureView:
        return self._objects(allow_registry_cache).get("feature_views", name)

    def get_stream_feature_view(self, name: str, allow_registry_cache: bool = False) -> StreamFeatureView:
        view = self.get_feature_view(name, allow_registry_cache)
        if not isinstance(view, StreamFeatureView):
            raise FeatureViewNotFoundException(name, self.project)
        return view

    def get_on_demand_feature_view(self, name: str, allow_registry_cache: bool = False) -> OnDemandFeatureView:
        return self._objects(allow_registry_cache).get("on_demand_feature_views", name)

    def get_feature_service(self, name: str, allow_cache: bool = False) -> FeatureService:
        return self._objects(allow_cache).get("feature_services", name)

    def get_data_source(self, name: str) -> DataSource:
        return self._objects(False).get("data_sources", name)

    def get_permission(self, name: str) -> Permission:
        return self._objects(False).get("permissions", name)

    def get_saved_dataset(self, name: str) -> SavedDataset:
        return self._objects(False).get("saved_datasets", name)

    def get_project(self, name: str | None = None) -> Project:
        return self._registry.snapshot(False).require_project(name or self.project).project

    def get_materialization(self, view_name: str, allow_cache: bool = True) -> Materialization:
        """When and over which intervals a view was last materialized (Feast's FeatureViewMeta)."""
        return self._objects(allow_cache).materialization.get(view_name, NEVER)

    def delete_feature_view(self, name: str) -> None:
        """Delete a feature view or an on-demand feature view (as Feast, one call for both)."""
        objects = self._objects(allow_cache=False)
        if name in objects.objects["on_demand_feature_views"]:
            self._registry.apply(Changes(self.project, deletes={"on_demand_feature_views": [name]}))
            return
        view = objects.get("feature_views", name)
        self._registry.apply(Changes(self.project, deletes={"feature_views": [name]}, infra=self._infra(
            [v for v in objects.list("feature_views") if v.name != name])))
        if self.config.online_store is not None and view.online:
            self.online_store.update(self.project, keep=[], delete=[view])

    def delete_feature_service(self, name: str) -> None:
        self.get_feature_service(name)
        self._registry.apply(Changes(self.project, deletes={"feature_services": [name]}))

    def delete_saved_dataset(self, name: str) -> None:
        self.get_saved_dataset(name)
        self._registry.apply(Changes(self.project, deletes={"saved_datasets": [name]}))

    def create_saved_dataset(
        self,
        from_: RetrievalJob,
        name: str,
        storage,
        tags: dict[str, str] | None = None,
        feature_service: FeatureService | None = None,
        allow_overwrite: bool = False,
    ) -> SavedDataset:
        """Run a historical retrieval, write its rows to ``storage`` (a SavedDatasetFileStorage: parquet) and
        register the dataset (Feast's ``SavedDataset``)."""
        from .definitions import SavedDatasetFileStorage

        if not isinstance(storage, SavedDatasetFileStorage):
            raise ValueError(f"saved dataset {name!r}: storage must be a SavedDatasetFileStorage, got {storage!r}")
        path = self.config.resolve(storage.path)
        if path.exists() and not allow_overwrite:
            raise ValueError(f"saved dataset {name!r}: {path} exists; pass allow_overwrite=True to replace it")
        table = from_.to_arrow()
        import pyarrow.parquet as pq

        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)
        plan = from_._plan
        dataset = SavedDataset(
            name=name,
            features=[f"{p.projection.name}:{f}" for p in plan.views for f, h in zip(p.features, p.hidden) if not h]
            + [f"{p.projection.name}:{f}" for p in plan.on_demand for f in p.features],
            join_keys=list(plan.key_columns), storage=storage, full_feature_names=plan.full_feature_names,
            tags=tags, feature_service_name=feature_service.name if feature_service is not None else None,
        )
        if ENTITY_DF_TIMESTAMP in table.column_names and table.num_rows:
            import pyarrow.compute as pc

            bounds = pc.min_max(table.column(ENTITY_DF_TIMESTAMP))
            dataset.min_event_timestamp = bounds["min"].as_py()
            dataset.max_event_timestamp = bounds["max"].as_py()
        self.apply([dataset])
        return self.get_saved_dataset(name)

    # ---- apply / plan / teardown ----------------------------------------------------------

    def apply(
        self,
        objects: object,
        objects_to_delete: list | None = None,
        partial: bool = True,
        skip_source_validation: bool = True,
        skip_feature_view_validation=False,  # unannotated: Feast's tests read the annotation as the type bool
        **_ignored,
    ) -> diff.RegistryDiff:
        """Check, then create or update ``objects`` (and delete ``objects_to_delete`` when partial=False).

        As in Feast, sources are read only to infer what a view leaves out; pass ``skip_source_validation=False``
        to also check that each view's columns are in its source's data (``feast apply`` does). References
        between objects are always checked. ``skip_feature_view_validation`` skips trying each on-demand
        view's function on a made-up row.
        """
        items = list(objects) if isinstance(objects, (list, tuple)) else [objects]
        current = self._objects(allow_cache=False)
        desired = self._prepare(items, current, skip_source_validation, skip_feature_view_validation)
        target = {k: {**current.objects[k], **desired.objects.get(k, {})} for k in _APPLIED_KINDS}
        deleting = not partial and bool(objects_to_delete)
        if deleting:
            for obj in objects_to_delete:
                kind = "saved_datasets" if isinstance(obj, SavedDataset) else definitions.kind_of(obj)
                if kind in target:
                    target[kind].pop(obj.name, None)
        result = self._commit(current, target, desired.project, delete_missing=deleting)
        fill_in(items, desired)
        return result

    def plan(
        self, objects, skip_source_validation: bool = False, skip_feature_view_validation=False
    ) -> diff.RegistryDiff:
        """What applying exactly ``objects`` (deleting everything else) would change. Writes nothing.

        ``objects`` is a list of definitions, or what ``repo_operations.parse_repo`` returns.
        """
        objects = getattr(objects, "objects", objects)
        desired = self._prepare(list(objects), empty_project(self.project), skip_source_validation,
                                skip_feature_view_validation)
        current = self._objects(allow_cache=False)
        return diff.compute(current.objects, _repo_target(desired, current), delete_missing=True)

    def apply_repo(
        self, objects: list, skip_source_validation: bool = False, skip_feature_view_validation: bool = False
    ) -> diff.RegistryDiff:
        """``feast apply``: make the registry hold exactly ``objects``, deleting what the repo no longer defines."""
        desired = self._prepare(list(objects), empty_project(self.project), skip_source_validation,
                                skip_feature_view_validation)
        current = self._objects(allow_cache=False)
        result = self._commit(current, _repo_target(desired, current), desired.project, delete_missing=True)
        fill_in(list(objects), desired)
        return result

    def _prepare(
        self, items: list, registered: ProjectObjects, skip_source_validation: bool,
        skip_feature_view_validation: bool = False,
    ) -> Desired:
        return prepare(
            items, self.project, registered, lambda source: self.offline_store.source_schema(source),
            skip_source_validation, skip_feature_view_validation,
        )

    def _infra(self, views: list[FeatureView]):
        """The project's online tables as Feast's SQLite online store registers them (none for PostgreSQL)."""
        online = self.config.online_store
        if online is None or online.type != "sqlite":
            return None
        path = str(self.config.resolve(online.path).absolute())
        return registry_message.sqlite_tables(path, sorted(table_name(self.project, v) for v in views))

    def _commit(self, current: ProjectObjects, target: dict, project: Project | None, delete_missing: bool):
        registry_diff = diff.compute(current.objects, target, delete_missing)
        changes = Changes(self.project)
        for change in registry_diff.changes:
            before = current.objects[change.kind].get(change.name)
            stored_before = definitions.stored_kind(before) if before is not None else None
            if change.action == "delete":
                changes.deletes.setdefault(stored_before, []).append(change.name)
                continue
            obj = target[change.kind][change.name]
            stored = definitions.stored_kind(obj)  # a stream feature view goes to Feast's own field
            if before is not None and stored_before != stored:  # a view that changed kind leaves its old field
                changes.deletes.setdefault(stored_before, []).append(change.name)
                before = None
            # an update keeps what the stored message holds beyond what feast_core models
            changes.upserts.setdefault(stored, []).append(
                (wire.adopt(obj, before) if before is not None else obj).to_proto()
            )
        project_changed = project is not None and (current.project_message is None or current.project != project)
        if project_changed:
            changes.project_proto = (
                wire.adopt(project, current.project) if current.project_message is not None else project
            ).to_proto()
        if not current.has_dummy_entity:
            changes.upserts.setdefault("entities", []).insert(0, registry_message.dummy_entity())
        views_changed = bool(registry_diff.of("create", "feature_views") or registry_diff.of("delete", "feature_views"))
        if views_changed or current.project_message is None:
            changes.infra = self._infra(list(target["feature_views"].values()))
        views = target["feature_views"]
        online_views = [v for v in views.values() if v.online]
        deleted_views = [current.get("feature_views", n) for n in registry_diff.of("delete", "feature_views")]
        deleted_views += [current.get("feature_views", n) for n in registry_diff.of("update", "feature_views")
                          if not views[n].online and current.get("feature_views", n).online]
        if self.config.online_store is not None:
            # as Feast's apply does every time: the online tables exist (an apply after the online database was
            # removed recreates them); and a table this store cannot read stops the apply before the registry changes
            self.online_store.check(self.project, deleted_views)
            self.online_store.update(self.project, keep=online_views, delete=[])
        if registry_diff or project_changed or current.project_message is None or not current.has_dummy_entity:
            self._registry.apply(changes, refresh=False)
            # as in Feast: the cached registry is re-read now in "sync" cache mode; in "thread" mode it is
            # re-read when its ttl runs out (reads that pass allow_cache=False always see the change)
            if self.config.registry.cache_mode == "sync":
                self.refresh_registry()
            if self.config.online_store is not None and deleted_views:
                self.online_store.update(self.project, keep=[], delete=deleted_views)
        return registry_diff

    def teardown(self) -> None:
        objects = self._objects(allow_cache=False)
        if objects.project.tags.get(PROTECTED_PROJECT_TAG) == "true":
            raise ProtectedProjectError(f"project {self.project!r} is protected ({PROTECTED_PROJECT_TAG}: true)")
        if self.config.online_store is not None:
            self.online_store.teardown(self.project, objects.list("feature_views"))
        self._registry.delete_project(self.project)

    # ---- historical retrieval -------------------------------------------------------------

    def _plan(self, features: list[str] | FeatureService, full_feature_names: bool, allow_cache: bool) -> plans.FeaturePlan:
        snapshot = self._registry.snapshot(allow_cache)
        if snapshot is not self._plan_snapshot:
            self._plan_cache, self._plan_snapshot = {}, snapshot
        if isinstance(features, FeatureService):
            key = ("service", features.name, full_feature_names, id(features))
        elif isinstance(features, (list, tuple)):
            key = (tuple(features), full_feature_names)
        else:
            key = None
        plan = self._plan_cache.get(key) if key is not None else None
        if plan is None:
            with telemetry.span("feast.plan", {"feast.project": self.project}) as span:
                plan = plans.build(snapshot.project(self.project), features, full_feature_names)
                span.set_attribute("feast.feature_view_count", len(plan.views) + len(plan.on_demand))
            if key is not None and len(self._plan_cache) < 1024:
                self._plan_cache[key] = plan
        return plan

    def get_historical_features(
        self,
        entity_df: pd.DataFrame | str | None = None,
        features: list[str] | FeatureService | None = None,
        full_feature_names: bool = False,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
    ) -> RetrievalJob:
        """Point-in-time correct feature values for each row of ``entity_df`` (join keys and a timestamp).

        Without ``entity_df`` (Feast's range mode), the entity rows are every distinct (keys, event time) of the
        requested views' sources with ``start_date <= event time <= end_date``: ``end_date`` defaults to now,
        ``start_date`` to ``end_date`` minus the longest ttl of those views (30 days when none has one).
        """
        if entity_df is not None and (start_date is not None or end_date is not None):
            raise ValueError("pass either entity_df or start_date/end_date to get_historical_features, not both")
        with telemetry.span("feast.get_historical_features", {"feast.project": self.project}) as span:
            plan = self._plan(features or [], full_feature_names, allow_cache=False)
            return self.retrieve(plan, entity_df, start_date, end_date, span)

    def retrieve(self, plan: plans.FeaturePlan, entity_df=None, start_date: datetime | None = None,
                 end_date: datetime | None = None, span=None) -> RetrievalJob:
        """``get_historical_features`` once its references are resolved into ``plan`` (the offline server
        calls this with plans it builds from Feast's wire requests)."""
        span = span if span is not None else NO_SPAN
        if entity_df is None and plan.request_fields:
            raise EntityDataError(
                f"on-demand feature views need request data {sorted(plan.request_fields)}; pass it in entity_df"
            )
        offline = self.offline_store
        if getattr(offline, "serves_plans", False):  # an offline server joins and transforms: send it the request
            if isinstance(entity_df, pd.DataFrame):
                _entity_timestamp_column(entity_df)
                _check_entity_df(entity_df, plan)
            project = self.project
            return RetrievalJob(lambda: offline.retrieve(project, plan, entity_df, start_date, end_date), plan,
                                span if span.is_recording() else None)
        if entity_df is None:
            entity_df = self._entity_rows_in_range(plan, start_date, end_date)
        if span.is_recording():
            span.set_attribute("feast.feature_view_count", len(plan.views))
            if isinstance(entity_df, pd.DataFrame):
                span.set_attribute("feast.entity_row_count", len(entity_df))
        if _is_spark_frame(entity_df):  # Feast accepts a Spark DataFrame too: its rows come here as Arrow
            entity_df = _spark_frame_rows(entity_df)
        if isinstance(entity_df, str):
            timestamp_column = None
        elif isinstance(entity_df, pd.DataFrame):
            timestamp_column = _entity_timestamp_column(entity_df)
            _check_entity_df(entity_df, plan)
        else:
            raise EntityDataError(f"entity_df must be a pandas DataFrame or a SQL string, got {type(entity_df).__name__}")
        queries = [_view_query(part) for part in plan.views]

        def compute() -> pa.Table:
            with telemetry.span("feast.offline_store.point_in_time_join", {
                "feast.offline_store": self.config.offline_store.type, "feast.feature_view_count": len(queries),
            }):
                table = self.offline_store.get_historical_features(entity_df, timestamp_column, queries)
            if plan.on_demand:
                with telemetry.span("feast.on_demand_transform", {"feast.on_demand_feature_view_count": len(plan.on_demand)}):
                    table = apply_to_table(plan.on_demand, table)
            hidden = [o for p in plan.views for o, h in zip(p.outputs, p.hidden) if h]
            return table.drop_columns(hidden) if hidden else table

        return RetrievalJob(compute, plan, span if span.is_recording() else None)

    def _entity_rows_in_range(
        self, plan: plans.FeaturePlan, start_date: datetime | None, end_date: datetime | None
    ) -> pd.DataFrame:
        end = to_utc(end_date) if end_date is not None else utc_now()
        if start_date is not None:
            start = to_utc(start_date)
        else:
            longest = max((part.view.ttl_seconds for part in plan.views), default=0)
            start = end - (timedelta(seconds=longest) if longest > 0 else DEFAULT_RANGE_LOOKBACK)
        if start > end:
            raise ValueError(f"start_date {start.isoformat()} is after end_date {end.isoformat()}")
        tables = []
        for part in plan.views:
            source = part.view.batch_source
            keys = tuple(source.source_column(k) for k in part.view.entity_key_columns)
            rows = self.offline_store.entity_rows_in_range(
                source, keys, source.source_column(source.timestamp_field), start, end
            )
            tables.append(rows.rename_columns([*part.key_columns, ENTITY_DF_TIMESTAMP]))
        if not tables:
            return pd.DataFrame({ENTITY_DF_TIMESTAMP: pd.Series([], dtype="datetime64[us, UTC]")})
        combined = pa.concat_tables(tables, promote_options="permissive")
        distinct = combined.group_by(combined.column_names, use_threads=False).aggregate([])
        order = [(ENTITY_DF_TIMESTAMP, "ascending")] + [(c, "ascending") for c in distinct.column_names
                                                        if c != ENTITY_DF_TIMESTAMP]
        return distinct.sort_by(order).to_pandas()

    # ---- materialization --------------------------------------------------------------------

    def _views_to_materialize(self, names: list[str] | None) -> list[FeatureView]:
        objects = self._objects(allow_cache=False)
        if names is None:
            return [v for v in objects.list("feature_views") if v.online]
        views = []
        for name in names:
            view = objects.get("feature_views", name)
            if not view.online:
                raise ValueError(f"feature view {name!r} has online=False; it cannot be materialized")
            views.append(view)
        return views

    def materialize(
        self,
        start_date: datetime,
        end_date: datetime,
        feature_views: list[str] | None = None,
        disable_event_timestamp: bool = False,
        progress: bool = True,
        **_ignored,
    ) -> None:
        """Write the latest row per entity with start <= event time <= end of each view to the online store.

        ``disable_event_timestamp`` is Feast's flag for "all rows up to now"; the rows keep their event times
        (the `feast materialize --disable-event-timestamp` command passes 1970-01-01 and now).
        """
        start, end = to_utc(start_date), to_utc(end_date)
        if start > end:
            raise ValueError(f"materialize: start {start.isoformat()} is after end {end.isoformat()}")
        views = self._views_to_materialize(feature_views)
        self._run_materialization([(v, start, end) for v in views], progress)

    def materialize_incremental(
        self, end_date: datetime, feature_views: list[str] | None = None, progress: bool = True, **_ignored
    ) -> None:
        end = to_utc(end_date)
        work = []
        objects = self._objects(allow_cache=False)
        for view in self._views_to_materialize(feature_views):
            state = objects.materialization.get(view.name)
            if state is not None and state.most_recent_end is not None:
                start = state.most_recent_end
            elif view.ttl_seconds > 0:
                start = end - timedelta(seconds=view.ttl_seconds)
            else:
                start = end - DEFAULT_INCREMENTAL_LOOKBACK
            work.append((view, min(start, end), end))
        self._run_materialization(work, progress)

    def _run_materialization(self, work: list[tuple[FeatureView, datetime, datetime]], progress: bool) -> None:
        if progress:
            print(f"Materializing {len(work)} feature views into the {self.config.online_store.type} online store.")
        with telemetry.span("feast.materialize", {"feast.project": self.project, "feast.feature_view_count": len(work),
                                                  "feast.online_store": self.config.online_store.type}):
            for view, start, end in work:
                started = time.perf_counter()
                ok = False
                try:
                    with telemetry.span("feast.materialize.feature_view", {
                        "feast.feature_view": view.name, "feast.start": start.isoformat(), "feast.end": end.isoformat(),
                    }) as span:
                        rows = self._materialize_view(view, start, end, progress)
                        span.set_attribute("feast.row_count", rows)
                    ok = True
                finally:
                    if telemetry.flags.materialization:
                        from .telemetry import metrics

                        metrics.MATERIALIZATIONS.labels(view.name, "success" if ok else "failure").inc()
                        metrics.MATERIALIZATION_SECONDS.labels(view.name).observe(time.perf_counter() - started)
                log.info("materialized %s rows of %s", rows, view.name)

    def _materialize_view(self, view: FeatureView, start: datetime, end: datetime, progress: bool) -> int:
        from .materialize import ProgressBar

        engine = self._materialization_engine()
        chunk_rows = self.config.materialization.online_write_batch_size or DEFAULT_CHUNK_ROWS
        store = self._registry.store

        def checkpoint(reached: datetime) -> None:
            # every key whose newest row in the window is before `reached` is online: record up to just before it
            done = min(reached - timedelta(microseconds=1), end)
            if done > start:
                store.record_materialization(self.project, view.name, start, done)

        if progress:
            print(f"{view.name} from {start:%Y-%m-%d %H:%M:%S%z} to {end:%Y-%m-%d %H:%M:%S%z}:")
            with ProgressBar(view.name) as bar:
                rows = engine.materialize_view(self.project, view, start, end, chunk_rows=chunk_rows, progress=bar,
                                               checkpoint=checkpoint)
        else:
            rows = engine.materialize_view(self.project, view, start, end, chunk_rows=chunk_rows, checkpoint=checkpoint)
        self._registry.record_materialization(self.project, view.name, start, end)
        return rows

    # ---- online reads and writes ------------------------------------------------------------

    def get_online_features(
        self,
        features: list[str] | FeatureService,
        entity_rows: list[dict] | dict[str, list],
        full_feature_names: bool = False,
        strict_entity_keys: bool = False,
    ) -> OnlineResponse:
        """Latest values per entity row. ``strict_entity_keys`` rejects keys that no requested view uses."""
        with telemetry.span("feast.get_online_features", {"feast.project": self.project}):
            return self.read_online_features(features, entity_rows, full_feature_names, strict_entity_keys)

    def read_online_features(
        self,
        features: list[str] | FeatureService,
        entity_rows: list[dict] | dict[str, list],
        full_feature_names: bool = False,
        strict_entity_keys: bool = False,
    ) -> OnlineResponse:
        """``get_online_features`` without the span of the SDK call: for a server, whose request span already stands
        for the call (the plan and each view's read are still spans, children of the request's)."""
        plan = self._plan(features, full_feature_names, allow_cache=True)
        online = self.online_store
        if hasattr(online, "get_online_features"):  # a remote store: the server answers the whole request
            return online.get_online_features(plan, features, entity_rows, full_feature_names)
        return read_online(online, self.project, plan, entity_rows, strict_entity_keys, self.config.online_store.type)

    async def get_online_features_async(self, features, entity_rows, full_feature_names: bool = False):
        return self.get_online_features(features, entity_rows, full_feature_names)

    def _view_for_write(self, name: str, allow_registry_cache: bool) -> FeatureView:
        return self._objects(allow_registry_cache).get("feature_views", name)

    def write_to_online_store(
        self,
        feature_view_name: str,
        df: pd.DataFrame | None = None,
        inputs: pd.DataFrame | dict | None = None,
        allow_registry_cache: bool = True,
        **_ignored,
    ) -> None:
        view = self._view_for_write(feature_view_name, allow_registry_cache)
        frame = df if df is not None else inputs
        if isinstance(frame, dict):
            frame = pd.DataFrame(frame)
        # nothing to write is a warning, not an error, as in Feast (a stream batch may be empty)
        if frame is None or len(frame) == 0:
            warnings.warn(
                f"Cannot write empty dataframe to online store: no rows for feature view {feature_view_name!r}",
                stacklevel=2,
            )
            return
        batch = _online_batch(view, frame)
        features = [f.name for f in view.features if f.name in batch.column_names]
        if all(batch.column(f).null_count == batch.num_rows for f in features):
            warnings.warn(
                "Cannot write dataframe with empty feature columns to online store: every feature value for "
                f"feature view {feature_view_name!r} is null; nothing was written",
                stacklevel=2,
            )
            return
        with telemetry.span("feast.write_to_online_store", {"feast.feature_view": feature_view_name}):
            self._write_online(view, batch)

    def _write_online(self, view: FeatureView, batch: pa.Table) -> None:
        with telemetry.span("feast.online_store.write", {
            "feast.feature_view": view.name, "feast.online_store": self.config.online_store.type,
            "feast.row_count": batch.num_rows,
        }):
            self.online_store.write(self.project, view, batch)

    async def write_to_online_store_async(
        self,
        feature_view_name: str,
        df: pd.DataFrame | None = None,
        inputs: pd.DataFrame | dict | None = None,
        allow_registry_cache: bool = True,
    ) -> None:
        """``write_to_online_store`` without blocking the event loop (the write runs in a worker thread)."""
        await asyncio.to_thread(self.write_to_online_store, feature_view_name, df, inputs, allow_registry_cache)

    def write_to_offline_store(
        self, feature_view_name: str, df: pd.DataFrame, allow_registry_cache: bool = True, reorder_columns: bool = True
    ) -> None:
        view = self._view_for_write(feature_view_name, allow_registry_cache)
        self._write_offline(view, view.batch_source, _as_arrow(df, f"feature view {feature_view_name!r}"))

    def _write_offline(self, view: FeatureView | None, source: DataSource, table: pa.Table) -> None:
        offline = self.offline_store
        if getattr(offline, "serves_plans", False):  # an offline server writes through a feature view (Feast's call)
            if view is None:
                raise ConfigError(f"no feature view reads data source {source.name!r}: the offline server at "
                                  f"{offline.endpoint} writes rows only through a feature view")
            offline.write_view(view, table)
        else:
            offline.write(source, table)

    def push(
        self,
        push_source_name: str,
        df: pd.DataFrame,
        allow_registry_cache: bool = True,
        to: PushMode | str = PushMode.ONLINE,
        **_ignored,
    ) -> None:
        mode = _push_mode(to)
        if isinstance(df, dict):
            df = pd.DataFrame(df)
        with telemetry.span("feast.push", {"feast.push_source": push_source_name, "feast.push_mode": mode.name.lower(),
                                           "feast.row_count": len(df)}):
            self._push(push_source_name, df, allow_registry_cache, mode)

    def _push(self, push_source_name: str, df, allow_registry_cache: bool, mode: PushMode) -> None:
        objects = self._objects(allow_registry_cache)
        source = objects.objects["data_sources"].get(push_source_name)
        if not isinstance(source, PushSource):
            pushes = [n for n, s in objects.objects["data_sources"].items() if isinstance(s, PushSource)]
            raise PushSourceNotFoundError(push_source_name, self.project, pushes)
        views = [v for v in objects.list("feature_views") if v.stream_source and v.stream_source.name == push_source_name]
        batches = [(v, _online_batch(v, df)) for v in views if v.online] if mode != PushMode.OFFLINE else []
        if mode != PushMode.ONLINE:
            with telemetry.span("feast.offline_store.write", {"feast.offline_store": self.config.offline_store.type}):
                self._write_offline(views[0] if views else None, source.batch_source,
                                    _as_arrow(df, f"push source {push_source_name!r}"))
        for view, batch in batches:
            self._write_online(view, batch)

    async def update_online_store(
        self, feature_view_name: str, df: pd.DataFrame, update_expressions: dict[str, str], **_kwargs
    ) -> None:
        """Feast's in-place update of online values by expression, which only Feast's DynamoDB online store
        implements; feast_core's online stores do not, and say so."""
        raise NotImplementedError(
            f"the {self.config.online_store.type if self.config.online_store else 'configured'} online store does "
            "not support async update expressions (update_online_store); in Feast only the DynamoDB online store "
            "does. Write whole values with write_to_online_store instead."
        )

    async def push_async(
        self,
        push_source_name: str,
        df: pd.DataFrame,
        allow_registry_cache: bool = True,
        to: PushMode | str = PushMode.ONLINE,
        **kwargs,
    ) -> None:
        """``push`` without blocking the event loop (the writes run in a worker thread)."""
        await asyncio.to_thread(self.push, push_source_name, df, allow_registry_cache, to, **kwargs)

    # ---- servers ----------------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 6566, **kwargs) -> None:
        from .server import serve

        serve(self, host=host, port=port, **kwargs)

    def serve_ui(self, host: str = "127.0.0.1", port: int = 8888, root_path: str = "", **kwargs) -> None:
        from .ui import serve_ui

        serve_ui(self, host=host, port=port, root_path=root_path, **kwargs)


# ---- helpers -------------------------------------------------------------------------------


def _repo_target(desired: Desired, current: ProjectObjects) -> dict:
    """What a whole repo makes the registry hold: exactly its objects, and the saved datasets there are
    (a repository does not declare those)."""
    target = {k: dict(desired.objects.get(k, {})) for k in _APPLIED_KINDS}
    target["saved_datasets"] = {**current.objects["saved_datasets"], **target["saved_datasets"]}
    sources = current.objects["data_sources"]
    for name in current.sources_used_by_others():
        if name in sources:
            target["data_sources"].setdefault(name, sources[name])
    return target


def _view_query(part: plans.ViewPart) -> ViewQuery:
    view, source = part.view, part.view.batch_source
    if view.transforms_rows:
        from .materialize import untransformed

        raise DataSourceError(untransformed(view, "read historical features of"))
    return ViewQuery(
        name=part.projection.name_to_use(),
        source=source,
        join_keys=tuple(source.source_column(k) for k in view.entity_key_columns),
        entity_columns=tuple(part.key_columns),
        features=tuple((source.source_column(f), out) for f, out in zip(part.features, part.outputs)),
        timestamp_field=source.source_column(source.timestamp_field),
        created_timestamp_column=source.source_column(source.created_timestamp_column),
        ttl_seconds=view.ttl_seconds,
    )


def _is_spark_frame(value: object) -> bool:
    return type(value).__name__ == "DataFrame" and type(value).__module__.startswith("pyspark.sql")


def _spark_frame_rows(frame) -> pd.DataFrame:
    from .spark.session import spark_errors

    with spark_errors("entity_df (a Spark DataFrame)", EntityDataError):
        table = frame.toArrow()
    return table.to_pandas()


def _entity_timestamp_column(entity_df: pd.DataFrame) -> str:
    if "event_timestamp" in entity_df.columns:
        return "event_timestamp"
    stamps = [c for c in entity_df.columns if pd.api.types.is_datetime64_any_dtype(entity_df[c])]
    if len(stamps) == 1:
        return stamps[0]
    raise EntityDataError(
        "entity_df needs an 'event_timestamp' column (or exactly one datetime column); "
        f"it has {list(entity_df.columns)}"
    )


def _check_entity_df(entity_df: pd.DataFrame, plan: plans.FeaturePlan) -> None:
    for part in plan.views:
        missing = [c for c in part.key_columns if c not in entity_df.columns]
        if missing:
            raise EntityDataError(
                f"entity_df lacks join key column(s) {missing} needed by feature view {part.view.name!r}; "
                f"it has {list(entity_df.columns)}"
            )
        for column, dtype in zip(part.key_columns, part.key_types):
            if not _dtype_fits(entity_df[column], dtype):
                raise EntityDataError(
                    f"entity_df column {column!r} holds {entity_df[column].dtype} values, but feature view "
                    f"{part.view.name!r} keys it as {dtype}"
                )
    missing = [f for f in plan.request_fields if f not in entity_df.columns]
    if missing:
        raise EntityDataError(f"entity_df lacks request data column(s) {missing} needed by on-demand feature views")


def _dtype_fits(series: pd.Series, dtype) -> bool:
    from . import types

    if series.empty or series.isna().all():
        return True
    if dtype in (types.Int32, types.Int64):
        if pd.api.types.is_float_dtype(series):  # an int column with gaps reads as float
            values = series.dropna()
            return bool((values == values.round()).all())
        return pd.api.types.is_integer_dtype(series) or (
            series.dtype == object and all(isinstance(v, int) and not isinstance(v, bool) for v in series.dropna())
        )
    if dtype is types.String:
        return pd.api.types.is_string_dtype(series) and all(isinstance(v, str) for v in series.dropna())
    return True


def _as_arrow(df: pd.DataFrame, what: str) -> pa.Table:
    if isinstance(df, pa.Table):
        return df
    if not isinstance(df, pd.DataFrame):
        raise EntityDataError(f"{what}: expected a pandas DataFrame, got {type(df).__name__}")
    try:
        return pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise EntityDataError(f"{what}: cannot convert the rows: {exc}") from None


def _online_batch(view: FeatureView, df: pd.DataFrame) -> pa.Table:
    """Rows named as the source names them, turned into the online store's write batch."""
    source = view.batch_source
    table = _as_arrow(df, f"feature view {view.name!r}")
    columns: dict[str, pa.ChunkedArray] = {}
    names = {source.mapped(c): c for c in table.column_names}
    for key in view.entity_key_columns:
        if key not in names:
            raise EntityDataError(f"rows for feature view {view.name!r} lack join key column {key!r}")
        columns[key] = table.column(names[key])
    if DUMMY_ENTITY_ID in view.join_keys:  # an entity-less view: every row has Feast's placeholder key
        columns[DUMMY_ENTITY_ID] = pa.chunked_array([pa.array([DUMMY_ENTITY_VAL] * table.num_rows, pa.string())])
    present = [f for f in view.features if f.name in names]
    if not present:
        raise EntityDataError(
            f"rows for feature view {view.name!r} carry none of its features {[f.name for f in view.features]}"
        )
    for feature in present:
        columns[feature.name] = table.column(names[feature.name])
    # the timestamp fields name columns after field_mapping (as in Feast); rows may carry either name
    stamp = names.get(source.timestamp_field)
    if stamp is None:
        raise EntityDataError(f"rows for feature view {view.name!r} lack timestamp column {source.timestamp_field!r}")
    columns[EVENT_TS] = table.column(stamp)
    created = names.get(source.created_timestamp_column) if source.created_timestamp_column else None
    if created is not None:
        columns[CREATED_TS] = table.column(created)
    return pa.table(columns)


def _push_mode(to: PushMode | str) -> PushMode:
    if isinstance(to, PushMode):
        return to
    try:
        return PushMode[str(to).upper()]
    except KeyError:
        raise ValueError(f"push 'to' must be online, offline or online_and_offline, got {to!r}") from None


__all__ = ["FeatureStore", "PushMode", "RetrievalJob", "to_utc"]
