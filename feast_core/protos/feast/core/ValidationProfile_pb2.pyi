from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GEValidationProfiler(_message.Message):
    __slots__ = ("profiler",)
    class UserDefinedProfiler(_message.Message):
        __slots__ = ("body",)
        BODY_FIELD_NUMBER: _ClassVar[int]
        body: bytes
        def __init__(self, body: _Optional[bytes] = ...) -> None: ...
    PROFILER_FIELD_NUMBER: _ClassVar[int]
    profiler: GEValidationProfiler.UserDefinedProfiler
    def __init__(self, profiler: _Optional[_Union[GEValidationProfiler.UserDefinedProfiler, _Mapping]] = ...) -> None: ...

class GEValidationProfile(_message.Message):
    __slots__ = ("expectation_suite",)
    EXPECTATION_SUITE_FIELD_NUMBER: _ClassVar[int]
    expectation_suite: bytes
    def __init__(self, expectation_suite: _Optional[bytes] = ...) -> None: ...

class ValidationReference(_message.Message):
    __slots__ = ("name", "reference_dataset_name", "project", "description", "tags", "ge_profiler", "ge_profile")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_DATASET_NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    GE_PROFILER_FIELD_NUMBER: _ClassVar[int]
    GE_PROFILE_FIELD_NUMBER: _ClassVar[int]
    name: str
    reference_dataset_name: str
    project: str
    description: str
    tags: _containers.ScalarMap[str, str]
    ge_profiler: GEValidationProfiler
    ge_profile: GEValidationProfile
    def __init__(self, name: _Optional[str] = ..., reference_dataset_name: _Optional[str] = ..., project: _Optional[str] = ..., description: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., ge_profiler: _Optional[_Union[GEValidationProfiler, _Mapping]] = ..., ge_profile: _Optional[_Union[GEValidationProfile, _Mapping]] = ...) -> None: ...
