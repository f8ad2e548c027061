"""Spark for feast_core: sessions (local or Spark Connect), reading sources, the materialization engine."""
