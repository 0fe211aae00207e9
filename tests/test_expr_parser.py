"""The expression grammar: precedence, literals, paths, canonical printing, syntax errors."""

from __future__ import annotations

import pytest

from cvcm_rules.errors import ExpressionError
from cvcm_rules.expr import parse, unparse
from cvcm_rules.expr._parser import MAX_DEPTH, MAX_LENGTH
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
    Not,
    Quantifier,
)

a, b, c = Name("a"), Name("b"), Name("c")


# -- precedence and associativity -----------------------------------------------------------------

@pytest.mark.parametrize(("text", "tree"), [
    # or < and < not < comparison < + - < * / < unary minus < postfix
    ("a or b and c", BoolOp("or", (a, BoolOp("and", (b, c))))),
    ("a and b or c", BoolOp("or", (BoolOp("and", (a, b)), c))),
    ("not a and b", BoolOp("and", (Not(a), b))),
    ("not a == b", Not(Compare("==", a, b))),
    ("not not a", Not(Not(a))),
    ("a == b and b != c", BoolOp("and", (Compare("==", a, b), Compare("!=", b, c)))),
    ("a + b * c", BinaryOp("+", a, BinaryOp("*", b, c))),
    ("a * b + c", BinaryOp("+", BinaryOp("*", a, b), c)),
    ("a < b + 1", Compare("<", a, BinaryOp("+", b, Literal(1)))),
    ("(a + b) * c", BinaryOp("*", BinaryOp("+", a, b), c)),
    # left associative
    ("a - b - c", BinaryOp("-", BinaryOp("-", a, b), c)),
    ("a / b / c", BinaryOp("/", BinaryOp("/", a, b), c)),
    # one flat operand list per chain of the same boolean operator
    ("a and b and c", BoolOp("and", (a, b, c))),
    ("a or b or c", BoolOp("or", (a, b, c))),
    # a parenthesised chain stays a separate node
    ("(a and b) and c", BoolOp("and", (BoolOp("and", (a, b)), c))),
])
def test_precedence(text: str, tree: object) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(("text", "op"), [
    ("a == b", "=="), ("a != b", "!="), ("a < b", "<"), ("a <= b", "<="), ("a > b", ">"),
    ("a >= b", ">="), ("a in b", "in"), ("a not in b", "not_in"), ("a not   in b", "not_in"),
])
def test_comparison_operators(text: str, op: str) -> None:
    assert parse(text) == Compare(op, a, b)


def test_not_in_differs_from_not_applied_to_in() -> None:
    assert parse("a not in b") == Compare("not_in", a, b)
    assert parse("not a in b") == Not(Compare("in", a, b))


# -- unary minus ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "tree"), [
    ("-3", Literal(-3)),
    ("- 2.5", Literal(-2.5)),
    ("-(-3)", Literal(3)),            # a numeric literal is folded, never Negate(Literal)
    ("-a", Negate(a)),
    ("--a", Negate(Negate(a))),
    ("-a.b", Negate(Attribute(a, "b"))),
    ("-a[0]", Negate(Index(a, 0))),
    ("a - -1", BinaryOp("-", a, Literal(-1))),
    ("a * -b", BinaryOp("*", a, Negate(b))),
    ("-a * b", BinaryOp("*", Negate(a), b)),
    ("-true", Negate(Literal(True))),  # not a number: kept, so that evaluation can refuse it
])
def test_unary_minus(text: str, tree: object) -> None:
    assert parse(text) == tree


# -- literals, postfix, calls, quantifiers --------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("0", 0), ("42", 42), ("2.50", 2.5), ("1e3", 1000.0), ("1.5E-2", 0.015),
    ("true", True), ("false", False), ("null", None),
    ('""', ""), ("''", ""),
    ('"碳汇"', "碳汇"),
    (r'"a\"b"', 'a"b'),
    (r"'it\'s'", "it's"),
    (r'"back\\slash"', "back\\slash"),
    ("'say \"hi\"'", 'say "hi"'),
])
def test_literals(text: str, value: bool | int | float | str | None) -> None:
    node = parse(text)
    assert node == Literal(value)
    assert isinstance(node, Literal)
    assert type(node.value) is type(value)


