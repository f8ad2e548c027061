"""Sources of systems feast_core does not read (warehouses, streams): declared with Feast's constructors, stored in
Feast's wire form (upstream Feast reads them back as its own classes), and refused by name when rows are needed."""

import base64
import json
from datetime import timedelta

import pandas as pd
import pytest

from feast_core import (
    AthenaSource,
    BigQuerySource,
    Entity,
    FeatureStore,
    FeatureView,
    Field,
    FileSource,
    KafkaSource,
    RedshiftSource,
    SnowflakeSource,
)
from feast_core.data_format import JsonFormat
from feast_core.definitions import DataSource, source_from_dict
from feast_core.errors import DataSourceError
from feast_core.types import Float64, Int64, ValueType

BATCH = FileSource(name="rides_file", path="data/rides.parquet", timestamp_field="event_timestamp")
SOURCES = {
    "bq": BigQuerySource(name="bq", table="proj.dataset.rides", timestamp_field="ts"),
    "rs": RedshiftSource(name="rs", query="SELECT * FROM rides", timestamp_field="ts", database="dev"),
    "sf": SnowflakeSource(name="sf", database="DB", schema="PUBLIC", table="RIDES", timestamp_field="TS"),
    "athena": AthenaSource(name="athena", table="rides", database="db", data_source="AwsDataCatalog",
                           timestamp_field="ts"),
    "kafka": KafkaSource(name="kafka", timestamp_field="event_timestamp", kafka_bootstrap_servers="broker:9092",
                         topic="rides", message_format=JsonFormat(schema_json="rider_id integer"), batch_source=BATCH,
                         watermark_delay_threshold=timedelta(minutes=5)),
}
FEAST_CLASSES = {"bq": "BigQuerySource", "rs": "RedshiftSource", "sf": "SnowflakeSource", "athena": "AthenaSource",
                 "kafka": "KafkaSource"}


def test_each_source_round_trips_through_both_stored_forms():
    for name, source in SOURCES.items():
        assert DataSource.from_proto(source.to_proto()) == source, name
        assert source_from_dict(source.to_dict()) == source, name
    assert SOURCES["athena"].database == "db" and SOURCES["athena"].data_source == "AwsDataCatalog"
    # settings read as Feast exposes them: "" when unset, never None
    assert (SOURCES["sf"].database, SOURCES["sf"].schema, SOURCES["sf"].table, SOURCES["sf"].warehouse) == (
        "DB", "PUBLIC", "RIDES", "")
    assert (SOURCES["rs"].table, SOURCES["rs"].query, SOURCES["rs"].schema) == ("", "SELECT * FROM rides", "")
    assert (SOURCES["bq"].table, SOURCES["bq"].query) == ("proj.dataset.rides", "")
    with pytest.raises(ValueError, match="date_partition_column"):
        AthenaSource(name="x", table="t", timestamp_field="ts", date_partition_column="day")


def test_upstream_feast_reads_them_as_its_own_classes(tmp_path, upstream_feast):
    payload = {name: base64.b64encode(s.to_proto().SerializeToString()).decode() for name, s in SOURCES.items()}
    (tmp_path / "sources.json").write_text(json.dumps(payload))
    read = upstream_feast.run_python("""
        import base64, json
        from feast.data_source import DataSource
        from feast.protos.feast.core.DataSource_pb2 import DataSource as Proto
        out = {}
        for name, data in json.load(open("sources.json")).items():
            source = DataSource.from_proto(Proto.FromString(base64.b64decode(data)))
            out[name] = [type(source).__name__, source.name, source.timestamp_field]
        print(json.dumps(out))
    """, cwd=tmp_path)
    assert read == {name: [FEAST_CLASSES[name], s.name, s.timestamp_field] for name, s in SOURCES.items()}


def test_a_view_over_a_warehouse_applies_and_reading_it_names_the_source(tmp_path):
    (tmp_path / "feature_store.yaml").write_text("project: foreign\nregistry: registry.db\nprovider: local\n"
                                                 "online_store:\n  path: online.db\n")
    rider = Entity(name="rider", join_keys=["rider_id"], value_type=ValueType.INT64)
    view = FeatureView(name="rides", entities=[rider], source=SOURCES["bq"], ttl=timedelta(days=1),
                       schema=[Field(name="rider_id", dtype=Int64), Field(name="fare", dtype=Float64)])
    store = FeatureStore(repo_path=tmp_path)
    try:
        store.apply([rider, view])
        assert store.get_data_source("bq") == SOURCES["bq"]
        with pytest.raises(DataSourceError, match="'bq' is a BigQuerySource; the file offline store reads FileSource"):
            store.get_historical_features(pd.DataFrame({"rider_id": [1], "event_timestamp": [pd.Timestamp.now()]}),
                                          ["rides:fare"]).to_df()
    finally:
        store.close()
