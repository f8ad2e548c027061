"""Permissions: who may do what to which registry objects (stored and shown here; enforced by auth/enforce.py)."""

from __future__ import annotations

import enum
import re

from . import wire
from .base import Described


class AuthzedAction(str, enum.Enum):
    CREATE = "create"
    DESCRIBE = "describe"
    UPDATE = "update"
    DELETE = "delete"
    READ_ONLINE = "read_online"
    READ_OFFLINE = "read_offline"
    WRITE_ONLINE = "write_online"
    WRITE_OFFLINE = "write_offline"


ALL_ACTIONS = list(AuthzedAction)
READ = [AuthzedAction.READ_OFFLINE, AuthzedAction.READ_ONLINE]
WRITE = [AuthzedAction.WRITE_OFFLINE, AuthzedAction.WRITE_ONLINE]
CRUD = [AuthzedAction.CREATE, AuthzedAction.DESCRIBE, AuthzedAction.UPDATE, AuthzedAction.DELETE]


class Policy:
    """Who a permission lets act. ``validate_user`` answers (granted, why not) as Feast's policies do; a user is
    anything with ``roles``, ``groups`` and ``namespaces`` (see feast_core.auth.user.User)."""

    kind = ""
    values_key = ""
    proto_arm = ""  # the arm of Feast's Policy oneof

    def __init__(self, values: list[str] | None = None) -> None:
        self.values = list(values or [])

    def validate_user(self, user) -> tuple[bool, str]:
        raise NotImplementedError

    def __hash__(self) -> int:
        return hash(self.kind)

    def to_dict(self) -> dict:
        return {"type": self.kind, self.values_key: self.values} if self.values_key else {"type": self.kind}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Policy) and other.to_dict() == self.to_dict()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.values!r})"

    def to_proto(self):
        from ..protos.feast.core.Policy_pb2 import Policy as PolicyProto

        proto = PolicyProto()
        arm = getattr(proto, self.proto_arm)
        arm.SetInParent()
        getattr(arm, self.values_key).extend(self.values)
        return proto


# How AllowAll is stored. Feast writes its AllowAll as a Policy with no arm set, which Feast itself then
# cannot read back ("The list 'policy' must be non-empty"). We write an arm Feast reads, a role policy
# with no roles, and mark it with Policy.name (a field Feast never sets or reads). feast_core reads it back
# as AllowAll; Feast reads a policy no user satisfies, so a server of Feast's fails closed rather than
# open. A Policy with no arm (Feast's own AllowAll) is read as AllowAll too.
ALLOW_ALL_MARK = "AllowAll"


def _any_in(wanted: list[str], held) -> bool:
    return any(value in held for value in wanted)


class _AllowAll(Policy):
    kind = "allow_all"

    def validate_user(self, user) -> tuple[bool, str]:
        return True, ""

    def __repr__(self) -> str:
        return "AllowAll"

    def to_proto(self):
        from ..protos.feast.core.Policy_pb2 import Policy as PolicyProto

        proto = PolicyProto(name=ALLOW_ALL_MARK)
        proto.role_based_policy.SetInParent()
        return proto


AllowAll = _AllowAll()


class RoleBasedPolicy(Policy):
    """Granted when the user holds at least one of ``roles``."""

    kind, values_key, proto_arm = "roles", "roles", "role_based_policy"

    def __init__(self, roles: list[str]) -> None:
        super().__init__(roles)

    @property
    def roles(self) -> list[str]:
        return self.values

    def get_roles(self) -> list[str]:
        return self.values

    def validate_user(self, user) -> tuple[bool, str]:
        granted = _any_in(self.values, user.roles)
        return granted, "" if granted else f"Requires roles {self.values}"


class GroupBasedPolicy(Policy):
    """Granted when the user is in at least one of ``groups``."""

    kind, values_key, proto_arm = "groups", "groups", "group_based_policy"

    def __init__(self, groups: list[str]) -> None:
        super().__init__(groups)

    @property
    def groups(self) -> list[str]:
        return self.values

    def get_groups(self) -> list[str]:
        return self.values

    def validate_user(self, user) -> tuple[bool, str]:
        granted = _any_in(self.values, user.groups)
        return granted, "" if granted else f"Requires groups {self.values}"


