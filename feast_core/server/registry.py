"""``feast serve_registry``: Feast's gRPC registry service (``feast.registry.RegistryServer``) over a FeatureStore's
registry (feast-wire-formats §5.1), beside the standard health and reflection services.

Objects travel as the messages the registry stores: a Get or List answers the stored bytes of each object, an
Apply stores the message it receives (read into feast_core's definitions first, so a message that cannot be
read is refused and changes nothing). Each Apply or Delete is committed when it arrives, atomically; ``Commit``
is accepted and has nothing left to do. Reads use the registry cache unless a request says ``allow_cache:
false``; every write refreshes it.

Authentication: with ``auth`` on, every call needs ``authorization: Bearer <token>`` in its metadata; a missing
or invalid token is refused with UNAUTHENTICATED before anything is read. Permissions, as Feast's server checks
them: Apply needs CREATE on a new object, DESCRIBE and UPDATE on the stored one and on its replacement;
Delete needs DELETE; Get needs DESCRIBE; lists and ``Proto`` leave out what the caller may not DESCRIBE;
``ApplyMaterialization`` needs WRITE_ONLINE on the feature view; project calls are checked on the Project.
A refusal is PERMISSION_DENIED with Feast's error body (``{"module", "class", "message"}``), an unknown object
NOT_FOUND with Feast's ``*NotFoundException`` body, so Feast's client and ours raise the typed error.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from concurrent import futures
from datetime import datetime, timezone

import grpc
from google.protobuf.empty_pb2 import Empty
from google.protobuf.message import Message
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from .. import telemetry
from ..auth.bearer import authorization_from_metadata
from ..auth.enforce import Guard
from ..auth.user import User
from ..definitions import AuthzedAction, Project, from_proto
from ..definitions.feature_view import DUMMY_ENTITY_NAME
from ..errors import (
    AuthenticationError,
    ConfigError,
    FeastError,
    FeastObjectNotFoundException,
    FeastPermissionError,
    InvalidRequestError,
    ProjectNotFoundError,
)
from ..protos.feast.core.Project_pb2 import Project as ProjectProto
from ..protos.feast.core.Registry_pb2 import ProjectMetadata
from ..protos.feast.core.Registry_pb2 import Registry as RegistryProto
from ..protos.feast.registry import RegistryServer_pb2 as rs
from ..protos.feast.registry import RegistryServer_pb2_grpc as rs_grpc
from ..registry import Changes
from ..registry.message import LABELS, OTHER_KINDS, VIEW_KINDS, name_of
from ..registry.snapshot import ProjectObjects, Snapshot
from ..store import FeatureStore
from .tls import KeyPair

log = logging.getLogger(__name__)

SERVICE_NAME = "feast-registry-server"
GRPC_SERVICE = "feast.registry.RegistryServer"
DEFAULT_PORT = 6570
UNAUTHENTICATED = "Invalid or expired access token"
DESCRIBE = (AuthzedAction.DESCRIBE,)

# RPC family -> Registry field
KINDS = {
    "Entity": "entities", "DataSource": "data_sources", "FeatureService": "feature_services",
    "SavedDataset": "saved_datasets", "ValidationReference": "validation_references", "Permission": "permissions",
    "FeatureView": "feature_views", "OnDemandFeatureView": "on_demand_feature_views",
    "StreamFeatureView": "stream_feature_views", "LabelView": "label_views",
}
LIST_RPCS = {
    "ListEntities": "entities", "ListDataSources": "data_sources", "ListFeatureServices": "feature_services",
    "ListSavedDatasets": "saved_datasets", "ListValidationReferences": "validation_references",
    "ListPermissions": "permissions", "ListFeatureViews": "feature_views",
    "ListOnDemandFeatureViews": "on_demand_feature_views", "ListStreamFeatureViews": "stream_feature_views",
    "ListLabelViews": "label_views",
}
# ApplyFeatureViewRequest's oneof arm -> Registry field; GetAnyFeatureView's answer arm for each view field
VIEW_ARMS = {"feature_view": "feature_views", "on_demand_feature_view": "on_demand_feature_views",
             "stream_feature_view": "stream_feature_views", "label_view": "label_views"}
ANY_ARMS = {kind: arm for arm, kind in VIEW_ARMS.items()}


# ---- resources for the kinds feast_core does not model (permissions match them by class name) -------------


class _Other:
    def __init__(self, message: Message) -> None:
        self.name = name_of(message)
        spec = message.spec if "spec" in message.DESCRIPTOR.fields_by_name else message
        self.tags = dict(spec.tags) if "tags" in spec.DESCRIPTOR.fields_by_name else {}


_FeatureViewLike = type("FeatureView", (_Other,), {})  # Feast's StreamFeatureView is a FeatureView
_OTHER_TYPES = {
    "stream_feature_views": type("StreamFeatureView", (_FeatureViewLike,), {}),
    "label_views": type("LabelView", (_Other,), {}),
    "validation_references": type("ValidationReference", (_Other,), {}),
    "feature_tables": type("FeatureTable", (_Other,), {}),
}


def resource_of(kind: str, message: Message):
    """What permissions are checked against: feast_core's definition, or a named stand-in for other kinds."""
    if kind in OTHER_KINDS:
        return _OTHER_TYPES[kind](message)
    try:
        return from_proto(kind, message)
    except (ValueError, TypeError, KeyError) as error:
        raise InvalidRequestError(f"the {LABELS[kind]} {name_of(message)!r} cannot be read: {error}") from None