def test_integer_and_float_literals_keep_their_type() -> None:
    two, two_point_zero = parse("2"), parse("2.0")
    assert isinstance(two, Literal) and type(two.value) is int
    assert isinstance(two_point_zero, Literal) and type(two_point_zero.value) is float


@pytest.mark.parametrize(("text", "tree"), [
    ("[]", ListLiteral(())),
    ("[1]", ListLiteral((Literal(1),))),
    ('[1, "a", true, null]',
     ListLiteral((Literal(1), Literal("a"), Literal(True), Literal(None)))),
    ("[a, [b]]", ListLiteral((a, ListLiteral((b,))))),
    ('a in ["x", "y"]', Compare("in", a, ListLiteral((Literal("x"), Literal("y"))))),
])
def test_list_literals(text: str, tree: object) -> None:
    assert parse(text) == tree


def test_postfix_path() -> None:
    expected = Attribute(
        Attribute(Attribute(Index(Name("batches"), 1), "verification"), "vvb"), "uscc")
    assert parse("batches[1].verification.vvb.uscc") == expected


def test_calls() -> None:
    assert parse("f()") == Call("f", ())
    assert parse("add_years(a, -5)") == Call("add_years", (a, Literal(-5)))
    assert parse("max(a, b + 1)") == Call("max", (a, BinaryOp("+", b, Literal(1))))


@pytest.mark.parametrize("kind", ["all", "any", "count", "sum", "min", "max"])
def test_quantifiers(kind: str) -> None:
    text = f"{kind}(x in batches: x.id != \"B1\")"
    body = Compare("!=", Attribute(Name("x"), "id"), Literal("B1"))
    assert parse(text) == Quantifier(kind, "x", Name("batches"), body)


def test_quantifier_inside_a_comparison_and_nested() -> None:
    inner = Quantifier("any", "t", Attribute(Name("x"), "tags"), Compare("==", Name("t"),
                                                                          Literal("z")))
    outer = Quantifier("count", "x", Name("xs"), inner)
    assert parse('count(x in xs: any(t in x.tags: t == "z")) >= 2') == Compare(
        ">=", outer, Literal(2))


def test_min_and_max_are_functions_when_not_followed_by_a_loop() -> None:
    assert parse("min(a, b)") == Call("min", (a, b))
    assert parse("max(x in xs: x)") == Quantifier("max", "x", Name("xs"), Name("x"))


def test_offsets_point_into_the_source() -> None:
    node = parse("a and  foo(b)")
    assert isinstance(node, BoolOp)
    assert [operand.offset for operand in node.operands] == [0, 7]
    call = node.operands[1]
    assert isinstance(call, Call)
    assert call.args[0].offset == 11


def test_offsets_are_not_part_of_equality() -> None:
    assert parse("a+b") == parse("  a  +  b")


# -- unparse: canonical text ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "canonical"), [
    ("(a  +b)*2", "(a + b) * 2"),
    ("a or (b and c)", "a or b and c"),
    ("(a or b) and c", "(a or b) and c"),
    ("(a and b) and c", "(a and b) and c"),
    ("a - (b - c)", "a - (b - c)"),
    ("(a - b) - c", "a - b - c"),
    ("a / (b * c)", "a / (b * c)"),
    ("not (a == b)", "not a == b"),
    ("not (a and b)", "not (a and b)"),
    ("(not a) == b", "(not a) == b"),
    ("(a < b) == c", "(a < b) == c"),
    ("a  not  in  b", "a not in b"),
    ("-(a + b)", "-(a + b)"),
    ("-(-a)", "-(-a)"),
    ("a * -b", "a * -b"),
    ("a - -1", "a - -1"),
    ("(-3).x", "(-3).x"),
    ("'x'", '"x"'),
    (r"'it\'s'", '"it\'s"'),
    ("'say \"hi\"'", r'"say \"hi\""'),
    (r'"back\\slash"', r'"back\\slash"'),
    ("[ 1,2 ]", "[1, 2]"),
    ("f( a ,b )", "f(a, b)"),
    ("all( x in xs : x>1 )", "all(x in xs: x > 1)"),
    ("TRUE_ == true", "TRUE_ == true"),
    ("null", "null"),
    ("1e3", "1000.0"),
    ("x [ 0 ] . y", "x[0].y"),
])
def test_unparse_canonical(text: str, canonical: str) -> None:
    assert unparse(parse(text)) == canonical
    assert parse(canonical) == parse(text)


