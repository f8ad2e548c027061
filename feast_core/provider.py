"""Providers (Feast's ``feast.infra.provider``): the layer between a feature store and its online and offline
stores, in Feast's terms (Value messages, EntityKey messages, a RepoConfig per call).

feast_core's FeatureStore talks to its stores directly (store.py); ``FeatureStore._get_provider()`` and
``get_provider(config)`` give a ``LocalProvider`` over the same stores for code written against Feast's
provider interface: writing and reading online rows as Value messages, creating and dropping a view's online
tables, materializing one view. ``Provider`` is the interface; a class of one's own that implements it can be
used the same way, but FeatureStore does not load custom providers from ``provider:`` (config.py refuses them).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pyarrow as pa

from .config import RepoConfig
from .definitions import Entity, FeatureView
from .online.base import CREATED_TS, EVENT_TS, OnlineStore
from .types import TIMESTAMP_ARROW

# ---- which calls a provider can make without blocking (Feast's feast.infra.supported_async_methods) ----------


@dataclass
class SupportedAsyncMethods:
    read: bool = False
    write: bool = False


@dataclass
class ProviderAsyncMethods:
    online: SupportedAsyncMethods = field(default_factory=SupportedAsyncMethods)


class Provider(ABC):
    """What a feature store asks of its infrastructure, in Feast's terms."""

    @abstractmethod
    def __init__(self, config: RepoConfig) -> None: ...

    @property
    def async_supported(self) -> ProviderAsyncMethods:
        return ProviderAsyncMethods()

    @abstractmethod
    def update_infra(self, project: str, tables_to_delete: Sequence[FeatureView], tables_to_keep: Sequence[FeatureView],
                     entities_to_delete: Sequence[Entity], entities_to_keep: Sequence[Entity], partial: bool) -> None:
        """Create or adapt the online tables of ``tables_to_keep`` and drop those of ``tables_to_delete``."""

    @abstractmethod
    def teardown_infra(self, project: str, tables: Sequence[FeatureView], entities: Sequence[Entity]) -> None:
        """Drop what the online store keeps for ``tables``."""

    @abstractmethod
    def online_write_batch(self, config: RepoConfig, table: FeatureView, data: list[tuple],
                           progress: Callable[[int], Any] | None) -> None:
        """Write rows ``(EntityKey, {feature: Value}, event time, created time or None)`` of ``table``."""

    @abstractmethod
    def online_read(self, config: RepoConfig, table: FeatureView, entity_keys: list,
                    requested_features: list[str] | None = None) -> list[tuple]:
        """``(event time, {feature: Value})`` per entity key, ``(None, None)`` where a key has no row."""

    @abstractmethod
    def materialize_single_feature_view(self, config: RepoConfig, feature_view: FeatureView, start_date: datetime,
                                        end_date: datetime, registry, project: str, tqdm_builder=None) -> None:
        """Copy the latest row per key with an event time in [start_date, end_date] to the online store."""

    async def online_read_async(self, config: RepoConfig, table: FeatureView, entity_keys: list,
                                requested_features: list[str] | None = None) -> list[tuple]:
        return self.online_read(config, table, entity_keys, requested_features)

    async def online_write_batch_async(self, config: RepoConfig, table: FeatureView, data: list[tuple],
                                       progress: Callable[[int], Any] | None) -> None:
        self.online_write_batch(config, table, data, progress)

    async def initialize(self, config: RepoConfig) -> None:
        """Open what async calls need (nothing for the local provider)."""
        return None

    async def close(self) -> None:
        """Release what ``initialize`` opened."""
        return None


def _python(value) -> Any:
    from .type_map import feast_value_type_to_python_type

    return feast_value_type_to_python_type(value)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


