import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from feast_core.protos.feast.core import Policy_pb2 as _Policy_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Permission(_message.Message):
    __slots__ = ("spec", "meta")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    spec: PermissionSpec
    meta: PermissionMeta
    def __init__(self, spec: _Optional[_Union[PermissionSpec, _Mapping]] = ..., meta: _Optional[_Union[PermissionMeta, _Mapping]] = ...) -> None: ...

class PermissionSpec(_message.Message):
    __slots__ = ("name", "project", "types", "name_patterns", "required_tags", "actions", "policy", "tags")
    class AuthzedAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        CREATE: _ClassVar[PermissionSpec.AuthzedAction]
        DESCRIBE: _ClassVar[PermissionSpec.AuthzedAction]
        UPDATE: _ClassVar[PermissionSpec.AuthzedAction]
        DELETE: _ClassVar[PermissionSpec.AuthzedAction]
        READ_ONLINE: _ClassVar[PermissionSpec.AuthzedAction]
        READ_OFFLINE: _ClassVar[PermissionSpec.AuthzedAction]
        WRITE_ONLINE: _ClassVar[PermissionSpec.AuthzedAction]
        WRITE_OFFLINE: _ClassVar[PermissionSpec.AuthzedAction]
    CREATE: PermissionSpec.AuthzedAction
    DESCRIBE: PermissionSpec.AuthzedAction
    UPDATE: PermissionSpec.AuthzedAction
    DELETE: PermissionSpec.AuthzedAction
    READ_ONLINE: PermissionSpec.AuthzedAction
    READ_OFFLINE: PermissionSpec.AuthzedAction
    WRITE_ONLINE: PermissionSpec.AuthzedAction
    WRITE_OFFLINE: PermissionSpec.AuthzedAction
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        FEATURE_VIEW: _ClassVar[PermissionSpec.Type]
        ON_DEMAND_FEATURE_VIEW: _ClassVar[PermissionSpec.Type]
        BATCH_FEATURE_VIEW: _ClassVar[PermissionSpec.Type]
        STREAM_FEATURE_VIEW: _ClassVar[PermissionSpec.Type]
        ENTITY: _ClassVar[PermissionSpec.Type]
        FEATURE_SERVICE: _ClassVar[PermissionSpec.Type]
        DATA_SOURCE: _ClassVar[PermissionSpec.Type]
        VALIDATION_REFERENCE: _ClassVar[PermissionSpec.Type]
        SAVED_DATASET: _ClassVar[PermissionSpec.Type]
        PERMISSION: _ClassVar[PermissionSpec.Type]
        PROJECT: _ClassVar[PermissionSpec.Type]
        LABEL_VIEW: _ClassVar[PermissionSpec.Type]
    FEATURE_VIEW: PermissionSpec.Type
    ON_DEMAND_FEATURE_VIEW: PermissionSpec.Type
    BATCH_FEATURE_VIEW: PermissionSpec.Type
    STREAM_FEATURE_VIEW: PermissionSpec.Type
    ENTITY: PermissionSpec.Type
    FEATURE_SERVICE: PermissionSpec.Type
    DATA_SOURCE: PermissionSpec.Type
    VALIDATION_REFERENCE: PermissionSpec.Type
    SAVED_DATASET: PermissionSpec.Type
    PERMISSION: PermissionSpec.Type
    PROJECT: PermissionSpec.Type
    LABEL_VIEW: PermissionSpec.Type
    class RequiredTagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    NAME_PATTERNS_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_TAGS_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    types: _containers.RepeatedScalarFieldContainer[PermissionSpec.Type]
    name_patterns: _containers.RepeatedScalarFieldContainer[str]
    required_tags: _containers.ScalarMap[str, str]
    actions: _containers.RepeatedScalarFieldContainer[PermissionSpec.AuthzedAction]
    policy: _Policy_pb2.Policy
    tags: _containers.ScalarMap[str, str]
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., types: _Optional[_Iterable[_Union[PermissionSpec.Type, str]]] = ..., name_patterns: _Optional[_Iterable[str]] = ..., required_tags: _Optional[_Mapping[str, str]] = ..., actions: _Optional[_Iterable[_Union[PermissionSpec.AuthzedAction, str]]] = ..., policy: _Optional[_Union[_Policy_pb2.Policy, _Mapping]] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class PermissionMeta(_message.Message):
    __slots__ = ("created_timestamp", "last_updated_timestamp")
    CREATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    created_timestamp: _timestamp_pb2.Timestamp
    last_updated_timestamp: _timestamp_pb2.Timestamp
    def __init__(self, created_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_updated_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
