"""Tags as users write them in filters: ``"team:drivers, tier:gold"`` strings into dicts, and matching."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def tags_str_to_dict(tags: str = "") -> dict[str, str]:
    """``"team:drivers, tier:gold"`` (or the text of a tuple of such strings) as a dict.

    Pieces without a ``:`` are left out; a later key wins; keys and values are stripped.
    """
    text = tags.strip().strip("()").replace('"', "").replace("'", "")
    parsed: dict[str, str] = {}
    for piece in text.split(","):
        key, sep, value = piece.partition(":")
        if sep:
            parsed[key.strip()] = value.strip()
    return parsed


def tags_list_to_dict(tags_list: Iterable[str] | None = None) -> dict[str, str] | None:
    """Several tag strings merged into one dict (later ones win); None when there are none."""
    if not tags_list:
        return None
    merged: dict[str, str] = {}
    for item in tags_list:
        merged.update(tags_str_to_dict(item))
    return merged


def has_all_tags(object_tags: Mapping[str, str], requested_tags: Mapping[str, str] | None = None) -> bool:
    """Whether an object carries every requested tag with the requested value (no request: yes)."""
    if not requested_tags:
        return True
    return all(object_tags.get(key) == value for key, value in requested_tags.items())


__all__ = ["has_all_tags", "tags_list_to_dict", "tags_str_to_dict"]