class LocalProvider(Provider):
    """The provider of ``provider: local`` (and Feast's cloud names, whose stores feast_core configures the same
    way): the online and offline stores of the configuration."""

    def __init__(self, config: RepoConfig, store=None) -> None:
        """``store``: the FeatureStore whose stores to use (``FeatureStore._get_provider()``); without it the
        provider opens the stores of ``config``."""
        self.repo_config = config
        self._store = store
        self._online: OnlineStore | None = None
        self._offline = None

    @property
    def online_store(self) -> OnlineStore:
        if self._store is not None:
            return self._store.online_store
        if self._online is None:
            from .store import open_online_store

            self._online = open_online_store(self.repo_config)
        return self._online

    @property
    def offline_store(self):
        if self._store is not None:
            return self._store.offline_store
        if self._offline is None:
            from .store import open_offline_store

            self._offline = open_offline_store(self.repo_config)
        return self._offline

    def update_infra(self, project, tables_to_delete, tables_to_keep, entities_to_delete, entities_to_keep,
                     partial) -> None:
        self.online_store.update(project, list(tables_to_keep), list(tables_to_delete))

    def teardown_infra(self, project, tables, entities) -> None:
        self.online_store.teardown(project, list(tables))

    def online_write_batch(self, config, table, data, progress) -> None:
        columns: dict[str, list] = {key: [] for key in table.join_keys}
        features = list(table.features)
        for f in features:
            columns[f.name] = []
        events, created = [], []
        for entity_key, values, event_ts, created_ts in data:
            keyed = {k: _python(v) for k, v in zip(entity_key.join_keys, entity_key.entity_values)}
            missing = [k for k in table.join_keys if k not in keyed]
            if missing:
                raise ValueError(f"feature view {table.name!r}: an entity key lacks join key(s) {missing}")
            for key in table.join_keys:
                columns[key].append(keyed[key])
            for f in features:
                columns[f.name].append(_python(values[f.name]) if f.name in values else None)
            events.append(_utc(event_ts))
            created.append(_utc(created_ts))
        typed = {f.name: f.dtype for f in (*table.entity_columns, *features)}
        arrays = {name: pa.array(vals, type=typed[name].arrow) for name, vals in columns.items()}
        arrays[EVENT_TS] = pa.array(events, type=TIMESTAMP_ARROW)
        if any(c is not None for c in created):
            arrays[CREATED_TS] = pa.array(created, type=TIMESTAMP_ARROW)
        written = self.online_store.write(config.project, table, pa.table(arrays))
        if progress is not None:
            progress(written)

    def online_read(self, config, table, entity_keys, requested_features=None) -> list[tuple]:
        from .type_map import python_values_to_proto_values

        features = list(requested_features or [f.name for f in table.features])
        keys = []
        for entity_key in entity_keys:
            keyed = {k: _python(v) for k, v in zip(entity_key.join_keys, entity_key.entity_values)}
            keys.append(tuple(keyed.get(k) for k in table.join_keys))
        read = self.online_store.read(config.project, table, keys, features)
        types = {f.name: f.dtype for f in table.features}
        rows: list[tuple] = []
        for i in range(len(keys)):
            # each feature has its own event time (one row per feature); a key's is the latest of them
            stamps = [read.event_ts[f][i] for f in features if read.event_ts[f][i] is not None]
            if not stamps:
                rows.append((None, None))
                continue
            moment = datetime.fromtimestamp(max(stamps) / 1_000_000, tz=timezone.utc)
            values = {
                f: python_values_to_proto_values([read.values[f][i]], types[f].to_value_type())[0]
                for f in features
            }
            rows.append((moment, values))
        return rows

    def materialize_single_feature_view(self, config, feature_view, start_date, end_date, registry, project,
                                        tqdm_builder=None) -> None:
        from .materialize import materialize_view

        materialize_view(self.offline_store, self.online_store, project, feature_view, start_date, end_date)


PassthroughProvider = LocalProvider  # Feast's name for the provider behind local and its cloud names


def get_provider(config: RepoConfig) -> Provider:
    """The provider a configuration names: feast_core's local provider (``provider:`` local, gcp or aws; a custom
    provider class is refused when the configuration is loaded)."""
    return LocalProvider(config)