def _utc(stamp) -> datetime:
    return datetime.fromtimestamp(stamp.seconds + stamp.nanos / 1e9, tz=timezone.utc)


# ---- the service ----------------------------------------------------------------------------------------------


class RegistryService:
    """The calls of Feast's registry service; each method takes (request, user) and answers the response."""

    def __init__(self, store: FeatureStore, guard: Guard) -> None:
        self.store = store
        self.registry = store.registry
        self.guard = guard

    # ---- reading ---------------------------------------------------------------------------------------

    def snapshot(self, allow_cache: bool = True) -> Snapshot:
        return self.registry.snapshot(allow_cache=allow_cache)

    def _objects(self, project: str, allow_cache: bool = True) -> ProjectObjects:
        return self.snapshot(allow_cache).project(project)

    def _stored(self, objects: ProjectObjects, kind: str, name: str) -> Message:
        message = objects.messages[kind].get(name)
        if message is None:
            if kind in OTHER_KINDS:
                raise FeastObjectNotFoundException(name, objects.name)
            objects.get(kind, name)  # the kind's own not-found error
        return message

    def _describable(self, user: User | None, objects: ProjectObjects, kind: str,
                     messages: list[Message]) -> list[Message]:
        if not self.guard.enabled:
            return messages
        pairs = [(resource_of(kind, m), m) for m in messages]
        allowed = {id(r) for r in self.guard.visible(user, objects, [r for r, _ in pairs], DESCRIBE)}
        return [m for r, m in pairs if id(r) in allowed]

    def get(self, kind: str, request, user: User | None) -> Message:
        objects = self._objects(request.project, request.allow_cache)
        message = self._stored(objects, kind, request.name)
        self.guard.require(user, objects, [resource_of(kind, message)], DESCRIBE)
        return message

    def list(self, kind: str, request, user: User | None) -> list[Message]:
        objects = self._objects(request.project, request.allow_cache)
        messages = [objects.messages[kind][n] for n in sorted(objects.messages[kind])]
        tags = dict(request.tags) if "tags" in request.DESCRIPTOR.fields_by_name else {}
        if tags:
            messages = [m for m in messages if all(resource_of(kind, m).tags.get(k) == v for k, v in tags.items())]
        return self._describable(user, objects, kind, messages)

    # ---- writing ---------------------------------------------------------------------------------------

    def apply(self, kind: str, message: Message, project: str, user: User | None) -> None:
        if not project:
            raise InvalidRequestError(f"apply of {LABELS[kind]} {name_of(message)!r}: the request names no project")
        objects = self._objects(project, allow_cache=False)
        resource = resource_of(kind, message)
        stored = objects.messages[kind].get(name_of(message))
        if stored is None:
            self.guard.require(user, objects, [resource], (AuthzedAction.CREATE,))
        else:
            actions = (AuthzedAction.DESCRIBE, AuthzedAction.UPDATE)
            self.guard.require(user, objects, [resource_of(kind, stored)], actions)
            self.guard.require(user, objects, [resource], actions)
        self.registry.apply(Changes(project, upserts={kind: [message]}))

    def delete(self, kinds: tuple[str, ...], request, user: User | None) -> None:
        objects = self._objects(request.project, allow_cache=False)
        for kind in kinds:
            message = objects.messages[kind].get(request.name)
            if message is not None:
                self.guard.require(user, objects, [resource_of(kind, message)], (AuthzedAction.DELETE,))
                self.registry.apply(Changes(request.project, deletes={kind: [request.name]}))
                return
        self._stored(objects, kinds[0], request.name)  # not found

    # ---- projects --------------------------------------------------------------------------------------

    def _project_message(self, snapshot: Snapshot, name: str) -> ProjectProto:
        objects = snapshot.project(name)
        if objects.project_message is not None:
            return objects.project_message
        message = ProjectProto()
        message.spec.name = name
        return message

    def project(self, name: str, allow_cache: bool, user: User | None) -> ProjectProto:
        snapshot = self.snapshot(allow_cache)
        if name not in snapshot.project_names:
            raise ProjectNotFoundError(name, known=snapshot.project_names)
        objects = snapshot.project(name)
        self.guard.require(user, objects, [objects.project], DESCRIBE)
        return self._project_message(snapshot, name)

    def projects(self, allow_cache: bool, user: User | None) -> list[ProjectProto]:
        snapshot = self.snapshot(allow_cache)
        return [self._project_message(snapshot, name) for name in snapshot.project_names
                if self._may(user, snapshot.project(name), snapshot.project(name).project, DESCRIBE)]

    def _may(self, user: User | None, objects: ProjectObjects, resource, actions) -> bool:
        return self.guard.allows(user, objects, resource, actions) if self.guard.enabled else True

    def apply_project(self, message: ProjectProto, user: User | None) -> None:
        name = message.spec.name
        if not name:
            raise InvalidRequestError("ApplyProject: the project has no name")
        snapshot = self.snapshot(allow_cache=False)
        objects = snapshot.project(name)
        self._require_create_or_update(user, snapshot, objects, from_proto("projects", message))
        self.registry.apply(Changes(name, project_proto=message))

    def _require_create_or_update(self, user, snapshot: Snapshot, objects: ProjectObjects, resource) -> None:
        if objects.name in snapshot.project_names:
            actions = (AuthzedAction.DESCRIBE, AuthzedAction.UPDATE)
            self.guard.require(user, objects, [objects.project], actions)
            self.guard.require(user, objects, [resource], actions)
        else:
            self.guard.require(user, objects, [resource], (AuthzedAction.CREATE,))

    def delete_project(self, name: str, user: User | None) -> None:
        snapshot = self.snapshot(allow_cache=False)
        if name not in snapshot.project_names:
            raise ProjectNotFoundError(name, known=snapshot.project_names)
        objects = snapshot.project(name)
        self.guard.require(user, objects, [objects.project], (AuthzedAction.DELETE,))
        self.registry.delete_project(name)

    # ---- the whole registry ----------------------------------------------------------------------------

    def proto(self, user: User | None) -> RegistryProto:
        snapshot = self.snapshot()
        if not self.guard.enabled:
            return snapshot.message
        answer = RegistryProto()
        answer.registry_schema_version = snapshot.message.registry_schema_version
        answer.version_id = snapshot.message.version_id
        if snapshot.message.HasField("last_updated"):
            answer.last_updated.CopyFrom(snapshot.message.last_updated)
        for name in snapshot.project_names:
            objects = snapshot.project(name)
            if not self._may(user, objects, objects.project, DESCRIBE):
                continue
            if objects.project_message is not None:
                answer.projects.append(objects.project_message)
            if objects.has_dummy_entity:  # Feast's placeholder entity: no object of anyone's, kept so applies know
                answer.entities.extend(m for m in snapshot.message.entities
                                       if m.spec.name == DUMMY_ENTITY_NAME and m.spec.project == name)
            for kind, messages in objects.messages.items():
                listed = [messages[n] for n in sorted(messages)]
                getattr(answer, kind).extend(self._describable(user, objects, kind, listed))
        return answer

    def infra_check(self, project: str, user: User | None) -> None:
        snapshot = self.snapshot()
        objects = snapshot.project(project)
        if project in snapshot.project_names:
            self.guard.require(user, objects, [objects.project], DESCRIBE)
        else:
            self.guard.require(user, objects, [Project(name=project)], (AuthzedAction.CREATE,))

    def materialization(self, request, user: User | None) -> None:
        objects = self._objects(request.project, allow_cache=False)
        name = request.feature_view.spec.name
        self._stored(objects, "feature_views", name)
        self.guard.require(user, objects, [objects.get("feature_views", name)], (AuthzedAction.WRITE_ONLINE,))
        self.registry.record_materialization(request.project, name, _utc(request.start_date), _utc(request.end_date))


