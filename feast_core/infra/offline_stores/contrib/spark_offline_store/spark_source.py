"""Feast's ``feast.infra.offline_stores.contrib.spark_offline_store.spark_source`` import path."""

from .....definitions import SparkSource
from .....definitions.sources import SPARK_FILE_FORMATS

__all__ = ["SPARK_FILE_FORMATS", "SparkSource"]
