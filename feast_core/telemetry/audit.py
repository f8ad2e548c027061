"""Feast's audit log (``feature_server: metrics: audit_logging: true``): one JSON line per online request and per
historical retrieval on the logger ``feast.audit``, with Feast's fields, for operators to route to a sink of
their own. The requestor is whoever ``REQUESTOR`` names in the request's context (authentication sets it)."""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import datetime, timedelta, timezone

log = logging.getLogger("feast.audit")

REQUESTOR: contextvars.ContextVar[str] = contextvars.ContextVar("feast_requestor", default="anonymous")


def _emit(record: dict) -> None:
    log.info(json.dumps(record, separators=(",", ":"), default=str))


def online_request(entity_keys: list[str], entity_count: int, feature_views: list[str], feature_count: int,
                   status: str, latency_ms: float) -> None:
    _emit({
        "event": "online_feature_request", "timestamp": datetime.now(timezone.utc).isoformat(),
        "requestor_id": REQUESTOR.get(), "entity_keys": entity_keys, "entity_count": entity_count,
        "feature_views": feature_views, "feature_count": feature_count, "status": status,
        "latency_ms": round(latency_ms, 2),
    })


def offline_retrieval(method: str, feature_views: list[str], feature_count: int, row_count: int, status: str,
                      duration_ms: float) -> None:
    end = datetime.now(timezone.utc)
    _emit({
        "event": "offline_feature_retrieval", "timestamp": end.isoformat(), "method": method,
        "start_time": (end - timedelta(milliseconds=duration_ms)).isoformat(), "end_time": end.isoformat(),
        "feature_views": feature_views, "feature_count": feature_count, "row_count": row_count, "status": status,
        "duration_ms": round(duration_ms, 2),
    })
