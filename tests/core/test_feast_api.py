"""Feast's public API as a Feast user's code meets it: module paths, exception classes, config forms, helpers."""

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from feast_core import errors
from feast_core.feast_modules import FEAST_MODULES


@pytest.mark.parametrize("path", sorted(FEAST_MODULES))
def test_every_declared_feast_path_imports_with_its_names(path):
    module = importlib.import_module(f"feast_core.{path}")
    target = FEAST_MODULES[path]
    names = target if isinstance(target, dict) else {}
    for name in names:
        assert getattr(module, name) is not None
    if isinstance(target, str):  # the same module object under both names, so patching either reaches the code
        assert module is importlib.import_module(f"feast_core.{target}")


def test_feast_paths_hold_the_same_classes_as_ours():
    from feast_core.data_source import PushMode, PushSource
    from feast_core.definitions import FeatureView, PostgreSQLSource
    from feast_core.feature_store import FeatureStore
    from feast_core.feature_view import FeatureView as FeastPathFeatureView
    from feast_core.infra.offline_stores.contrib.postgres_offline_store.postgres_source import (
        PostgreSQLSource as FeastPathPostgresSource,
    )
    from feast_core.store import FeatureStore as Store
    from feast_core.store import PushMode as StorePushMode

    assert FeastPathFeatureView is FeatureView and FeastPathPostgresSource is PostgreSQLSource
    assert FeatureStore is Store and PushMode is StorePushMode and PushSource.__module__.startswith("feast_core.")


def test_a_module_path_alias_keeps_its_own_spec():
    import feast_core.feature_store
    import feast_core.store

    assert feast_core.store.__spec__.name == "feast_core.store"


def test_importing_feast_core_stays_light():
    """`feast version` must not pay for pandas: the path table imports nothing until asked."""
    code = "import sys, feast_core; print('pandas' in sys.modules, 'pyarrow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_not_found_errors_have_feast_names_and_stay_key_errors():
    from feast_core.errors import FeastObjectNotFoundException, FeatureViewNotFoundException

    error = FeatureViewNotFoundException("driver_stats", "prod")
    assert isinstance(error, FeastObjectNotFoundException) and isinstance(error, KeyError)
    assert str(error) == "feature view 'driver_stats' does not exist in project 'prod'"
    assert errors.FeatureViewNotFoundError is FeatureViewNotFoundException  # our earlier name


def test_an_error_crosses_the_wire_under_feasts_module_and_class():
    error = errors.PushSourceNotFoundException("clicks", "prod", ["views"])
    detail = json.loads(error.to_error_detail())
    assert detail == {
        "module": "feast.errors", "class": "PushSourceNotFoundException",
        "message": "Unable to find push source 'clicks' in project 'prod'; known push sources: views",
    }
    rebuilt = errors.FeastError.from_error_detail(error.to_error_detail())
    assert type(rebuilt) is errors.PushSourceNotFoundException
    assert (str(rebuilt), repr(rebuilt)) == (str(error), repr(error))
    assert errors.FeastError.from_error_detail("not json") is None
    # a class only feast_core has keeps our module, so a Feast client does not mistake it for another
    assert json.loads(errors.StoreUnavailableError("db down").to_error_detail())["module"] == "feast_core.errors"


def test_feature_name_collisions_take_feasts_arguments():
    from feast_core.utils import _validate_feature_refs

    _validate_feature_refs(["a:x", "b:y"])
    with pytest.raises(errors.FeatureNameCollisionError, match="named x found"):
        _validate_feature_refs(["a:x", "b:x", "a:y"])
    _validate_feature_refs(["a:x", "b:x"], full_feature_names=True)
    with pytest.raises(errors.FeatureNameCollisionError, match="named a__x found"):
        _validate_feature_refs(["a:x", "a:x"], full_feature_names=True)


