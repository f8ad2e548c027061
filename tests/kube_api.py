"""A loopback Kubernetes API double (stdlib HTTP server) answering what Kubernetes auth asks: TokenReview and
the RBAC lists (RoleBindings per namespace and across namespaces, ClusterRoleBindings, ClusterRoles).

``tokens`` maps a bearer token to the identity a review reports (``username``, ``groups``); any other token
is reviewed as not authenticated. ``requests`` records (method, path) of every call. ``kubeconfig(path)``
writes a kubeconfig pointing at the double, with its own credentials (``server_token``) and namespace.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RBAC = "/apis/rbac.authorization.k8s.io/v1"


def role_binding(name: str, namespace: str, role: str, *subjects: dict, role_kind: str = "Role",
                 labels: dict | None = None) -> dict:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
            "subjects": list(subjects)}


def service_account(name: str, namespace: str) -> dict:
    return {"kind": "ServiceAccount", "name": name, "namespace": namespace}


def user_subject(name: str) -> dict:
    return {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": name}


class KubeApi:
    server_token = "feast-server-sa-token"

    def __init__(self) -> None:
        self.tokens: dict[str, dict] = {}
        self.role_bindings: list[dict] = []
        self.cluster_role_bindings: list[dict] = []
        self.cluster_roles: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.refuse_rbac = False
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _json(self, status: int, data: dict) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _status(self, code: int, reason: str, message: str) -> None:
                self._json(code, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason,
                                  "code": code, "message": message})

            def _authorized(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {api.server_token}":
                    self._status(401, "Unauthorized", "Unauthorized")
                    return False
                return True

            def do_POST(self) -> None:
                path = self.path.split("?")[0]
                api.requests.append(("POST", path))
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                if not self._authorized():
                    return
                if path == "/apis/authentication.k8s.io/v1/tokenreviews":
                    token = body.get("spec", {}).get("token")
                    identity = api.tokens.get(token)
                    status = ({"authenticated": True, "user": {"username": identity["username"], "uid": "u",
                                                                "groups": identity.get("groups", [])}}
                              if identity else {"authenticated": False, "error": "invalid bearer token"})
                    self._json(201, {**body, "status": status})
                    return
                self._status(404, "NotFound", path)

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                api.requests.append(("GET", path))
                if not self._authorized():
                    return
                if api.refuse_rbac and path.startswith(RBAC):
                    self._status(403, "Forbidden", "rolebindings is forbidden")
                    return
                parts = path[len(RBAC):].strip("/").split("/") if path.startswith(RBAC) else []
                if parts == ["rolebindings"]:
                    items = api.role_bindings
                elif len(parts) == 3 and parts[0] == "namespaces" and parts[2] == "rolebindings":
                    items = [b for b in api.role_bindings if b["metadata"]["namespace"] == parts[1]]
                elif parts == ["clusterrolebindings"]:
                    items = api.cluster_role_bindings
                elif len(parts) == 2 and parts[0] == "clusterroles":
                    role = api.cluster_roles.get(parts[1])
                    if role is None:
                        self._status(404, "NotFound", f"clusterroles {parts[1]!r} not found")
                    else:
                        self._json(200, role)
                    return
                else:
                    self._status(404, "NotFound", path)
                    return
                kind = "ClusterRoleBindingList" if parts == ["clusterrolebindings"] else "RoleBindingList"
                self._json(200, {"kind": kind, "apiVersion": "rbac.authorization.k8s.io/v1",
                                 "metadata": {"resourceVersion": "1"}, "items": items})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def reviews(self) -> int:
        return sum(1 for method, path in self.requests if path.endswith("/tokenreviews"))

    def kubeconfig(self, path: Path, namespace: str = "feast") -> Path:
        path.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "test",
            "clusters": [{"name": "double", "cluster": {"server": self.url}}],
            "users": [{"name": "feast-server", "user": {"token": self.server_token}}],
            "contexts": [{"name": "test", "context": {"cluster": "double", "user": "feast-server",
                                                      "namespace": namespace}}],
        }))
        return path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
