"""Who may do what on the feature server: each endpoint's resources and actions, checked by the auth Guard.

As Feast's feature server checks them:
* ``/get-online-features``: READ_ONLINE on the feature service when one is named, else on every feature view
  and on-demand feature view the feature references name;
* ``/push``: WRITE_ONLINE, WRITE_OFFLINE or both (as ``to`` says) on every feature view fed by the push source;
* ``/write-to-online-store``, ``/materialize``, ``/materialize-incremental``: WRITE_ONLINE on each feature view.

With ``auth: no_auth`` every check passes (Feast has no security manager then). Unknown names are left to the
endpoint, which answers 404 / 422 as without auth.
"""

from __future__ import annotations

from ..auth.enforce import Guard
from ..auth.user import User
from ..definitions import AuthzedAction
from ..store import FeatureStore

READ_ONLINE = (AuthzedAction.READ_ONLINE,)
WRITE_ONLINE = (AuthzedAction.WRITE_ONLINE,)
PUSH_ACTIONS = {
    "online": (AuthzedAction.WRITE_ONLINE,),
    "offline": (AuthzedAction.WRITE_OFFLINE,),
    "online_and_offline": (AuthzedAction.WRITE_ONLINE, AuthzedAction.WRITE_OFFLINE),
}


class Access:
    def __init__(self, store: FeatureStore, guard: Guard) -> None:
        self.store = store
        self.guard = guard
        self.enabled = guard.enabled

    def _objects(self):
        return self.store.registry.snapshot(allow_cache=True).project(self.store.project)

    def online_read(self, user: User | None, features: list[str] | None, service: str | None) -> None:
        if not self.enabled:
            return
        objects = self._objects()
        if service is not None:
            def resources() -> list:
                found = objects.objects["feature_services"].get(service)
                return [found] if found is not None else []

            self.guard.check(user, objects, ("service", service), resources, READ_ONLINE)
            return

        def views() -> list:
            found, seen = [], set()
            for ref in features or ():
                name = (ref.split(":", 1)[0] if ":" in ref else ref).split("@", 1)[0]  # "view@v2:f" reads view
                if name in seen:
                    continue
                seen.add(name)
                view = objects.objects["feature_views"].get(name) or objects.objects["on_demand_feature_views"].get(name)
                if view is not None:
                    found.append(view)
            return found

        self.guard.check(user, objects, ("features", tuple(features or ())), views, READ_ONLINE)

    def push(self, user: User | None, source_name: str, to: str) -> None:
        if not self.enabled:
            return
        objects = self._objects()

        def views() -> list:
            return [v for v in objects.list("feature_views")
                    if v.stream_source is not None and v.stream_source.name == source_name]

        self.guard.check(user, objects, ("push", source_name), views, PUSH_ACTIONS[to])

    def write_online(self, user: User | None, view_names: list[str]) -> None:
        if not self.enabled:
            return
        objects = self._objects()

        def views() -> list:
            return [v for v in (objects.objects["feature_views"].get(n) for n in view_names) if v is not None]

        self.guard.check(user, objects, ("views", tuple(view_names)), views, WRITE_ONLINE)
