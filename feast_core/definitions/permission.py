"""Permissions: who may do what to which registry objects (stored and shown; enforced by auth/)."""

from __future__ import annotations

import enum
import re

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
    kind = ""
    values_key = ""

    def __init__(self, values: list[str] | None = None) -> None:
        self.values = list(values or [])

    def to_dict(self) -> dict:
        return {"type": self.kind, self.values_key: self.values} if self.values_key else {"type": self.kind}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Policy) and other.to_dict() == self.to_dict()


class _AllowAll(Policy):
    kind = "allow_all"


AllowAll = _AllowAll()


class RoleBasedPolicy(Policy):
    kind, values_key = "roles", "roles"

    def __init__(self, roles: list[str]) -> None:
        super().__init__(roles)


class GroupBasedPolicy(Policy):
    kind, values_key = "groups", "groups"

    def __init__(self, groups: list[str]) -> None:
        super().__init__(groups)


class NamespaceBasedPolicy(Policy):
    kind, values_key = "namespaces", "namespaces"

    def __init__(self, namespaces: list[str]) -> None:
        super().__init__(namespaces)


_POLICIES = {cls.kind: cls for cls in (RoleBasedPolicy, GroupBasedPolicy, NamespaceBasedPolicy)}


def policy_from_dict(data: dict) -> Policy:
    if data["type"] == AllowAll.kind:
        return AllowAll
    cls = _POLICIES[data["type"]]
    return cls(data[cls.values_key])


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