# ---- list answers: filters, pagination, sorting ----------------------------------------------------------


def _sorted(messages: list[Message], sorting) -> list[Message]:
    if not sorting.sort_by:
        return messages
    path = sorting.sort_by.split(".")

    def key(message: Message):
        value = message
        for part in (["spec"] if path[0] != "spec" and "spec" in message.DESCRIPTOR.fields_by_name else []) + path:
            if not isinstance(value, Message) or part not in value.DESCRIPTOR.fields_by_name:
                raise InvalidRequestError(f"cannot sort by {sorting.sort_by!r}: not a field of the objects listed")
            value = getattr(value, part)
        return (str(type(value)), value if isinstance(value, (str, int, float, bool)) else str(value))

    return sorted(messages, key=key, reverse=sorting.sort_order.lower() == "desc")


def _page(messages: list, pagination) -> tuple[list, rs.PaginationMetadata | None]:
    if pagination is None or pagination.limit <= 0:
        return messages, None
    page = max(pagination.page, 1)
    total = len(messages)
    pages = (total + pagination.limit - 1) // pagination.limit
    start = (page - 1) * pagination.limit
    meta = rs.PaginationMetadata(page=page, limit=pagination.limit, total_count=total, total_pages=pages,
                                 has_next=page < pages, has_previous=page > 1)
    return messages[start:start + pagination.limit], meta


