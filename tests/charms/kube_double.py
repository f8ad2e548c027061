"""A loopback Kubernetes API double for charm tests: a store of objects behind the REST paths lightkube uses.

It answers GET, POST (create), PATCH (merge and strategic-merge patches, applied as RFC 7386 merge
patches, which is what they amount to for the maps charms patch: labels, data) and DELETE on
namespaced objects, ``/api/v1/namespaces/<ns>/<plural>/<name>`` and
``/apis/<group>/<version>/namespaces/<ns>/<plural>/<name>``. Errors are Kubernetes ``Status``
objects, so lightkube raises its ``ApiError``. ``requests`` records (method, path); ``forbidden``
makes every write answer 403, as the API does for an application Juju has not trusted.
``kubeconfig(path, namespace)`` writes a kubeconfig pointing at it for ``KUBECONFIG``.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

PATH = re.compile(
    r"^/(?:api/(?P<core>v1)|apis/(?P<group>[^/]+)/(?P<version>[^/]+))"
    r"/namespaces/(?P<namespace>[^/]+)/(?P<plural>[^/]+)(?:/(?P<name>[^/]+))?$"
)
TOKEN = "charm-test-token"


def merge_patch(target, patch):
    """RFC 7386: maps merge key by key, null removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


class KubeApiDouble:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str, str], dict] = {}  # (namespace, plural, name) -> object
        self.requests: list[tuple[str, str]] = []
        self.forbidden = False
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # ---- the store ---------------------------------------------------------------------

    def add(self, namespace: str, plural: str, obj: dict) -> None:
        self.objects[(namespace, plural, obj["metadata"]["name"])] = copy.deepcopy(obj)

    def get(self, namespace: str, plural: str, name: str) -> dict | None:
        return self.objects.get((namespace, plural, name))

    # ---- serving -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> KubeApiDouble:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def kubeconfig(self, path: Path, namespace: str) -> Path:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "test",
            "clusters": [{"name": "test", "cluster": {"server": self.url}}],
            "users": [{"name": "charm", "user": {"token": TOKEN}}],
            "contexts": [{"name": "test", "context": {"cluster": "test", "user": "charm", "namespace": namespace}}],
        }
        path.write_text(yaml.safe_dump(config))
        return path

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _reply(self, code: int, body: dict | None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _status(self, code: int, reason: str, message: str) -> None:
                self._reply(code, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                   "reason": reason, "code": code, "message": message})

            def _route(self, method: str):
                path = self.path.split("?")[0]
                api.requests.append((method, path))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._status(401, "Unauthorized", "Unauthorized")
                    return None
                match = PATH.match(path)
                if match is None:
                    self._status(404, "NotFound", f"no such path {path}")
                    return None
                if method != "GET" and api.forbidden:
                    self._status(403, "Forbidden", f'{match["plural"]} is forbidden: the application is not trusted')
                    return None
                return match

            def _body(self) -> dict:
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length) or b"{}")

            def do_GET(self) -> None:
                match = self._route("GET")
                if match is None:
                    return
                with api._lock:
                    obj = api.get(match["namespace"], match["plural"], match["name"])
                if obj is None:
                    self._status(404, "NotFound", f'{match["plural"]} "{match["name"]}" not found')
                else:
                    self._reply(200, obj)

            def do_POST(self) -> None:
                match = self._route("POST")
                if match is None:
                    return
                obj = self._body()
                obj.setdefault("metadata", {})["namespace"] = match["namespace"]
                key = (match["namespace"], match["plural"], obj["metadata"]["name"])
                with api._lock:
                    if key in api.objects:
                        self._status(409, "AlreadyExists", f'{key[1]} "{key[2]}" already exists')
                        return
                    api.objects[key] = obj
                self._reply(201, obj)

            def do_PATCH(self) -> None:
                match = self._route("PATCH")
                if match is None:
                    return
                key = (match["namespace"], match["plural"], match["name"])
                patch = self._body()
                with api._lock:
                    if key not in api.objects:
                        self._status(404, "NotFound", f'{key[1]} "{key[2]}" not found')
                        return
                    api.objects[key] = merge_patch(api.objects[key], patch)
                    obj = api.objects[key]
                self._reply(200, obj)

            def do_DELETE(self) -> None:
                match = self._route("DELETE")
                if match is None:
                    return
                key = (match["namespace"], match["plural"], match["name"])
                with api._lock:
                    obj = api.objects.pop(key, None)
                if obj is None:
                    self._status(404, "NotFound", f'{key[1]} "{key[2]}" not found')
                else:
                    self._reply(200, {"kind": "Status", "apiVersion": "v1", "status": "Success"})

        return Handler
