from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UserDefinedFunctionV2(_message.Message):
    __slots__ = ("name", "body", "body_text", "mode")
    NAME_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    BODY_TEXT_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    name: str
    body: bytes
    body_text: str
    mode: str
    def __init__(self, name: _Optional[str] = ..., body: _Optional[bytes] = ..., body_text: _Optional[str] = ..., mode: _Optional[str] = ...) -> None: ...

class FeatureTransformationV2(_message.Message):
    __slots__ = ("user_defined_function", "substrait_transformation")
    USER_DEFINED_FUNCTION_FIELD_NUMBER: _ClassVar[int]
    SUBSTRAIT_TRANSFORMATION_FIELD_NUMBER: _ClassVar[int]
    user_defined_function: UserDefinedFunctionV2
    substrait_transformation: SubstraitTransformationV2
    def __init__(self, user_defined_function: _Optional[_Union[UserDefinedFunctionV2, _Mapping]] = ..., substrait_transformation: _Optional[_Union[SubstraitTransformationV2, _Mapping]] = ...) -> None: ...

class SubstraitTransformationV2(_message.Message):
    __slots__ = ("substrait_plan", "ibis_function")
    SUBSTRAIT_PLAN_FIELD_NUMBER: _ClassVar[int]
    IBIS_FUNCTION_FIELD_NUMBER: _ClassVar[int]
    substrait_plan: bytes
    ibis_function: bytes
    def __init__(self, substrait_plan: _Optional[bytes] = ..., ibis_function: _Optional[bytes] = ...) -> None: ...