def _list_response(response_type, messages: list, request):
    messages = _sorted(messages, request.sorting) if request.HasField("sorting") else messages
    items, meta = _page(messages, request.pagination if request.HasField("pagination") else None)
    response = response_type()
    getattr(response, response_type.DESCRIPTOR.fields_by_number[1].name).extend(items)
    if meta is not None:
        response.pagination.CopyFrom(meta)
    return response


def _any_view(kind: str, message: Message) -> rs.AnyFeatureView:
    view = rs.AnyFeatureView()
    getattr(view, ANY_ARMS[kind]).CopyFrom(message)
    return view


# ---- the gRPC servicer: authentication, errors, telemetry around each call --------------------------------


class RegistryServicer(rs_grpc.RegistryServerServicer):
    def __init__(self, service: RegistryService) -> None:
        self.service = service

    def _user(self, context) -> User | None:
        guard = self.service.guard
        if not guard.enabled:
            return None
        authorization = authorization_from_metadata(context.invocation_metadata())
        try:
            return guard.user(authorization)
        except AuthenticationError as error:
            log.info("refused a registry call: %s", error)
            telemetry.auth_failure("missing_token" if authorization is None else "invalid_token")
            context.abort(grpc.StatusCode.UNAUTHENTICATED, UNAUTHENTICATED)
        return None  # not reached: abort raises

    def _run(self, method: str, context, call: Callable[[User | None], object]):
        started = time.perf_counter()
        code = 200
        carrier = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
        with telemetry.server_span(f"{GRPC_SERVICE}/{method}", {"rpc.system": "grpc", "rpc.service": GRPC_SERVICE,
                                                                 "rpc.method": method}, carrier=carrier) as span:
            try:
                user = self._user(context)
                return call(user)
            except FeastError as error:
                code = error.http_status_code()
                if isinstance(error, FeastPermissionError):
                    telemetry.auth_failure("forbidden")
                    log.info("%s refused: %s", method, error)
                span.set_attribute("rpc.grpc.status_code", error.grpc_status_code().value[0])
                context.abort(error.grpc_status_code(), error.to_error_detail())
            finally:
                telemetry.observe_request(f"/{method}", code, time.perf_counter() - started)

    # ---- the families, generated below ---------------------------------------------------------------

    def ApplyFeatureView(self, request, context):
        arm = request.WhichOneof("base_feature_view")
        if arm is None:
            return self._run("ApplyFeatureView", context, lambda u: _invalid("ApplyFeatureView names no feature view"))
        kind = VIEW_ARMS[arm]
        return self._run("ApplyFeatureView", context, lambda u: self.service.apply(
            kind, getattr(request, arm), request.project, u) or Empty())

    def DeleteFeatureView(self, request, context):
        return self._run("DeleteFeatureView", context,
                         lambda u: self.service.delete(VIEW_KINDS, request, u) or Empty())

    def GetAnyFeatureView(self, request, context):
        def call(user):
            objects = self.service._objects(request.project, request.allow_cache)
            for kind in VIEW_KINDS:
                if request.name in objects.messages[kind]:
                    message = self.service.get(kind, request, user)
                    return rs.GetAnyFeatureViewResponse(any_feature_view=_any_view(kind, message))
            return self.service._stored(objects, "feature_views", request.name)

        return self._run("GetAnyFeatureView", context, call)

    def ListAllFeatureViews(self, request, context):
        def call(user):
            objects = self.service._objects(request.project, request.allow_cache)
            views = [(kind, m) for kind in VIEW_KINDS for m in self.service.list(kind, request, user)]
            if request.entity:
                views = [(k, m) for k, m in views if request.entity in getattr(m.spec, "entities", ())]
            if request.feature:
                views = [(k, m) for k, m in views if request.feature in {f.name for f in m.spec.features}]
            if request.data_source:
                views = [(k, m) for k, m in views if request.data_source in _sources_of(m)]
            if request.feature_service:
                service = self.service._stored(objects, "feature_services", request.feature_service)
                wanted = {p.feature_view_name for p in service.spec.features}
                views = [(k, m) for k, m in views if name_of(m) in wanted]
            return _list_response(rs.ListAllFeatureViewsResponse, [_any_view(k, m) for k, m in views], request)

        return self._run("ListAllFeatureViews", context, call)

    def ListFeatureServices(self, request, context):
        def call(user):
            services = self.service.list("feature_services", request, user)
            if request.feature_view:
                services = [s for s in services if any(p.feature_view_name == request.feature_view
                                                       for p in s.spec.features)]
            return _list_response(rs.ListFeatureServicesResponse, services, request)

        return self._run("ListFeatureServices", context, call)

    def ListSavedDatasets(self, request, context):
        def call(user):
            datasets = self.service.list("saved_datasets", request, user)
            if request.namespace:
                datasets = [d for d in datasets if d.spec.namespace == request.namespace]
            if request.collection:
                datasets = [d for d in datasets if d.spec.collection == request.collection]
            return _list_response(rs.ListSavedDatasetsResponse, datasets, request)

        return self._run("ListSavedDatasets", context, call)

    # ---- projects ------------------------------------------------------------------------------------

    def ApplyProject(self, request, context):
        return self._run("ApplyProject", context, lambda u: self.service.apply_project(request.project, u) or Empty())

    def GetProject(self, request, context):
        return self._run("GetProject", context, lambda u: self.service.project(request.name, request.allow_cache, u))

    def ListProjects(self, request, context):
        return self._run("ListProjects", context, lambda u: _list_response(
            rs.ListProjectsResponse, self.service.projects(request.allow_cache, u), request))

    def DeleteProject(self, request, context):
        return self._run("DeleteProject", context, lambda u: self.service.delete_project(request.name, u) or Empty())

    def ListProjectMetadata(self, request, context):
        def call(user):
            project = self.service.project(request.project, request.allow_cache, user)
            return rs.ListProjectMetadataResponse(project_metadata=[
                ProjectMetadata(project=project.spec.name, project_uuid="")])

        return self._run("ListProjectMetadata", context, call)

    # ---- the rest ------------------------------------------------------------------------------------

    def ApplyMaterialization(self, request, context):
        return self._run("ApplyMaterialization", context,
                         lambda u: self.service.materialization(request, u) or Empty())

    def UpdateInfra(self, request, context):
        def call(user):
            snapshot = self.service.snapshot(allow_cache=False)
            objects = snapshot.project(request.project)
            self.service._require_create_or_update(user, snapshot, objects, Project(name=request.project))
            self.service.registry.apply(Changes(request.project, infra=list(request.infra.infra_objects)))
            return Empty()

        return self._run("UpdateInfra", context, call)

    def GetInfra(self, request, context):
        def call(user):
            self.service.infra_check(request.project, user)
            return self.service.snapshot(request.allow_cache).message.infra

        return self._run("GetInfra", context, call)

    def Commit(self, request, context):
        return self._run("Commit", context, lambda u: Empty())  # every Apply/Delete is committed as it arrives

    def Refresh(self, request, context):
        def call(user):
            self.service.registry.refresh()
            return Empty()

        return self._run("Refresh", context, call)

    def Proto(self, request, context):
        return self._run("Proto", context, self.service.proto)


