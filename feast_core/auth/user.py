"""Who a request comes from, as the auth methods establish it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class User:
    """A user: a name plus the roles, groups and namespaces the policies look at. Hashable, so decisions about
    one identity can be remembered (``enforce.Guard``). Feast's ``User`` has the same constructor and methods."""

    username: str
    roles: tuple[str, ...] = field(default=())
    groups: tuple[str, ...] = field(default=())
    namespaces: tuple[str, ...] = field(default=())

    def __init__(self, username: str, roles=None, groups=None, namespaces=None) -> None:
        object.__setattr__(self, "username", username)
        object.__setattr__(self, "roles", tuple(dict.fromkeys(roles or ())))
        object.__setattr__(self, "groups", tuple(dict.fromkeys(groups or ())))
        object.__setattr__(self, "namespaces", tuple(dict.fromkeys(namespaces or ())))

    def has_matching_role(self, requested_roles: list[str]) -> bool:
        return any(role in self.roles for role in requested_roles)

    def has_matching_group(self, requested_groups: list[str]) -> bool:
        return any(group in self.groups for group in requested_groups)

    def has_matching_namespace(self, requested_namespaces: list[str]) -> bool:
        return any(namespace in self.namespaces for namespace in requested_namespaces)

    def __str__(self) -> str:
        return f"{self.username} (roles: {list(self.roles)}, groups: {list(self.groups)}, namespaces: {list(self.namespaces)})"
