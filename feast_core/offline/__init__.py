"""Offline stores: historical point-in-time joins and materialization pulls (file, PostgreSQL)."""
