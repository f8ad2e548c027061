"""Shared pieces of every registry object: name checks, metadata, the dict form."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")


def check_name(kind: str, name: object) -> str:
    """A declared object's name: any non-empty string, as Feast allows (``apply`` checks the stricter rule,
    see ``check_stored_name``)."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"{kind} needs a non-empty string name, got {name!r}")
    return name


def check_stored_name(kind: str, name: str) -> str:
    """The names feast_core stores: letters, digits, '_' and '-', not starting with '_' or '-' (they become
    table and column names)."""
    if not NAME_PATTERN.match(name):
        raise ValueError(
            f"{kind} name {name!r} is invalid: use letters, digits, '_' and '-', not starting with '_' or '-'"
        )
    return name


def check_unmodeled(kind: str, name: str, given: dict, defaults: dict) -> None:
    """ValueError naming Feast parameters that feast_core accepts but does not model, when one is given a value
    other than Feast's default (it would otherwise be silently dropped)."""
    changed = [k for k, v in given.items() if v != defaults[k]]
    if changed:
        raise ValueError(
            f"{kind} {name!r}: {', '.join(changed)} {'is' if len(changed) == 1 else 'are'} not modeled by feast_core; "
            f"leave {'it' if len(changed) == 1 else 'them'} at Feast's default ({', '.join(f'{k}={defaults[k]!r}' for k in changed)})"
        )


def check_tags(kind: str, name: str, tags: object) -> dict[str, str]:
    if tags is None:
        return {}
    if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
        raise ValueError(f"{kind} {name!r}: tags must be a dict of strings to strings, got {tags!r}")
    return dict(tags)


def ttl_to_seconds(ttl: timedelta | None) -> float:
    return 0.0 if ttl is None else ttl.total_seconds()


class Described:
    """Name, description, tags and owner, shared by every object a user declares.

    ``created_timestamp`` / ``last_updated_timestamp`` are the registry's record of the object (its
    proto ``meta``); they are not part of what the user declared, so equality ignores them.
    """

    kind = "object"
    created_timestamp: datetime | None = None
    last_updated_timestamp: datetime | None = None

    def _init_meta(self, name: str, description: str, tags: dict | None, owner: str) -> None:
        self.name = check_name(self.kind, name)
        self.description = description or ""
        self.tags = check_tags(self.kind, self.name, tags)
        self.owner = owner or ""

    def _meta_dict(self) -> dict:
        return {"name": self.name, "description": self.description, "tags": self.tags, "owner": self.owner}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.to_dict() == self.to_dict()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.name))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"
