from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Policy(_message.Message):
    __slots__ = ("name", "project", "role_based_policy", "group_based_policy", "namespace_based_policy", "combined_group_namespace_policy")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ROLE_BASED_POLICY_FIELD_NUMBER: _ClassVar[int]
    GROUP_BASED_POLICY_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_BASED_POLICY_FIELD_NUMBER: _ClassVar[int]
    COMBINED_GROUP_NAMESPACE_POLICY_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    role_based_policy: RoleBasedPolicy
    group_based_policy: GroupBasedPolicy
    namespace_based_policy: NamespaceBasedPolicy
    combined_group_namespace_policy: CombinedGroupNamespacePolicy
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., role_based_policy: _Optional[_Union[RoleBasedPolicy, _Mapping]] = ..., group_based_policy: _Optional[_Union[GroupBasedPolicy, _Mapping]] = ..., namespace_based_policy: _Optional[_Union[NamespaceBasedPolicy, _Mapping]] = ..., combined_group_namespace_policy: _Optional[_Union[CombinedGroupNamespacePolicy, _Mapping]] = ...) -> None: ...

class RoleBasedPolicy(_message.Message):
    __slots__ = ("roles",)
    ROLES_FIELD_NUMBER: _ClassVar[int]
    roles: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, roles: _Optional[_Iterable[str]] = ...) -> None: ...

class GroupBasedPolicy(_message.Message):
    __slots__ = ("groups",)
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, groups: _Optional[_Iterable[str]] = ...) -> None: ...

class NamespaceBasedPolicy(_message.Message):
    __slots__ = ("namespaces",)
    NAMESPACES_FIELD_NUMBER: _ClassVar[int]
    namespaces: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, namespaces: _Optional[_Iterable[str]] = ...) -> None: ...

class CombinedGroupNamespacePolicy(_message.Message):
    __slots__ = ("groups", "namespaces")
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    NAMESPACES_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedScalarFieldContainer[str]
    namespaces: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, groups: _Optional[_Iterable[str]] = ..., namespaces: _Optional[_Iterable[str]] = ...) -> None: ...
