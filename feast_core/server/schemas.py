"""Request and response shapes for ``/docs`` only: the server checks requests by hand (see wire.py), these
pydantic models just describe Feast's protocol in the OpenAPI document."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class GetOnlineFeaturesRequest(BaseModel):
    features: list[str] | None = Field(None, description='Feature references "view:feature"', examples=[
        ["driver_hourly_stats:conv_rate", "driver_hourly_stats:acc_rate"]])
    feature_service: str | None = Field(None, description="A feature service name, instead of features")
    entities: dict[str, list[Any]] = Field(description="Entity rows as columns: join keys and request data",
                                           examples=[{"driver_id": [1001, 1002]}])
    full_feature_names: bool = Field(False, description='Name features "view__feature"')


class FieldValues(BaseModel):
    values: list[Any]
    statuses: list[Literal["PRESENT", "NULL_VALUE", "NOT_FOUND", "OUTSIDE_MAX_AGE"]]
    event_timestamps: list[str] = Field(description="RFC 3339, UTC; 1970-01-01T00:00:00Z for keys and missing values")


class Metadata(BaseModel):
    feature_names: list[str]


class GetOnlineFeaturesResponse(BaseModel):
    metadata: Metadata
    results: list[FieldValues] = Field(description="results[i] holds the column of metadata.feature_names[i]")


class PushRequest(BaseModel):
    push_source_name: str
    df: dict[str, list[Any]] = Field(description="Rows as columns, named as the push source's batch source names them")
    to: Literal["online", "offline", "online_and_offline"] = "online"
    allow_registry_cache: bool = True


class WriteToOnlineStoreRequest(BaseModel):
    feature_view_name: str
    df: dict[str, list[Any]]
    allow_registry_cache: bool = True


class MaterializeRequest(BaseModel):
    start_ts: str | None = Field(None, description="ISO 8601; naive means UTC; required unless disable_event_timestamp")
    end_ts: str | None = None
    feature_views: list[str] | None = None
    disable_event_timestamp: bool = False


class MaterializeIncrementalRequest(BaseModel):
    end_ts: str
    feature_views: list[str] | None = None


class Accepted(BaseModel):
    status: Literal["accepted"]
    feature_views: list[str]


_REQUESTS = {
    "get-online-features": GetOnlineFeaturesRequest,
    "push": PushRequest,
    "write-to-online-store": WriteToOnlineStoreRequest,
    "materialize": MaterializeRequest,
    "materialize-incremental": MaterializeIncrementalRequest,
}

SUMMARIES = {
    "get-online-features": "Latest feature values for entity rows (column-oriented)",
    "push": "Write rows to the feature views fed by a push source (200, empty body)",
    "write-to-online-store": "Write rows to one feature view's online table (200, null)",
    "materialize": "Load an interval from the offline into the online store (?async=true: 202)",
    "materialize-incremental": "Load what is new since the last materialization (?async=true: 202)",
}

_ERRORS = {
    "404": {"description": "an unknown feature view, feature service or feature"},
    "400": {"description": "entity rows or values that do not fit the feature views"},
    "413": {"description": "the request body is over the size limit"},
    "422": {"description": "a malformed request body"},
    "503": {"description": "the online store cannot be reached"},
}


def _inline(node, defs: dict):
    """The schema with its local ``$defs`` references written out in place (no components to register)."""
    if isinstance(node, dict):
        if set(node) == {"$ref"} and node["$ref"].startswith("#/$defs/"):
            return _inline(defs[node["$ref"].removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def _json(model: type[BaseModel]) -> dict:
    schema = model.model_json_schema()
    return {"content": {"application/json": {"schema": _inline(schema, schema.get("$defs", {}))}}}


RESPONSES = {
    "get-online-features": {200: {"description": "feature values", **_json(GetOnlineFeaturesResponse)}, **_ERRORS},
    "push": {200: {"description": "written"}, **_ERRORS, "422": {"description": "unknown push source or a malformed body"}},
    "write-to-online-store": {200: {"description": "written"}, **_ERRORS},
    "materialize": {200: {"description": "done"}, 202: {"description": "accepted", **_json(Accepted)},
                    409: {"description": "a view is being materialized already"}, **_ERRORS},
    "materialize-incremental": {200: {"description": "done"}, 202: {"description": "accepted", **_json(Accepted)},
                                409: {"description": "a view is being materialized already"}, **_ERRORS},
}


def request_body(name: str) -> dict:
    return {"requestBody": {"required": True, **_json(_REQUESTS[name])}}
