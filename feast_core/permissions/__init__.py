"""Feast's ``feast.permissions`` import paths (``.permission``, ``.action``, ``.policy``)."""
