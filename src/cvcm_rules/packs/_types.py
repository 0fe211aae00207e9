"""Describe the dossier model as static expression types, so packs are checked against it."""

from __future__ import annotations

import functools
import types
import typing
from datetime import date
from typing import Any

from pydantic import BaseModel

from cvcm_rules.expr import ANY, BOOL, DATE, NUMBER, STRING, ListType, ObjectType, Type
from cvcm_rules.model import Dossier

__all__ = ["dossier_type", "type_of_annotation"]


@functools.cache
def dossier_type() -> ObjectType:
    """The static type of :class:`Dossier` (cached: the model does not change at run time)."""
    return _object_type(Dossier)


@functools.cache
def _object_type(model: type[BaseModel]) -> ObjectType:
    fields: dict[str, Type] = {
        name: type_of_annotation(info.annotation) for name, info in model.model_fields.items()
    }
    for name, computed in model.model_computed_fields.items():
        fields[name] = type_of_annotation(computed.return_type)
    return ObjectType(model.__name__, fields)


def type_of_annotation(annotation: Any) -> Type:
    """Map a Python type annotation onto an expression type."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_of_annotation(args[0])
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return type_of_annotation(inner[0]) if len(inner) == 1 else ANY
    if origin is typing.Literal:
        kinds = {type(a) for a in args}
        return STRING if kinds == {str} else NUMBER if kinds <= {int, float} else ANY
    if origin in (tuple, list):
        return ListType(type_of_annotation(args[0]) if args else ANY)
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return _object_type(annotation)
        if issubclass(annotation, bool):
            return BOOL
        if issubclass(annotation, date):
            return DATE
        if issubclass(annotation, int | float):
            return NUMBER
        if issubclass(annotation, str):
            return STRING
    return ANY
