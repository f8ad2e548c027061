"""Metadata filters for document search requests (Feast's ``feast.filter_models``).

A filter is a comparison of one metadata field with a value, or an ``and``/``or`` of filters. feast_core's
online stores do not search documents by vector, so these are the request's vocabulary for code shared with
Feast; a filter given to a store that cannot apply it is an error, never silently dropped.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Literal, Union

from pydantic import BaseModel


class ComparisonFilter(BaseModel):
    """``key`` compared with ``value`` by ``type``."""

    type: Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin"]
    key: str
    value: Any


class CompoundFilter(BaseModel):
    """Filters combined: ``and`` (all match) or ``or`` (any matches)."""

    type: Literal["and", "or"]
    filters: list[Union[ComparisonFilter, CompoundFilter]]  # noqa: UP007 (pydantic resolves the forward name)


CompoundFilter.model_rebuild()

FilterType = Union[ComparisonFilter, CompoundFilter, None]  # noqa: UP007


class FilterTranslator(ABC):
    """Turns a filter into an online store's own query language: one subclass per store that can filter."""

    def translate(self, filters: FilterType) -> Any:
        """The store's expression for ``filters`` (``None``: the store's expression for no filter)."""
        return self.empty() if filters is None else self.dispatch(filters)

    def dispatch(self, filter_obj: ComparisonFilter | CompoundFilter) -> Any:
        if isinstance(filter_obj, ComparisonFilter):
            return self.translate_comparison(filter_obj)
        if isinstance(filter_obj, CompoundFilter):
            return self.translate_compound(filter_obj)
        raise ValueError(f"{filter_obj!r} is not a filter")

    @abstractmethod
    def empty(self) -> Any: ...

    @abstractmethod
    def translate_comparison(self, comparison: ComparisonFilter) -> Any: ...

    @abstractmethod
    def translate_compound(self, compound: CompoundFilter) -> Any:
        """Usually combines ``self.dispatch(f)`` of each of ``compound.filters``."""


def convert_dict_to_filter(filter_dict: dict[str, Any]) -> ComparisonFilter | CompoundFilter:
    """A filter from its JSON form (``{"type": "and", "filters": [...]}`` or ``{"type", "key", "value"}``)."""
    if filter_dict.get("type") in ("and", "or"):
        return CompoundFilter(type=filter_dict["type"],
                              filters=[convert_dict_to_filter(f) for f in filter_dict.get("filters", [])])
    return ComparisonFilter.model_validate(filter_dict)