def _invalid(message: str):
    raise InvalidRequestError(message)


def _sources_of(message: Message) -> set[str]:
    spec = message.spec
    names = set()
    for field in ("batch_source", "stream_source", "source"):
        if field in spec.DESCRIPTOR.fields_by_name and spec.HasField(field):
            names.add(getattr(spec, field).name)
    if "sources" in spec.DESCRIPTOR.fields_by_name:
        for name in spec.sources:
            names.add(name)
    return names


def _unimplemented(method: str):
    def handler(self, request, context):
        context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{method} is not served by feast_core's registry server")

    handler.__name__ = method
    return handler


def _family(family: str, kind: str) -> None:
    """Apply/Get/Delete for one object family (the view families share ApplyFeatureView/DeleteFeatureView)."""
    request_field = {"entities": "entity", "data_sources": "data_source", "feature_services": "feature_service",
                     "saved_datasets": "saved_dataset", "validation_references": "validation_reference",
                     "permissions": "permission"}.get(kind)

    def get(self, request, context):
        return self._run(f"Get{family}", context, lambda u: self.service.get(kind, request, u))

    setattr(RegistryServicer, f"Get{family}", get)
    if request_field is None:
        return

    def apply(self, request, context):
        return self._run(f"Apply{family}", context, lambda u: self.service.apply(
            kind, getattr(request, request_field), request.project, u) or Empty())

    def delete(self, request, context):
        return self._run(f"Delete{family}", context, lambda u: self.service.delete((kind,), request, u) or Empty())

    setattr(RegistryServicer, f"Apply{family}", apply)
    setattr(RegistryServicer, f"Delete{family}", delete)


