from ..definitions import AllowAll, GroupBasedPolicy, NamespaceBasedPolicy, RoleBasedPolicy

__all__ = ["AllowAll", "GroupBasedPolicy", "NamespaceBasedPolicy", "RoleBasedPolicy"]
