from ..definitions import Permission

__all__ = ["Permission"]
