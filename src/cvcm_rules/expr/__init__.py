"""A small, safe expression language for rule conditions; it knows nothing of carbon credits.

Parse once (:func:`parse`), compile once against a :class:`Scope` (:func:`compile_expression`),
then run the closure on an :class:`Env` as often as needed.
"""

from cvcm_rules.expr._parser import parse, unparse
from cvcm_rules.expr.compiler import Compiled, Scope, compile_expression, path_text
from cvcm_rules.expr.functions import FUNCTIONS, WorkingDayCalendar, period_end
from cvcm_rules.expr.nodes import Node
from cvcm_rules.expr.values import (
    ANY,
    BOOL,
    DATE,
    NUMBER,
    STRING,
    Env,
    EvalError,
    ListType,
    Missing,
    ObjectType,
    ScalarType,
    TraceEvent,
    Type,
)

__all__ = [
    "ANY",
    "BOOL",
    "DATE",
    "FUNCTIONS",
    "NUMBER",
    "STRING",
    "Compiled",
    "Env",
    "EvalError",
    "ListType",
    "Missing",
    "Node",
    "ObjectType",
    "ScalarType",
    "Scope",
    "TraceEvent",
    "Type",
    "WorkingDayCalendar",
    "compile_expression",
    "parse",
    "path_text",
    "period_end",
    "unparse",
]