def test_repo_config_takes_feasts_python_forms(tmp_path):
    from feast_core.infra.online_stores.sqlite import SqliteOnlineStoreConfig
    from feast_core.repo_config import RegistryConfig, RepoConfig

    config = RepoConfig(
        registry=str(tmp_path / "registry.db"), project="default", provider="local",
        online_store=SqliteOnlineStoreConfig(path=str(tmp_path / "online.db")), entity_key_serialization_version=3,
    )
    assert config.registry == RegistryConfig(path=str(tmp_path / "registry.db"))
    assert config.online_store.path == str(tmp_path / "online.db")
    by_class = RepoConfig(
        project="p", online_store="feast.infra.online_stores.sqlite.SqliteOnlineStore",
        offline_store={"type": "feast.infra.offline_stores.dask.DaskOfflineStore"},
    )
    assert (by_class.online_store.type, by_class.offline_store.type) == ("sqlite", "file")
    assert RepoConfig(project="p", online_store={"path": "x.db"}).online_store.type == "sqlite"
    assert RegistryConfig(cache_mode="thread").cache_mode == "thread"


def test_load_repo_config_reads_the_named_file_and_fails_with_feasts_class(tmp_path):
    from feast_core.repo_config import FeastConfigError, load_repo_config

    (tmp_path / "feature_store.yaml").write_text(
        "project: foo\nregistry: registry.db\nonline_store:\n  type: feast.infra.online_stores.sqlite.SqliteOnlineStore\n"
    )
    config = load_repo_config(tmp_path, tmp_path / "feature_store.yaml")
    assert config.project == "foo" and config.online_store.type == "sqlite"
    (tmp_path / "feature_store.yaml").write_text("project: _foo\nregistry: registry.db\n")
    with pytest.raises(FeastConfigError, match="alphanumerical values, underscores, and hyphens"):
        load_repo_config(tmp_path, tmp_path / "feature_store.yaml")


def _touch(root: Path, *names: str) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).touch()


def test_feastignore_globs_like_feast(tmp_path):
    from feast_core.repo_operations import get_ignore_files, get_repo_files, read_feastignore

    _touch(tmp_path, "a.py", "views/b.py", "views/deep/c.py", "other/views/d.py", "other/e.py",
           "views/.ipynb_checkpoints/b-checkpoint.py", "views/__pycache__/b.cpython.pyc")
    (tmp_path / ".feastignore").write_text("# comment\nviews   # a directory\n*/e.py\n")
    assert read_feastignore(tmp_path) == ["views", "*/e.py"]
    root = tmp_path.resolve()
    assert get_ignore_files(tmp_path, ["views"]) == {
        root / "views/b.py", root / "views/deep/c.py", root / "views/.ipynb_checkpoints/b-checkpoint.py",
    }
    assert get_ignore_files(tmp_path, ["*/d.py"]) == set()  # one '*' does not cross directories
    assert get_ignore_files(tmp_path, ["**/views/**"]) >= {root / "other/views/d.py", root / "views/deep/c.py"}
    assert get_repo_files(tmp_path) == [root / "a.py", root / "other/views/d.py"]


def test_is_valid_name():
    from feast_core.repo_operations import is_valid_name

    assert all(is_valid_name(n) for n in ("driver_1", "1234", "hyphen-name", "trailing_"))
    assert not any(is_valid_name(n) for n in ("_x", "-x", "a b", "a@b", "__", ""))


def test_tag_filters_parse_as_feast_does():
    from feast_core.utils import has_all_tags, tags_list_to_dict, tags_str_to_dict

    assert tags_str_to_dict() == {} and tags_list_to_dict() is None and tags_list_to_dict([""]) == {}
    assert tags_list_to_dict(["team : drivers, other:tag", "blank:", "other:2", "missing"]) == {
        "team": "drivers", "other": "2", "blank": "",
    }
    assert tags_str_to_dict("('team:drivers',)") == {"team": "drivers"}
    assert has_all_tags({"a": "1"}) and has_all_tags({"a": "1", "b": "2"}, {"a": "1"})
    assert not has_all_tags({"a": "1"}, {"a": "2"})