# -- syntax errors: code, offset and reason -------------------------------------------------------

@pytest.mark.parametrize(("text", "offset", "reason"), [
    ("a # b", 2, "unexpected character '#'"),
    ('"abc', 0, "unexpected character '\"'"),
    ("a & b", 2, "unexpected character '&'"),
    ("1 < 2 < 3", 6, "comparisons do not chain; combine them with 'and'"),
    ("a == b != c", 7, "comparisons do not chain; combine them with 'and'"),
    ("a in b not in c", 7, "comparisons do not chain; combine them with 'and'"),
    ("(a + b", 6, "expected ')', found 'end of expression'"),
    ("f(a, b", 6, "expected ')', found 'end of expression'"),
    ("a[1.5]", 2, "a list index must be a whole number, e.g. [0]"),
    ("a[x]", 2, "a list index must be a whole number, e.g. [0]"),
    ("a[-1]", 2, "a list index must be a whole number, e.g. [0]"),
    ("a and", 5, "expected a value, found 'end of expression'"),
    ("a b", 2, "unexpected 'b' after a complete expression"),
    ("x.and", 2, "expected a name, found 'and'"),
    ("a.__class__", 2, "unexpected character '_'"),  # no dunder access: names start with a letter
    ("all(1 in xs: true)", 4, "expected a name, found '1'"),
    ("all(x in xs, true)", 11, "expected ':', found ','"),
    ("", 0, "expected a value, found 'end of expression'"),
])
def test_syntax_errors(text: str, offset: int, reason: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(text)
    err = info.value
    assert (err.code, err.offset, err.reason) == ("syntax-error", offset, reason)
    assert err.source == text


def test_syntax_error_message_shows_a_caret_under_the_offset() -> None:
    with pytest.raises(ExpressionError) as info:
        parse("1 < 2 < 3")
    assert str(info.value) == (
        "syntax-error: comparisons do not chain; combine them with 'and'\n"
        "    1 < 2 < 3\n"
        "          ^"
    )


def test_nesting_up_to_the_bound_parses() -> None:
    depth = MAX_DEPTH - 1  # the whole expression is one level, each parenthesis one more
    assert parse("(" * depth + "a" + ")" * depth) == a


def test_too_deep_nesting_is_a_syntax_error() -> None:
    text = "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH
    with pytest.raises(ExpressionError) as info:
        parse(text)
    # The first token one level too deep is the ``a`` after the last opening parenthesis.
    assert (info.value.code, info.value.offset) == ("syntax-error", MAX_DEPTH)
    assert info.value.reason == f"expression nested deeper than {MAX_DEPTH} levels"


@pytest.mark.parametrize("text", [
    "(" * 1_500 + "a" + ")" * 1_500,
    "not " * 900 + "a",
    "-" * 3_000 + "a",
])
def test_pathological_nesting_never_exhausts_the_stack(text: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.code == "syntax-error"
    assert info.value.reason == f"expression nested deeper than {MAX_DEPTH} levels"


def test_too_long() -> None:
    assert parse("a" * MAX_LENGTH) == Name("a" * MAX_LENGTH)
    with pytest.raises(ExpressionError) as info:
        parse("a" * (MAX_LENGTH + 1))
    assert (info.value.code, info.value.offset) == ("syntax-error", 0)
    assert info.value.reason == f"expression longer than {MAX_LENGTH} characters"


@pytest.mark.parametrize("text", ["min((x in xs), 3)", "max((x in xs), y)"])
def test_unparse_round_trips_a_call_whose_first_argument_is_an_in_comparison(text: str) -> None:
    tree = parse(text)
    assert parse(unparse(tree)) == tree
