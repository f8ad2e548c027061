# Declare entities, data sources, feature views and feature services here, then run `feast apply`.
#
#   from datetime import timedelta
#   from feast_core import Entity, FeatureView, Field, FileSource
#   from feast_core.types import Float32
#
#   customer = Entity(name="customer", join_keys=["customer_id"])
#   source = FileSource(path="data/customer_stats.parquet", timestamp_field="event_timestamp")
#   customer_stats = FeatureView(
#       name="customer_stats", entities=[customer], ttl=timedelta(days=1),
#       schema=[Field(name="spend", dtype=Float32)], source=source,
#   )
