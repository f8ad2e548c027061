"""The HTTP feature server: Feast's protocol (``/get-online-features``, ``/push``, ``/write-to-online-store``,
``/materialize``, ``/materialize-incremental``, ``/health``, ``/docs``, ``/metrics``) over a FeatureStore."""

from .app import create_app
from .run import serve

__all__ = ["create_app", "serve"]
