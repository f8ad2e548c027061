"""Who sees what in the UI: with ``auth:`` on, every page and API call needs a token, and a user sees only the
projects and objects they may DESCRIBE (the same decision as every other face: auth/enforce.py).

Where the token comes from: the UI sits behind a proxy that has already logged the person in. Behind the
Kubeflow dashboard, Istio's ingress gateway checks the session (oauth2-proxy / oidc-authservice) and forwards
the person's ID token to the upstream as ``Authorization: Bearer <token>`` -- that header is read by default,
and the ``auth:`` block (``type: oidc`` with Dex's discovery URL) validates it like any token. A proxy that
forwards the token in another header (oauth2-proxy's ``X-Forwarded-Access-Token``) is named with
``feast ui --token-header``. Plain identity headers such as ``kubeflow-userid`` are never trusted: anyone
who reaches the pod could set them; a token is verified.
"""

from __future__ import annotations

import contextvars
import copy

from ..auth.enforce import Guard
from ..auth.user import User
from ..definitions import AuthzedAction
from ..errors import AuthenticationError, FeastPermissionError

DESCRIBE = (AuthzedAction.DESCRIBE,)
OPEN_PATHS = ("/health", "/static/")
current_user: contextvars.ContextVar[User | None] = contextvars.ContextVar("feast_ui_user", default=None)

UNAUTHENTICATED_PAGE = (
    b"<!doctype html><title>Sign-in needed</title><h1>401: sign-in needed</h1><p>This Feast UI needs a valid "
    b"access token; open it through the Kubeflow dashboard (or the proxy that signs you in).</p>"
)


class RequireToken:
    """ASGI middleware: resolve the request's token to a user (kept in ``current_user``) or answer 401."""

    def __init__(self, app, guard: Guard, token_header: str = "authorization") -> None:
        self.app = app
        self.guard = guard
        self.header = token_header.lower().encode()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not self.guard.enabled or scope["path"].startswith(OPEN_PATHS) \
                or scope["path"] == "/health":
            await self.app(scope, receive, send)
            return
        value = next((v for k, v in scope["headers"] if k == self.header), None)
        if value is not None and self.header != b"authorization" and not value.lower().startswith(b"bearer "):
            value = b"Bearer " + value  # proxies forward the bare token in their own header
        try:
            user = await self.guard.user_async(value)
        except AuthenticationError:
            await self._refuse(scope, send)
            return
        token = current_user.set(user)
        try:
            await self.app(scope, receive, send)
        finally:
            current_user.reset(token)

    @staticmethod
    async def _refuse(scope, send) -> None:
        wants_json = scope["path"].rstrip("/").split("/")[-3:-1] == ["api", "v1"] or "/api/" in scope["path"]
        body = b'{"detail":"Invalid or expired access token"}' if wants_json else UNAUTHENTICATED_PAGE
        kind = b"application/json" if wants_json else b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 401,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                                (b"www-authenticate", b"Bearer")]})
        await send({"type": "http.response.body", "body": body})


class Visibility:
    """A project's objects as the current user may see them (cached per registry snapshot and user)."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self._views: dict[tuple, tuple[object, object]] = {}

    def project_visible(self, objects) -> bool:
        if not self.guard.enabled:
            return True
        return self.guard.allows(current_user.get(), objects, objects.project, DESCRIBE)

    def view(self, objects):
        """``objects`` less what the user may not DESCRIBE; FeastPermissionError when the project itself is hidden."""
        if not self.guard.enabled:
            return objects
        user = current_user.get()
        key = (id(objects), user)
        cached = self._views.get(key)
        if cached is not None and cached[0] is objects:
            return cached[1]
        if not self.project_visible(objects):
            raise FeastPermissionError(f"you may not see project {objects.name!r}")
        view = copy.copy(objects)
        # kinds feast_core does not model cannot be judged by the permissions here: hidden while auth is on
        view.messages = {kind: {} for kind in objects.messages}
        view.objects = {}
        for kind, items in objects.objects.items():
            shown = {o.name for o in self.guard.visible(user, objects, list(items.values()), DESCRIBE)}
            view.objects[kind] = {n: o for n, o in items.items() if n in shown}
            view.messages[kind] = {n: m for n, m in objects.messages[kind].items() if n in shown}
        view._materialization = None  # recomputed from the views shown
        if len(self._views) > 256:
            self._views.clear()
        self._views[key] = (objects, view)
        return view