def _lister(method: str, kind: str) -> None:
    response_type = getattr(rs, f"{method}Response")

    def handler(self, request, context):
        return self._run(method, context, lambda u: _list_response(response_type,
                                                                   self.service.list(kind, request, u), request))

    setattr(RegistryServicer, method, handler)


for _family_name, _kind in KINDS.items():
    _family(_family_name, _kind)
for _method, _kind in LIST_RPCS.items():
    if _method not in RegistryServicer.__dict__:
        _lister(_method, _kind)
for _method in ("CreateDatasetFromRetrieval", "GetDatasetData", "GetDatasetJobStatus", "ListDatasetJobs",
                "GetRegistryLineage", "GetObjectRelationships", "ListFeatures", "GetFeature"):
    setattr(RegistryServicer, _method, _unimplemented(_method))


# ---- serving ------------------------------------------------------------------------------------------------


def address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def build_server(store: FeatureStore, guard: Guard, host: str, port: int, tls: KeyPair | None,
                 workers: int = 10) -> tuple[grpc.Server, int]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers))
    rs_grpc.add_RegistryServerServicer_to_server(RegistryServicer(RegistryService(store, guard)), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection(
        (GRPC_SERVICE, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME), server)
    where = address(host, port)
    try:
        if tls is not None:
            bound = server.add_secure_port(where, grpc.ssl_server_credentials([(tls.key, tls.cert)]))
        else:
            bound = server.add_insecure_port(where)
    except RuntimeError as error:
        raise ConfigError(f"the registry server cannot listen on {where}: {error} (is the port in use, or the TLS "
                          "key and certificate not a pair?)") from None
    if not bound:
        raise ConfigError(f"the registry server cannot listen on {where} (is the port in use?)")
    return server, bound


def serve_registry(store: FeatureStore, host: str = "::", port: int = DEFAULT_PORT, tls: KeyPair | None = None,
                   metrics: bool = False, metrics_port: int = 8000, ready: threading.Event | None = None,
                   grace_seconds: float = 30.0) -> None:
    """Serve ``store``'s registry over gRPC until SIGTERM/SIGINT. The ``auth`` block is honoured or nothing is
    served: an identity provider or Kubernetes API that cannot be reached stops the start."""
    guard = Guard(store.config.auth).start()
    telemetry.configure(store.config, service=SERVICE_NAME, serving=True, metrics=metrics)
    if metrics:
        from ..telemetry.metrics import serve_port

        serve_port(metrics_port, host if host not in ("::", "[::]") else "0.0.0.0")
    store.registry.snapshot()  # an unreadable registry stops the start, not the first call
    server, bound = build_server(store, guard, host, port, tls)
    server.start()
    scheme = "TLS" if tls is not None else "plain text"
    log.info("registry server listening on %s (%s, auth: %s)", address(host, bound), scheme, store.config.auth.type)
    print(f"Registry server (gRPC, {scheme}) listening on {address(host, bound)}", flush=True)
    if ready is not None:
        ready.set()
    stopped = threading.Event()

    def stop(*_):
        if not stopped.is_set():
            stopped.set()
            server.stop(grace_seconds)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        log.info("interrupted; stopping the registry server")
        stop()
        server.wait_for_termination()
    finally:
        store.close()


__all__ = ["DEFAULT_PORT", "RegistryService", "RegistryServicer", "build_server", "serve_registry"]
