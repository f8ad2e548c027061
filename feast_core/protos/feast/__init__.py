"""Feast's proto packages (``feast.core``, ``feast.types``, ``feast.registry``, ``feast.serving``)."""
