"""Moments in time: naive datetimes mean UTC, everywhere (as in Feast)."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def to_utc(moment: datetime) -> datetime:
    """The same moment, in UTC; a naive datetime is taken to be UTC already."""
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {moment!r}")
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def make_tzaware(moment: datetime) -> datetime:
    """A naive datetime marked as UTC; an aware one unchanged (Feast's ``make_tzaware``)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def make_df_tzaware(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose naive datetime columns are marked as UTC."""
    result = df.copy()
    for column in result.columns:
        if pd.api.types.is_datetime64_dtype(result[column]) and getattr(result[column].dt, "tz", None) is None:
            result[column] = result[column].dt.tz_localize("UTC")
    return result


__all__ = ["make_df_tzaware", "make_tzaware", "to_utc", "utc_now"]
