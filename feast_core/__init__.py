"""feast_core: a Feast-compatible feature store. ``from feast import X`` becomes ``from feast_core import X``.

The public names are imported on first use (PEP 562 ``__getattr__``), so ``import feast_core`` and commands
that never touch a store (``feast version``, ``feast --help``) do not pay for pandas, pyarrow and pydantic.
``from feast_core import FeatureStore`` works as before; type checkers and IDEs read the imports below.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from . import feast_modules

feast_modules.install()  # Feast's module paths (feast_core.feature_store, ...): one table, feast_modules.py
# As in Feast, ``feast_core.on_demand_feature_view`` is a module; its decorator of the same name is imported from
# it (``from feast_core.on_demand_feature_view import on_demand_feature_view``).

if TYPE_CHECKING:
    from .config import RepoConfig
    from .definitions import (
        AthenaSource,
        BatchFeatureView,
        BigQuerySource,
        Entity,
        FeatureService,
        FeatureView,
        FeatureViewState,
        Field,
        FileSource,
        KafkaSource,
        KinesisSource,
        OnDemandFeatureView,
        Permission,
        PostgreSQLSource,
        Project,
        PushSource,
        RedshiftSource,
        RequestSource,
        SnowflakeSource,
        StreamFeatureView,
    )
    from .filter_models import FilterTranslator
    from .store import FeatureStore, PushMode, RetrievalJob
    from .types import ValueType

__version__ = "0.1.0"

# public name -> (submodule, attribute there)
_LAZY = {
    **{name: (".definitions", name) for name in (
        "Entity", "FeatureService", "FeatureView", "Field", "FileSource", "OnDemandFeatureView", "Permission",
        "PostgreSQLSource", "Project", "PushSource", "RequestSource",
    )},
    **{name: (".definitions", name) for name in (
        "BatchFeatureView", "StreamFeatureView", "KafkaSource", "KinesisSource", "BigQuerySource", "RedshiftSource",
        "SnowflakeSource", "FeatureViewState", "AthenaSource",
    )},
    "FilterTranslator": (".filter_models", "FilterTranslator"),
    "Aggregation": (".definitions.aggregation", "Aggregation"),
    "Feature": (".definitions.feature", "Feature"),
    "RepoConfig": (".config", "RepoConfig"),
    "FeatureStore": (".store", "FeatureStore"),
    "PushMode": (".store", "PushMode"),
    "RetrievalJob": (".store", "RetrievalJob"),
    "ValueType": (".types", "ValueType"),
}

__all__ = [
    "Aggregation", "AthenaSource", "BatchFeatureView", "BigQuerySource", "Feature", "KafkaSource", "KinesisSource", "RedshiftSource",
    "SnowflakeSource", "StreamFeatureView", "Entity", "FeatureService", "FeatureStore", "FeatureView", "FeatureViewState",
    "Field", "FileSource", "FilterTranslator",
    "OnDemandFeatureView", "Permission", "PostgreSQLSource", "Project", "PushMode", "PushSource", "RepoConfig",
    "RequestSource", "RetrievalJob", "ValueType",
]


def __getattr__(name: str):
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(import_module(module, __name__), attribute)
    globals()[name] = value  # later lookups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
