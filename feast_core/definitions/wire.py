"""What every definition's ``to_proto`` / ``from_proto`` shares: timestamps, durations, and keeping the
parts of a Feast-written proto that feast_core does not model.

How unknown parts survive a re-write
------------------------------------
``from_proto`` keeps the message it read on the object (``_wire``: the message and the bytes that
``to_proto`` would have produced at that moment). ``to_proto`` then builds the message from the
object's attributes and compares:

* unchanged since it was read: the message read is returned as it was (a copy), so a re-write of an
  object written by Feast, by a newer Feast or by anyone, loses nothing, not even fields outside our
  schema (protobuf keeps those as unknown fields);
* changed (say a new ttl): the message read is copied and only the fields this class models are
  replaced by the new values (``overlay``); everything else (a Feast feature view's ``version``, a
  transformation, a project, unknown fields) stays as it was.

An object declared by the user (not read) has no ``_wire``: its message holds exactly what it models.
``from_proto`` keeps a reference to the message it was given, so do not change that message afterwards.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

from google.protobuf.message import Message


def set_timestamp(message: Message, field: str, moment: datetime | None) -> None:
    """Write ``moment`` (naive means UTC) into a Timestamp field; leave it unset for None."""
    if moment is not None:
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        getattr(message, field).FromDatetime(moment)


def get_timestamp(message: Message, field: str) -> datetime | None:
    """A Timestamp field as an aware UTC datetime, or None when it is unset."""
    if not message.HasField(field):
        return None
    return getattr(message, field).ToDatetime(tzinfo=timezone.utc)


def set_duration(message: Message, field: str, span: timedelta | None) -> None:
    """Write a Duration; ``timedelta(0)`` is written as a present, empty Duration, as Feast does."""
    if span is not None:
        getattr(message, field).FromTimedelta(span)


def get_duration(message: Message, field: str) -> timedelta:
    """A Duration field; unset and zero both read as ``timedelta(0)`` ("no ttl"), as Feast reads them."""
    if not message.HasField(field):
        return timedelta(0)
    return getattr(message, field).ToTimedelta()


def copy_message(message: Message) -> Message:
    result = type(message)()
    result.CopyFrom(message)
    return result


def remember(obj: object, message: Message) -> None:
    """Called at the end of ``from_proto``: keep the message read and what ``to_proto`` makes of it now
    (or, for a class with a cheap ``_state()`` of plain values, that state)."""
    obj.__dict__["_wire"] = None  # build from attributes, not from the message being remembered
    obj.__dict__["_wire"] = (message, _fingerprint(obj, None))


def _fingerprint(obj: object, built: Message | None):
    state = getattr(obj, "_state", None)
    if state is not None:
        return state()
    if built is None:
        built = obj._build_proto()  # type: ignore[attr-defined]
    return built.SerializeToString(deterministic=True)


def forget(obj: object) -> None:
    """Drop the message read (copies made with ``copy.copy`` share it; a changed copy overlays it anyway)."""
    obj.__dict__["_wire"] = None


def adopt(obj, read):
    """A shallow copy of ``obj`` that writes itself over the message ``read`` was read from: its ``to_proto``
    replaces the fields its class models and keeps the rest (how the registry updates an object a user
    re-declares: what Feast stored beyond feast_core's model survives). ``obj`` itself is not changed."""
    kept = read.__dict__.get("_wire") if read is not None else None
    clone = copy.copy(obj)
    clone.__dict__["_wire"] = kept
    return clone


def finish(obj: object, built: Message, modeled: tuple[str, ...]) -> Message:
    """``to_proto``'s result: ``built`` for a declared object, else the message read (unchanged) or the
    message read with the ``modeled`` fields (dotted paths) replaced by ``built``'s."""
    kept = obj.__dict__.get("_wire")
    if not kept:
        return built
    original, fingerprint = kept
    if _fingerprint(obj, built) == fingerprint:
        return copy_message(original)
    return overlay(original, built, modeled)


def overlay(original: Message, built: Message, modeled: tuple[str, ...]) -> Message:
    """A copy of ``original`` whose ``modeled`` fields (dotted paths) hold ``built``'s values."""
    merged = copy_message(original)
    for path in modeled:
        *parents, leaf = path.split(".")
        source, target = built, merged
        for name in parents:
            source, target = getattr(source, name), getattr(target, name)
        field = source.DESCRIPTOR.fields_by_name[leaf]
        target.ClearField(leaf)
        if field.is_repeated:
            getattr(target, leaf).MergeFrom(getattr(source, leaf))
        elif field.message_type is not None or field.has_presence:
            if source.HasField(leaf):
                if field.message_type is not None:
                    getattr(target, leaf).CopyFrom(getattr(source, leaf))
                else:
                    setattr(target, leaf, getattr(source, leaf))
        else:
            setattr(target, leaf, getattr(source, leaf))
    return merged
