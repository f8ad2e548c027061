"""The web UI (``feast ui``): server-rendered pages and a read-only JSON API over the registry."""

from .app import create_app, serve_ui

__all__ = ["create_app", "serve_ui"]
