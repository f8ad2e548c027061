"""Feast's ``feast.infra...`` import paths, as aliases of feast_core's own classes."""