def test_data_formats_compare_by_kind_and_settings():
    from feast_core.data_format import AvroFormat, DeltaFormat, JsonFormat, ParquetFormat

    assert ParquetFormat() == ParquetFormat() and str(ParquetFormat()) == "parquet"
    assert ParquetFormat() != DeltaFormat() and len({ParquetFormat(), ParquetFormat()}) == 1
    assert AvroFormat("{}") == AvroFormat("{}") != AvroFormat('{"type": "record"}')
    assert AvroFormat("{}") != JsonFormat("{}")


def test_aggregation_defaults_and_names():
    from datetime import timedelta

    from feast_core.aggregation import Aggregation

    day = Aggregation(column="trips", function="sum", time_window=timedelta(days=1))
    assert day.slide_interval == timedelta(days=1) and day.resolved_name() == "sum_trips"
    assert day.resolved_name(timedelta(hours=1)) == "sum_trips_3600s"
    assert Aggregation(column="trips", function="sum", name="total").resolved_name() == "total"
    assert day == Aggregation(column="trips", function="sum", time_window=timedelta(days=1)) != Aggregation()
    with pytest.raises(TypeError, match="time_window"):
        Aggregation(column="trips", function="sum", time_window=3600)


def test_the_older_feature_declaration_needs_a_value_type():
    from feast_core.feature import Feature
    from feast_core.value_type import ValueType

    trips = Feature(name="trips", dtype=ValueType.INT64, labels={"team": "ops"})
    assert (trips.name, trips.dtype, trips.labels) == ("trips", ValueType.INT64, {"team": "ops"})
    assert trips == Feature("trips", ValueType.INT64) != Feature("trips", ValueType.FLOAT)
    with pytest.raises(ValueError, match="UNKNOWN"):
        Feature("x", ValueType.UNKNOWN)
    with pytest.raises(ValueError, match="ValueType"):
        Feature("x", "INT64")


def test_config_blocks_can_be_changed_and_are_checked_when_they_are(tmp_path):
    from pydantic import ValidationError

    from feast_core.repo_config import RepoConfig

    config = RepoConfig(project="p", registry=str(tmp_path / "r.db"))
    config.registry.cache_mode = "thread"
    config.online_store.path = str(tmp_path / "online.db")
    assert config.registry.cache_mode == "thread" and config.online_store.path.endswith("online.db")
    with pytest.raises(ValidationError):
        config.registry.cache_mode = "sometimes"


def test_an_empty_registry_file_is_an_empty_registry(tmp_path):
    from feast_core import Entity, FeatureStore
    from feast_core.repo_config import RepoConfig

    (tmp_path / "registry.db").touch()  # as tempfile.mkstemp leaves it
    store = FeatureStore(config=RepoConfig(project="p", registry=str(tmp_path / "registry.db"),
                                           online_store={"path": str(tmp_path / "online.db")}))
    assert store.list_entities() == []
    store.apply(Entity(name="rider", join_keys=["rider_id"]))
    assert [e.name for e in store.list_entities()] == ["rider"]


def test_on_demand_feature_view_is_a_module_path_as_in_feast():
    import feast_core
    import feast_core.on_demand_feature_view as module

    assert feast_core.on_demand_feature_view is module  # Feast's package has the module under this name too
    assert callable(module.on_demand_feature_view) and module.OnDemandFeatureView.__name__ == "OnDemandFeatureView"


