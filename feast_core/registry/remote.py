"""``registry_type: remote``: the registry behind a registry server (``feast serve_registry``, ours or Feast's),
over Feast's gRPC protocol, as a RegistryStore (base.py).

* ``read()`` is one ``Proto`` call: the whole registry (what the caller may DESCRIBE) as one message, which the
  Registry cache above parses once and keeps for ``cache_ttl_seconds``, as for a local registry.
* ``apply(changes)`` sends one Apply/Delete call per object, as Feast's client does (``commit: false``), then
  ``Commit``: Feast's server writes them at the commit, ours as each arrives. Project entries and online-store
  tables go as ``ApplyProject`` and ``UpdateInfra``.
* ``record_materialization`` is ``ApplyMaterialization`` with the view's stored message; ``delete_project`` is
  ``DeleteProject``.

Every call carries ``authorization: Bearer <token>`` from the ``auth:`` block unless it is ``no_auth``; a refused
token is fetched anew and the call tried once more. A server's Feast error comes back as the typed FeastError
(``FeastPermissionError``, ``FeatureViewNotFoundException``, ...), an unreachable server as StoreUnavailableError.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable

import grpc
from google.protobuf.empty_pb2 import Empty
from google.protobuf.message import Message

from ..auth.client import TokenSource
from ..auth.config import AuthConfig
from ..config import RegistryConfig
from ..errors import AuthenticationError, ConfigError, FeastError, RegistryError, StoreUnavailableError
from ..protos.feast.core.InfraObject_pb2 import Infra
from ..protos.feast.core.Project_pb2 import Project as ProjectProto
from ..protos.feast.core.Registry_pb2 import Registry as RegistryProto
from ..protos.feast.registry import RegistryServer_pb2 as rs
from ..protos.feast.registry import RegistryServer_pb2_grpc as rs_grpc
from .base import Changes
from .message import OBJECT_KINDS, name_of, project_of, set_project

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60.0
# Registry field -> (Apply request class, its object field, Delete request class, Delete RPC)
_APPLY = {
    "entities": (rs.ApplyEntityRequest, "entity", rs.DeleteEntityRequest, "DeleteEntity"),
    "data_sources": (rs.ApplyDataSourceRequest, "data_source", rs.DeleteDataSourceRequest, "DeleteDataSource"),
    "feature_services": (rs.ApplyFeatureServiceRequest, "feature_service", rs.DeleteFeatureServiceRequest,
                         "DeleteFeatureService"),
    "saved_datasets": (rs.ApplySavedDatasetRequest, "saved_dataset", rs.DeleteSavedDatasetRequest,
                       "DeleteSavedDataset"),
    "validation_references": (rs.ApplyValidationReferenceRequest, "validation_reference",
                              rs.DeleteValidationReferenceRequest, "DeleteValidationReference"),
    "permissions": (rs.ApplyPermissionRequest, "permission", rs.DeletePermissionRequest, "DeletePermission"),
    "feature_views": (rs.ApplyFeatureViewRequest, "feature_view", rs.DeleteFeatureViewRequest, "DeleteFeatureView"),
    "on_demand_feature_views": (rs.ApplyFeatureViewRequest, "on_demand_feature_view", rs.DeleteFeatureViewRequest,
                                "DeleteFeatureView"),
    "stream_feature_views": (rs.ApplyFeatureViewRequest, "stream_feature_view", rs.DeleteFeatureViewRequest,
                             "DeleteFeatureView"),
    "label_views": (rs.ApplyFeatureViewRequest, "label_view", rs.DeleteFeatureViewRequest, "DeleteFeatureView"),
}
# Registry field -> the List call that answers a project's objects of that kind (its response field is the same)
_LISTS = {
    "entities": ("ListEntities", rs.ListEntitiesRequest),
    "data_sources": ("ListDataSources", rs.ListDataSourcesRequest),
    "feature_views": ("ListFeatureViews", rs.ListFeatureViewsRequest),
    "on_demand_feature_views": ("ListOnDemandFeatureViews", rs.ListOnDemandFeatureViewsRequest),
    "stream_feature_views": ("ListStreamFeatureViews", rs.ListStreamFeatureViewsRequest),
    "label_views": ("ListLabelViews", rs.ListLabelViewsRequest),
    "feature_services": ("ListFeatureServices", rs.ListFeatureServicesRequest),
    "saved_datasets": ("ListSavedDatasets", rs.ListSavedDatasetsRequest),
    "validation_references": ("ListValidationReferences", rs.ListValidationReferencesRequest),
    "permissions": ("ListPermissions", rs.ListPermissionsRequest),
}
# the order objects are applied in (what others refer to first) and deleted in (the reverse)
_ORDER = ("entities", "data_sources", "feature_views", "stream_feature_views", "label_views",
          "on_demand_feature_views", "feature_services", "saved_datasets", "validation_references", "permissions")


def _read(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise ConfigError(f"registry.{what} {path}: cannot read: {error.strerror}") from None


def _system_roots() -> bytes | None:
    """The CA bundle Feast's client reads for ``is_tls`` (SSL_CERT_FILE, REQUESTS_CA_BUNDLE); None: gRPC's own."""
    for variable in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        path = os.environ.get(variable)
        if path:
            return _read(path, f"is_tls ({variable})")
    return None


def rebuild_error(error: grpc.RpcError, endpoint: str) -> FeastError:
    """The FeastError a gRPC error stands for."""
    code, details = error.code(), error.details() or ""
    rebuilt = FeastError.from_error_detail(details) if details.startswith("{") else None
    if rebuilt is not None and type(rebuilt) is not FeastError:
        return rebuilt
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return AuthenticationError(f"the registry server at {endpoint} refused the token ({details})")
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return StoreUnavailableError(f"the registry server at {endpoint} cannot be reached: {details}")
    message = rebuilt.message if rebuilt is not None else details
    return RegistryError(f"the registry server at {endpoint} answered {code.name}: {message}")


class RemoteRegistryStore:
    def __init__(self, config: RegistryConfig, auth: AuthConfig) -> None:
        self.config = config
        self.endpoint = config.path
        self.tokens = TokenSource(auth) if auth.type != "no_auth" else None
        self._channel: grpc.Channel | None = None
        self._stub: rs_grpc.RegistryServerStub | None = None
        self._lock = threading.Lock()
        self._last: RegistryProto | None = None
        self._last_content = b""

    # ---- transport ------------------------------------------------------------------------------------

    def _open(self) -> rs_grpc.RegistryServerStub:
        with self._lock:
            if self._stub is None:
                config = self.config
                options = [("grpc.max_receive_message_length", 1 << 30), ("grpc.max_send_message_length", 1 << 30)]
                if config.authority:
                    options += [("grpc.default_authority", config.authority),
                                ("grpc.ssl_target_name_override", config.authority)]
                if config.cert or config.is_tls or config.client_cert:
                    roots = _read(config.cert, "cert") if config.cert else _system_roots()
                    credentials = grpc.ssl_channel_credentials(
                        root_certificates=roots,
                        private_key=_read(config.client_key, "client_key") if config.client_key else None,
                        certificate_chain=_read(config.client_cert, "client_cert") if config.client_cert else None,
                    )
                    self._channel = grpc.secure_channel(config.path, credentials, options=options)
                else:
                    self._channel = grpc.insecure_channel(config.path, options=options)
                self._stub = rs_grpc.RegistryServerStub(self._channel)
            return self._stub

    def _metadata(self) -> list[tuple[str, str]]:
        return [] if self.tokens is None else [("authorization", f"Bearer {self.tokens()}")]

    def call(self, method: str, request: Message):
        """One unary call; errors come back as FeastErrors."""
        stub = self._open()
        rpc: Callable = getattr(stub, method)
        for attempt in (1, 2):
            try:
                return rpc(request, metadata=self._metadata(), timeout=TIMEOUT_SECONDS)
            except grpc.RpcError as error:
                if error.code() == grpc.StatusCode.UNAUTHENTICATED and self.tokens is not None and attempt == 1:
                    self.tokens.forget()  # a fetched token may have been revoked: one more try with a new one
                    continue
                raise rebuild_error(error, self.endpoint) from None
        raise AssertionError("not reached")

    # ---- RegistryStore ----------------------------------------------------------------------------------

    def read(self) -> RegistryProto:
        """The registry as the server shows it to this caller. Feast's servers may answer changed content under an
        unchanged ``version_id``, so the content decides: the same bytes give the same message object back (the
        cache above keeps its parsed snapshot), different bytes a message without a version id (parsed anew)."""
        message = self.call("Proto", Empty())
        if any(not project_of(m) for kind in OBJECT_KINDS for m in getattr(message, kind)):
            message = self._assemble(message)
        content = message.SerializeToString(deterministic=True)
        if self._last is not None and content == self._last_content:
            return self._last
        message.version_id = ""
        self._last, self._last_content = message, content
        return message

    def _assemble(self, answer: RegistryProto) -> RegistryProto:
        """The registry from per-project List calls: Feast's server answers ``Proto`` with objects that name no
        project (it writes them from objects that do not know theirs), so each project's objects are listed."""
        registry = RegistryProto()
        registry.CopyFrom(answer)
        for kind in OBJECT_KINDS:
            if kind in _LISTS:
                registry.ClearField(kind)
        for project in [p.spec.name for p in answer.projects]:
            for kind, (method, request_type) in _LISTS.items():
                for item in getattr(self.call(method, request_type(project=project, allow_cache=True)), kind):
                    set_project(item, project)
                    getattr(registry, kind).append(item)
        return registry

    def apply(self, changes: Changes) -> None:
        project = changes.project
        declared = changes.project_proto
        if declared is None and (self._last is None or project not in {p.spec.name for p in self._last.projects}):
            declared = ProjectProto()  # a project entry as Feast's apply makes one: its servers list projects by it
            declared.spec.name = project
        if declared is not None:
            self.call("ApplyProject", rs.ApplyProjectRequest(project=declared, commit=False))
        for kind in _ORDER:
            for message in changes.upserts.get(kind, ()):
                request_type, field, _, _ = _APPLY[kind]
                request = request_type(project=project, commit=False)
                getattr(request, field).CopyFrom(message)
                rpc = "ApplyFeatureView" if request_type is rs.ApplyFeatureViewRequest else request_type.__name__[:-7]
                self.call(rpc, request)
        for kind in reversed(_ORDER):
            for name in changes.deletes.get(kind, ()):
                _, _, request_type, rpc = _APPLY[kind]
                self.call(rpc, request_type(name=name, project=project, commit=False))
        if changes.infra is not None:
            self.call("UpdateInfra", rs.UpdateInfraRequest(infra=Infra(infra_objects=changes.infra), project=project,
                                                            commit=False))
        self.call("Commit", Empty())

    def _view_message(self, project: str, view: str) -> Message:
        for registry in (self._last, None):
            registry = registry if registry is not None else self.read()
            for message in registry.feature_views:
                if name_of(message) == view and message.spec.project == project:
                    return message
        from ..errors import FeatureViewNotFoundError

        raise FeatureViewNotFoundError(view, project)

    def record_materialization(self, project: str, view: str, start: dt.datetime, end: dt.datetime) -> None:
        request = rs.ApplyMaterializationRequest(project=project, commit=True)
        request.feature_view.CopyFrom(self._view_message(project, view))
        request.start_date.FromDatetime(start.astimezone(dt.timezone.utc).replace(tzinfo=None))
        request.end_date.FromDatetime(end.astimezone(dt.timezone.utc).replace(tzinfo=None))
        self.call("ApplyMaterialization", request)

    def delete_project(self, project: str) -> None:
        self.call("DeleteProject", rs.DeleteProjectRequest(name=project, commit=True))

    def close(self) -> None:
        with self._lock:
            if self._channel is not None:
                self._channel.close()
            self._channel = self._stub = None


__all__ = ["RemoteRegistryStore", "rebuild_error"]