class NamespaceBasedPolicy(Policy):
    """Granted when the user belongs to at least one of ``namespaces`` (a Kubernetes service account's namespace)."""

    kind, values_key, proto_arm = "namespaces", "namespaces", "namespace_based_policy"

    def __init__(self, namespaces: list[str]) -> None:
        super().__init__(namespaces)

    @property
    def namespaces(self) -> list[str]:
        return self.values

    def get_namespaces(self) -> list[str]:
        return self.values

    def validate_user(self, user) -> tuple[bool, str]:
        granted = _any_in(self.values, user.namespaces)
        return granted, "" if granted else f"Requires namespaces {self.values}"


class CombinedGroupNamespacePolicy(Policy):
    """Satisfied by a user in any of the groups or any of the namespaces."""

    kind, proto_arm = "groups_or_namespaces", "combined_group_namespace_policy"

    def __init__(self, groups: list[str], namespaces: list[str]) -> None:
        super().__init__()
        self.groups, self.namespaces = list(groups or []), list(namespaces or [])

    def get_groups(self) -> list[str]:
        return self.groups

    def get_namespaces(self) -> list[str]:
        return self.namespaces

    def validate_user(self, user) -> tuple[bool, str]:
        granted = _any_in(self.groups, user.groups) or _any_in(self.namespaces, user.namespaces)
        return granted, "" if granted else f"Requires groups {self.groups} or namespaces {self.namespaces}"

    def to_dict(self) -> dict:
        return {"type": self.kind, "groups": self.groups, "namespaces": self.namespaces}

    def __repr__(self) -> str:
        return f"CombinedGroupNamespacePolicy(groups={self.groups!r}, namespaces={self.namespaces!r})"

    def to_proto(self):
        from ..protos.feast.core.Policy_pb2 import Policy as PolicyProto

        proto = PolicyProto()
        proto.combined_group_namespace_policy.groups.extend(self.groups)
        proto.combined_group_namespace_policy.namespaces.extend(self.namespaces)
        proto.combined_group_namespace_policy.SetInParent()
        return proto


_POLICIES = {cls.kind: cls for cls in (RoleBasedPolicy, GroupBasedPolicy, NamespaceBasedPolicy)}


def policy_from_dict(data: dict) -> Policy:
    if data["type"] == AllowAll.kind:
        return AllowAll
    if data["type"] == CombinedGroupNamespacePolicy.kind:
        return CombinedGroupNamespacePolicy(data["groups"], data["namespaces"])
    cls = _POLICIES[data["type"]]
    return cls(data[cls.values_key])


def policy_from_proto(proto) -> Policy:
    arm = proto.WhichOneof("policy_type")
    if arm is None or (proto.name == ALLOW_ALL_MARK and arm == "role_based_policy" and not proto.role_based_policy.roles):
        return AllowAll
    if arm == "combined_group_namespace_policy":
        combined = proto.combined_group_namespace_policy
        return CombinedGroupNamespacePolicy(list(combined.groups), list(combined.namespaces))
    cls = {c.proto_arm: c for c in _POLICIES.values()}[arm]
    return cls(list(getattr(getattr(proto, arm), cls.values_key)))


# Feast's PermissionSpec.Type for each object type a permission can name, in the order Feast writes them
# when a permission names no type (= all types)
PERMISSION_TYPES = {
    "Project": 10, "FeatureView": 0, "OnDemandFeatureView": 1, "BatchFeatureView": 2, "StreamFeatureView": 3,
    "LabelView": 11, "Entity": 4, "FeatureService": 5, "DataSource": 6, "ValidationReference": 7,
    "SavedDataset": 8, "Permission": 9,
}
_TYPE_NAMES = {number: name for name, number in PERMISSION_TYPES.items()}
_ACTION_NUMBERS = {action: number for number, action in enumerate(AuthzedAction)}  # Feast's order: CREATE=0 ...