def test_formats_aggregations_and_features_cross_the_wire():
    from datetime import timedelta

    from feast_core.aggregation import Aggregation
    from feast_core.data_format import AvroFormat, FileFormat, ParquetFormat, ProtoFormat, StreamFormat
    from feast_core.feature import Feature
    from feast_core.value_type import ValueType

    assert FileFormat.from_proto(ParquetFormat().to_proto()) == ParquetFormat()
    for fmt in (AvroFormat('{"type": "record"}'), ProtoFormat("com.example.Ride")):
        assert StreamFormat.from_proto(fmt.to_proto()) == fmt
    window = Aggregation(column="trips", function="sum", time_window=timedelta(hours=1), name="trips_1h")
    assert window.to_proto().time_window.seconds == 3600
    assert Aggregation.from_proto(window.to_proto()) == window
    trips = Feature("trips", ValueType.INT64, description="trips per day", labels={"team": "ops"})
    assert Feature.from_proto(trips.to_proto()).labels == {"team": "ops"}
    assert trips.to_proto().description == "trips per day"


def test_every_value_type_has_a_type_and_back():
    from feast_core.types import ValueType, from_value_type

    for value_type in ValueType:
        if value_type is not ValueType.NULL:
            assert from_value_type(value_type).to_value_type() == value_type


def test_collections_nest_where_feast_allows_them():
    import pyarrow as pa

    from feast_core.types import (
        Array,
        Decimal,
        Float64,
        Int32,
        Json,
        Map,
        PdfBytes,
        Set,
        String,
        Struct,
        Uuid,
        ValueType,
        ZonedTimestamp,
        from_feast_to_pyarrow_type,
    )

    assert Array(Array(String)).to_value_type() == ValueType.VALUE_LIST
    assert Set(Array(Int32)).to_value_type() == ValueType.VALUE_SET
    assert Array(Struct({"a": Int32})).to_value_type() == ValueType.STRUCT_LIST
    assert (Array(Uuid).to_value_type(), Set(Decimal).to_value_type()) == (ValueType.UUID_LIST, ValueType.DECIMAL_SET)
    assert Array(Json).to_value_type() == ValueType.JSON_LIST and Array(Map).to_value_type() == ValueType.MAP_LIST
    assert from_feast_to_pyarrow_type(Array(Set(Float64))) == pa.list_(pa.list_(pa.float64()))
    for refused in (lambda: Array(Array), lambda: Set(Map), lambda: Set(Json), lambda: Array(ZonedTimestamp),
                    lambda: Array(PdfBytes), lambda: Struct({})):
        with pytest.raises(ValueError):
            refused()


def test_nested_and_struct_fields_keep_their_inner_types_on_the_wire():
    from feast_core.field import NESTED_COLLECTION_INNER_TYPE_TAG, STRUCT_SCHEMA_TAG, Field
    from feast_core.types import Array, Int32, Set, String, Struct

    for dtype in (Array(Set(Array(Int32))), Struct({"street": String, "number": Int32}), Array(Struct({"a": Int32}))):
        field = Field(name="f", dtype=dtype, tags={"team": "geo"})
        proto = field.to_proto()
        assert {NESTED_COLLECTION_INNER_TYPE_TAG, STRUCT_SCHEMA_TAG} & set(proto.tags)
        back = Field.from_proto(proto)
        assert back.dtype == dtype and back.tags == {"team": "geo"}  # the type tags are not user tags


def test_feast_tag_spelling_of_types():
    from feast_core.field import _feast_type_to_str, _str_to_feast_type
    from feast_core.types import Array, Int64, Set

    assert _feast_type_to_str(Array(Set(Int64))) == "Array(Set(INT64))"
    assert _str_to_feast_type("Array(Set(INT64))") == Array(Set(Int64))
    with pytest.raises(ValueError, match="Unknown FeastType"):
        _str_to_feast_type("Strig")


def test_inferring_from_arrow_knows_structs_maps_and_nested_lists():
    import pyarrow as pa

    from feast_core.types import Array, Float64, Int64, Map, String, Struct, from_arrow

    assert from_arrow(pa.struct([("a", pa.int64()), ("b", pa.string())])) == Struct({"a": Int64, "b": String})
    assert from_arrow(pa.map_(pa.string(), pa.string())) == Map
    assert from_arrow(pa.list_(pa.list_(pa.float64()))) == Array(Array(Float64))
