from ..definitions import ALL_ACTIONS, CRUD, READ, WRITE, AuthzedAction

__all__ = ["ALL_ACTIONS", "CRUD", "READ", "WRITE", "AuthzedAction"]
