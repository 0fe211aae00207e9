"""Tokenizer, recursive-descent parser and printer for the rule expression language.

Grammar (lowest precedence first)::

    expr       := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := additive (("=="|"!="|"<"|"<="|">"|">="|"in"|"not" "in") additive)?
    additive   := term (("+"|"-") term)*
    term       := unary (("*"|"/") unary)*
    unary      := "-" unary | postfix
    postfix    := primary ("." NAME | "[" INT "]")*
    primary    := NUMBER | STRING | "true" | "false" | "null" | "(" expr ")"
                | "[" [expr ("," expr)*] "]"
                | QUANT "(" NAME "in" expr ":" expr ")"      QUANT: all any count sum min max
                | NAME "(" [expr ("," expr)*] ")" | NAME

Comparisons do not chain (``a < b < c`` is a syntax error), which keeps every expression's meaning
obvious to a reviewer. Nesting depth is bounded so that no pack can exhaust the stack.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from cvcm_rules.errors import ExpressionError
from cvcm_rules.expr.nodes import (
    Attribute,
    BinaryOp,
    BoolOp,
    Call,
    Compare,
    Index,
    ListLiteral,
    Literal,
    Name,
    Negate,
    Node,
    Not,
    Quantifier,
)

__all__ = ["QUANTIFIERS", "parse", "unparse"]

QUANTIFIERS = frozenset({"all", "any", "count", "sum", "min", "max"})
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
MAX_DEPTH = 64
MAX_LENGTH = 4000

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<string>"(?:[^"\\\n]|\\["\\])*"|'(?:[^'\\\n]|\\['\\])*')
  | (?P<name>[A-Za-z][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|[<>+\-*/().,:\[\]])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    offset: int


def _tokenize(source: str) -> Iterator[_Token]:
    pos = 0
    while pos < len(source):
        match = _TOKEN_RE.match(source, pos)
        if match is None:
            raise ExpressionError(
                "syntax-error", f"unexpected character {source[pos]!r}", source=source, offset=pos
            )
        kind = match.lastgroup or ""
        if kind != "ws":
            yield _Token(kind, match.group(), pos)
        pos = match.end()
    yield _Token("end", "", len(source))


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = list(_tokenize(source))
        self.pos = 0
        self.depth = 0

    # -- helpers ---------------------------------------------------------------------------
    @property
    def tok(self) -> _Token:
        return self.tokens[self.pos]

    def error(self, message: str, token: _Token | None = None) -> ExpressionError:
        where = token or self.tok
        return ExpressionError("syntax-error", message, source=self.source, offset=where.offset)

    def at(self, text: str) -> bool:
        return self.tok.kind in ("op", "name") and self.tok.text == text

    def take(self, text: str) -> _Token:
        if not self.at(text):
            found = self.tok.text or "end of expression"
            raise self.error(f"expected {text!r}, found {found!r}")
        token = self.tok
        self.pos += 1
        return token

    def take_name(self) -> _Token:
        token = self.tok
        if token.kind != "name" or token.text in KEYWORDS:
            raise self.error(f"expected a name, found {token.text or 'end of expression'!r}")
        self.pos += 1
        return token

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"expression nested deeper than {MAX_DEPTH} levels")

    # -- grammar ---------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.expr()
        if self.tok.kind != "end":
            raise self.error(f"unexpected {self.tok.text!r} after a complete expression")
        return node

    def expr(self) -> Node:
        self.enter()
        try:
            return self.bool_chain("or", self.and_expr)
        finally:
            self.depth -= 1

    def and_expr(self) -> Node:
        return self.bool_chain("and", self.not_expr)

    def bool_chain(self, op: str, operand: Callable[[], Node]) -> Node:
        start = self.tok.offset
        first: Node = operand()
        items = [first]
        while self.at(op):
            self.pos += 1
            items.append(operand())
        return first if len(items) == 1 else BoolOp(op, tuple(items), start)

    def not_expr(self) -> Node:
        if self.at("not"):
            token = self.take("not")
            self.enter()
            try:
                return Not(self.not_expr(), token.offset)
            finally:
                self.depth -= 1
        return self.comparison()

    def comparison(self) -> Node:
        left = self.additive()
        op = self.comparison_op()
        if op is None:
            return left
        right = self.additive()
        if self.comparison_op(peek=True) is not None:
            raise self.error("comparisons do not chain; combine them with 'and'")
        return Compare(op, left, right, left.offset)

    def comparison_op(self, *, peek: bool = False) -> str | None:
        token = self.tok
        if token.kind == "op" and token.text in ("==", "!=", "<", "<=", ">", ">="):
            op = token.text
            width = 1
        elif self.at("in"):
            op, width = "in", 1
        elif self.at("not") and self.tokens[self.pos + 1].text == "in":
            op, width = "not_in", 2
        else:
            return None
        if not peek:
            self.pos += width
        return op

    def additive(self) -> Node:
        node = self.term()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            op = self.tok.text
            self.pos += 1
            node = BinaryOp(op, node, self.term(), node.offset)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/"):
            op = self.tok.text
            self.pos += 1
            node = BinaryOp(op, node, self.unary(), node.offset)
        return node

    def unary(self) -> Node:
        if self.at("-"):
            token = self.take("-")
            self.enter()
            try:
                operand = self.unary()
            finally:
                self.depth -= 1
            if isinstance(operand, Literal) and type(operand.value) in (int, float):
                assert isinstance(operand.value, int | float)
                return Literal(-operand.value, token.offset)
            return Negate(operand, token.offset)
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            if self.at("."):
                self.pos += 1
                name = self.take_name()
                node = Attribute(node, name.text, node.offset)
            elif self.at("["):
                self.pos += 1
                token = self.tok
                if token.kind != "number" or not token.text.isdigit():
                    raise self.error("a list index must be a whole number, e.g. [0]")
                self.pos += 1
                self.take("]")
                node = Index(node, int(token.text), node.offset)
            else:
                return node

    def primary(self) -> Node:
        token = self.tok
        if token.kind == "number":
            self.pos += 1
            is_float = any(c in token.text for c in ".eE")
            value: int | float = float(token.text) if is_float else int(token.text)
            return Literal(value, token.offset)
        if token.kind == "string":
            self.pos += 1
            body = token.text[1:-1]
            return Literal(re.sub(r"\\(.)", r"\1", body), token.offset)
        if self.at("("):
            self.pos += 1
            node = self.expr()
            self.take(")")
            return node
        if self.at("["):
            self.pos += 1
            items = [] if self.at("]") else self.arguments()
            self.take("]")
            return ListLiteral(tuple(items), token.offset)
        if token.kind != "name":
            raise self.error(f"expected a value, found {token.text or 'end of expression'!r}")
        constants: dict[str, bool | None] = {"true": True, "false": False, "null": None}
        if token.text in constants:
            self.pos += 1
            return Literal(constants[token.text], token.offset)
        name = self.take_name()
        if not self.at("("):
            return Name(name.text, name.offset)
        self.pos += 1
        following = self.tokens[min(self.pos + 1, len(self.tokens) - 1)]
        if name.text in QUANTIFIERS and following.text == "in":
            return self.quantifier(name)
        args = [] if self.at(")") else self.arguments()
        self.take(")")
        return Call(name.text, tuple(args), name.offset)

    def quantifier(self, name: _Token) -> Node:
        variable = self.take_name()
        self.take("in")
        collection = self.expr()
        self.take(":")
        body = self.expr()
        self.take(")")
        return Quantifier(name.text, variable.text, collection, body, name.offset)

    def arguments(self) -> list[Node]:
        items = [self.expr()]
        while self.at(","):
            self.pos += 1
            items.append(self.expr())
        return items


def parse(source: str) -> Node:
    """Parse expression text into a syntax tree.

    Raises:
        ExpressionError: with code ``syntax-error`` and the offset of the offending token.

    Example:
        >>> unparse(parse("a.b >= 3 and not c"))
        'a.b >= 3 and not c'
    """
    if len(source) > MAX_LENGTH:
        raise ExpressionError(
            "syntax-error", f"expression longer than {MAX_LENGTH} characters", source=source[:80],
            offset=0,
        )
    return _Parser(source).parse()


# -- printing -----------------------------------------------------------------------------------

_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "compare": 4, "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7}
_COMPARE_TEXT = {"not_in": "not in"}


def _precedence(node: Node) -> int:
    if isinstance(node, BoolOp):
        return _PRECEDENCE[node.op]
    if isinstance(node, Not):
        return _PRECEDENCE["not"]
    if isinstance(node, Compare):
        return _PRECEDENCE["compare"]
    if isinstance(node, BinaryOp):
        return _PRECEDENCE[node.op]
    if isinstance(node, Negate):
        return _PRECEDENCE["neg"]
    if isinstance(node, Literal) and isinstance(node.value, int | float) and node.value < 0:
        return _PRECEDENCE["neg"]
    return 99


def _wrap(node: Node, minimum: int) -> str:
    text = unparse(node)
    return f"({text})" if _precedence(node) < minimum else text


def _literal_text(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, date):
        return f'date("{value.isoformat()}")'
    return repr(value)


def unparse(node: Node) -> str:  # noqa: C901 - a flat dispatch over node kinds
    """Print a syntax tree back as canonical expression text (minimal parentheses).

    Example:
        >>> unparse(parse("(a  +b)*2"))
        '(a + b) * 2'
    """
    if isinstance(node, Literal):
        return _literal_text(node.value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Attribute):
        return f"{_wrap(node.value, 99)}.{node.name}"
    if isinstance(node, Index):
        return f"{_wrap(node.value, 99)}[{node.index}]"
    if isinstance(node, ListLiteral):
        return "[" + ", ".join(unparse(item) for item in node.items) + "]"
    if isinstance(node, Call):
        args = [unparse(a) for a in node.args]
        first = node.args[0] if node.args else None
        if (node.function in QUANTIFIERS and isinstance(first, Compare) and first.op == "in"
                and isinstance(first.left, Name)):
            args[0] = f"({args[0]})"  # else it would read back as a quantifier
        return f"{node.function}(" + ", ".join(args) + ")"
    if isinstance(node, Quantifier):
        return (
            f"{node.kind}({node.variable} in {unparse(node.collection)}: {unparse(node.body)})"
        )
    if isinstance(node, Not):
        return f"not {_wrap(node.operand, _PRECEDENCE['not'])}"
    if isinstance(node, Negate):
        return f"-{_wrap(node.operand, _PRECEDENCE['neg'] + 1)}"
    if isinstance(node, BoolOp):
        level = _PRECEDENCE[node.op]
        return f" {node.op} ".join(_wrap(item, level + 1) for item in node.operands)
    if isinstance(node, Compare):
        level = _PRECEDENCE["compare"] + 1
        op = _COMPARE_TEXT.get(node.op, node.op)
        return f"{_wrap(node.left, level)} {op} {_wrap(node.right, level)}"
    level = _PRECEDENCE[node.op]
    return f"{_wrap(node.left, level)} {node.op} {_wrap(node.right, level + 1)}"