class Permission(Described):
    kind = "permission"

    def __init__(
        self,
        *,
        name: str,
        types: list | type | None = None,
        name_patterns: list[str] | str | None = None,
        actions: list[AuthzedAction] | AuthzedAction = ALL_ACTIONS,
        policy: Policy = AllowAll,
        tags: dict[str, str] | None = None,
        required_tags: dict[str, str] | None = None,
    ) -> None:
        self._init_meta(name, "", tags, "")
        types = types if isinstance(types, list) else ([types] if types else [])
        self.types = [t if isinstance(t, str) else t.__name__ for t in types]
        patterns = [name_patterns] if isinstance(name_patterns, str) else list(name_patterns or [])
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"permission {name!r}: name pattern {pattern!r} is not a regular expression: {exc}") from None
        self.name_patterns = patterns
        actions = actions if isinstance(actions, list) else [actions]
        self.actions = [AuthzedAction(a) for a in actions]
        if not isinstance(policy, Policy):
            raise ValueError(f"permission {name!r}: policy must be a policy object such as RoleBasedPolicy")
        self.policy = policy
        self.required_tags = dict(required_tags or {})

    def to_dict(self) -> dict:
        return {
            **self._meta_dict(),
            "types": self.types,
            "name_patterns": self.name_patterns,
            "actions": [a.value for a in self.actions],
            "policy": self.policy.to_dict(),
            "required_tags": self.required_tags,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Permission:
        return cls(
            name=data["name"], types=list(data["types"]), name_patterns=data["name_patterns"],
            actions=[AuthzedAction(a) for a in data["actions"]], policy=policy_from_dict(data["policy"]),
            tags=data["tags"], required_tags=data["required_tags"],
        )

    # ---- wire form: feast.core.Permission (spec.project is the registry's to set) ----

    MODELED = (
        "spec.name", "spec.types", "spec.name_patterns", "spec.required_tags", "spec.actions", "spec.policy",
        "spec.tags", "meta.created_timestamp", "meta.last_updated_timestamp",
    )

    def _build_proto(self):
        from ..protos.feast.core.Permission_pb2 import Permission as PermissionProto

        unknown = [t for t in self.types if t not in PERMISSION_TYPES]
        if unknown:
            raise ValueError(
                f"permission {self.name!r}: {unknown} cannot be stored; types are among {sorted(PERMISSION_TYPES)}"
            )
        proto = PermissionProto()
        spec = proto.spec
        spec.name = self.name
        # no types means all types; Feast stores that list explicitly
        spec.types.extend(PERMISSION_TYPES[t] for t in (self.types or PERMISSION_TYPES))
        spec.name_patterns.extend(self.name_patterns)
        spec.required_tags.update(self.required_tags)
        spec.actions.extend(_ACTION_NUMBERS[a] for a in self.actions)
        spec.policy.CopyFrom(self.policy.to_proto())
        spec.tags.update(self.tags)
        wire.set_timestamp(proto.meta, "created_timestamp", self.created_timestamp)
        wire.set_timestamp(proto.meta, "last_updated_timestamp", self.last_updated_timestamp)
        return proto

    def to_proto(self):
        return wire.finish(self, self._build_proto(), self.MODELED)

    @classmethod
    def from_proto(cls, proto) -> Permission:
        spec = proto.spec
        permission = cls.__new__(cls)
        permission.name, permission.description, permission.owner = spec.name, "", ""
        permission.tags = dict(spec.tags)
        names = [_TYPE_NAMES.get(t, str(t)) for t in spec.types]
        permission.types = [] if set(names) == set(PERMISSION_TYPES) else names
        permission.name_patterns = list(spec.name_patterns)
        actions = list(AuthzedAction)
        permission.actions = [actions[a] for a in spec.actions if 0 <= a < len(actions)]
        permission.policy = policy_from_proto(spec.policy)
        permission.required_tags = dict(spec.required_tags)
        permission.created_timestamp = wire.get_timestamp(proto.meta, "created_timestamp")
        permission.last_updated_timestamp = wire.get_timestamp(proto.meta, "last_updated_timestamp")
        wire.remember(permission, proto)
        return permission

    # ---- matching (Feast's rules; the decision itself is auth/enforce.py's) -----------------------

    def match_resource(self, resource) -> bool:
        """The resource is of one of ``types`` (a subclass counts; no types = every type), its name fully matches
        one of ``name_patterns`` (none = every name) and it carries every tag of ``required_tags``."""
        if self.types:
            names = {cls.__name__ for cls in type(resource).__mro__}
            if not names.intersection(self.types):
                return False
        name = getattr(resource, "name", None)
        if self.name_patterns and isinstance(name, str) and not any(
                re.fullmatch(pattern, name) for pattern in self.name_patterns):
            return False
        if self.required_tags:
            tags = getattr(resource, "tags", None) or {}
            if any(tags.get(key) != value for key, value in self.required_tags.items()):
                return False
        return True

    def match_actions(self, requested: list[AuthzedAction]) -> bool:
        """Every requested action is one this permission covers."""
        return all(action in self.actions for action in requested)
