"""The crosswalk between rule packs (``rules/crosswalk.yaml``): themes, rules and relations.

Each criterion theme lists the rules that implement it in each pack and how the standards'
requirements compare. Loading checks every key (strict schema), then the file's own logic
(declared standards and pairs, ``none`` exactly when a standard lists no rule, complete pairs),
and reports every problem at once as ``file:line:col: code: message``. ``check_rules`` then
checks that every rule id named exists in its pack. ``cvcm_rules.gap`` builds the gap view.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cvcm_rules.errors import InputError, PackProblem
from cvcm_rules.packs import Pack, default_rules_dir
from cvcm_rules.packs.schema import LocalText
from cvcm_rules.yamlsafe import Positions, YamlSyntaxError, load_yaml

__all__ = [
    "RELATIONS",
    "Comparison",
    "Crosswalk",
    "CrosswalkError",
    "CrosswalkSpec",
    "Pair",
    "Theme",
    "check_rules",
    "default_crosswalk_path",
    "load_crosswalk",
    "unmapped_rules",
]

Relation = Literal["equivalent", "stricter", "weaker", "partial", "none"]
RELATIONS: tuple[str, ...] = Relation.__args__  # type: ignore[attr-defined]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
RuleId = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(\.[A-Z][A-Z0-9]*)+\.\d{3}$")]
Text = Annotated[str, Field(min_length=1)]
Loc = tuple[str | int, ...]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)


class Pair(_Schema):
    """Two standards compared in this direction; ``complete`` pairs state every relation."""

    from_: Identifier = Field(alias="from")
    to: Identifier
    complete: bool = False


class Comparison(_Schema):
    """How ``from``'s requirement on a theme compares with ``to``'s, and why (one line each)."""

    from_: Identifier = Field(alias="from")
    to: Identifier
    relation: Relation
    reason: LocalText


class Theme(_Schema):
    """One criterion theme: the rules of each pack that implement it, and the comparisons."""

    id: Identifier
    title: LocalText
    rules: dict[Identifier, list[RuleId]]
    clauses: dict[Identifier, Text]
    relations: list[Comparison] = []

    def rules_of(self, pack: str) -> list[str]:
        """The rule ids of ``pack`` on this theme (empty when it has none)."""
        return self.rules.get(pack, [])

    def comparison(self, from_: str, to: str) -> Comparison | None:
        """The stated relation of ``from_`` to ``to``, if any."""
        return next((c for c in self.relations if (c.from_, c.to) == (from_, to)), None)


class Meanings(_Schema):
    """What each relation means, in both languages (rendered in docs/crosswalk.md)."""

    equivalent: LocalText
    stricter: LocalText
    weaker: LocalText
    partial: LocalText
    none: LocalText


class CrosswalkSpec(_Schema):
    """The whole file: standards (pack id to display name), pairs, meanings and themes."""

    version: Text
    standards: dict[Identifier, Text]
    direction: LocalText
    meanings: Meanings
    pairs: list[Pair]
    themes: list[Theme]


class CrosswalkError(InputError):
    """A crosswalk file with problems, each as ``file:line:col: code: message``."""

    def __init__(self, file: str, problems: list[PackProblem]) -> None:
        self.file = file
        self.problems = sorted(problems, key=lambda p: (p.line, p.column, p.code, p.message))
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in crosswalk {file}"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


@dataclass(frozen=True, slots=True)
class Crosswalk:
    """A loaded crosswalk, with where its parts were written (for messages)."""

    spec: CrosswalkSpec
    file: str
    positions: Positions = field(default_factory=dict, repr=False, compare=False)

    @property
    def version(self) -> str:
        """The crosswalk's version, e.g. ``2025.07``."""
        return self.spec.version

    def name(self, pack: str) -> str:
        """The display name of a standard (``icvcm_ccp`` -> ``ICVCM CCP``)."""
        return self.spec.standards.get(pack, pack)

    def pair(self, from_: str, to: str) -> Pair | None:
        """The declared pair ``from_`` -> ``to``, if any."""
        return next((p for p in self.spec.pairs if (p.from_, p.to) == (from_, to)), None)

    def themes_of(self, pack: str, rule_id: str) -> list[Theme]:
        """The themes in which ``pack`` lists ``rule_id``, in file order."""
        return [t for t in self.spec.themes if rule_id in t.rules_of(pack)]


def default_crosswalk_path(rules_dir: Path | None = None) -> Path:
    """``crosswalk.yaml`` beside the packs (a file, so it is never taken for a pack folder)."""
    return (rules_dir or default_rules_dir()) / "crosswalk.yaml"


def load_crosswalk(path: Path | None = None) -> Crosswalk:
    """Load and check a crosswalk file (by default the one beside the packs).

    Raises:
        CrosswalkError: every problem found, each with line and column.
    """
    file = path or default_crosswalk_path()
    name = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        problem = PackProblem(name, 1, 1, "unreadable-file", str(err))
        raise CrosswalkError(name, [problem]) from None
    try:
        data, positions = load_yaml(text)
    except YamlSyntaxError as err:
        raise CrosswalkError(
            name, [PackProblem(name, err.line, err.column, "yaml-syntax", err.reason)]) from None
    try:
        spec = CrosswalkSpec.model_validate(data)
    except ValidationError as err:
        raise CrosswalkError(name, [_schema_problem(name, positions, e) for e in err.errors()]
                             ) from None
    problems = [PackProblem(name, *_position(positions, loc), code, message)
                for loc, code, message in _logic_problems(spec)]
    if problems:
        raise CrosswalkError(name, problems)
    return Crosswalk(spec, name, positions)


def _schema_problem(file: str, positions: Positions, error: Any) -> PackProblem:
    loc = tuple(error["loc"])
    unknown = error["type"] == "extra_forbidden"
    where = _position(positions, loc, key=unknown)
    dotted = ".".join(str(part) for part in loc) or "(document)"
    return PackProblem(file, *where, "unknown-key" if unknown else "schema",
                       f"{dotted}: {error['msg']}")


def _position(positions: Positions, loc: Loc, *, key: bool = False) -> tuple[int, int]:
    """The position of ``loc``, or of its nearest enclosing part that has one."""
    if key and (*loc, "<key>") in positions:
        return positions[(*loc, "<key>")]
    for length in range(len(loc), -1, -1):
        found = positions.get(loc[:length])
        if found is not None:
            return found
    return (1, 1)


def _logic_problems(spec: CrosswalkSpec) -> Iterator[tuple[Loc, str, str]]:
    """What the schema cannot say: names declared, relations consistent with the rule lists."""
    standards = set(spec.standards)
    declared: set[tuple[str, str]] = set()
    for index, pair in enumerate(spec.pairs):
        for side in (pair.from_, pair.to):
            if side not in standards:
                yield ("pairs", index), "unknown-standard", _unknown(side, standards)
        if pair.from_ == pair.to or (pair.from_, pair.to) in declared:
            yield ("pairs", index), "bad-pair", f"pair {pair.from_} -> {pair.to} is " + (
                "a standard compared with itself" if pair.from_ == pair.to else "declared twice")
        declared.add((pair.from_, pair.to))
    seen: set[str] = set()
    for index, theme in enumerate(spec.themes):
        at: Loc = ("themes", index)
        if theme.id in seen:
            yield (*at, "id"), "duplicate-theme", f"theme {theme.id!r} is defined twice"
        seen.add(theme.id)
        yield from _theme_problems(spec, theme, at, declared)


def _theme_problems(spec: CrosswalkSpec, theme: Theme, at: Loc,
                    declared: set[tuple[str, str]]) -> Iterator[tuple[Loc, str, str]]:
    yield from _rule_list_problems(set(spec.standards), theme, at)
    stated: set[tuple[str, str]] = set()
    for index, comparison in enumerate(theme.relations):
        key = (comparison.from_, comparison.to)
        where: Loc = (*at, "relations", index)
        if key not in declared:
            yield where, "unknown-pair", f"{key[0]} -> {key[1]} is not a declared pair"
        elif key in stated:
            yield where, "duplicate-relation", f"{key[0]} -> {key[1]} is stated twice"
        stated.add(key)
        yield from _relation_problems(theme, comparison, where)
    for pair in spec.pairs:
        if pair.complete and theme.rules_of(pair.to) and (pair.from_, pair.to) not in stated:
            yield (*at, "relations"), "missing-relation", (
                f"theme {theme.id!r}: the complete pair {pair.from_} -> {pair.to} needs a "
                f"relation, since {pair.to} lists rules here")


def _rule_list_problems(standards: set[str], theme: Theme,
                        at: Loc) -> Iterator[tuple[Loc, str, str]]:
    for part in ("rules", "clauses"):
        for pack in getattr(theme, part):
            if pack not in standards:
                yield (*at, part, pack), "unknown-standard", _unknown(pack, standards)
    if not any(theme.rules.values()):
        yield (*at, "rules"), "empty-theme", f"theme {theme.id!r} lists no rule in any pack"
    for pack, ids in theme.rules.items():
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            yield (*at, "rules", pack), "duplicate-rule", f"listed twice: {', '.join(repeated)}"
        if ids and pack not in theme.clauses:
            yield (*at, "rules", pack), "missing-clause", \
                f"{pack} lists rules on theme {theme.id!r} but no clause"


def _relation_problems(theme: Theme, comparison: Comparison,
                       where: Loc) -> Iterator[tuple[Loc, str, str]]:
    has_from = bool(theme.rules_of(comparison.from_))
    has_to = bool(theme.rules_of(comparison.to))
    if not has_from and not has_to:
        yield where, "nothing-to-compare", (
            f"neither {comparison.from_} nor {comparison.to} lists a rule on theme {theme.id!r}")
    elif comparison.relation == "none" and has_from:
        yield (*where, "relation"), "relation-mismatch", (
            f"relation 'none' says {comparison.from_} has no such requirement, but it lists "
            f"rules on theme {theme.id!r}")
    elif comparison.relation != "none" and not has_from:
        yield (*where, "relation"), "relation-mismatch", (
            f"{comparison.from_} lists no rule on theme {theme.id!r}, so its relation is "
            f"'none', not {comparison.relation!r}")


def _unknown(name: str, known: set[str]) -> str:
    message = f"{name!r} is not a declared standard ({', '.join(sorted(known))})"
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return message + (f"; did you mean {close[0]!r}?" if close else "")


def check_rules(crosswalk: Crosswalk, packs: Sequence[Pack]) -> None:
    """Check that every rule id the crosswalk names for these packs exists in them.

    Raises:
        CrosswalkError: each unknown id, where it is written, with a did-you-mean hint.
    """
    problems: list[PackProblem] = []
    for pack in packs:
        known = {rule.id for rule in pack.rules}
        for t_index, theme in enumerate(crosswalk.spec.themes):
            for r_index, rule_id in enumerate(theme.rules_of(pack.id)):
                if rule_id in known:
                    continue
                close = difflib.get_close_matches(rule_id, sorted(known), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                where = _position(crosswalk.positions, ("themes", t_index, "rules", pack.id,
                                                        r_index))
                problems.append(PackProblem(
                    crosswalk.file, *where, "unknown-rule",
                    f"theme {theme.id!r}: {rule_id!r} is not a rule of pack {pack.id!r}{hint}"))
    if problems:
        raise CrosswalkError(crosswalk.file, problems)


def unmapped_rules(crosswalk: Crosswalk, pack: Pack) -> list[str]:
    """Active rules of ``pack`` that no theme lists (the gap view could not place them)."""
    mapped = {rule_id for theme in crosswalk.spec.themes for rule_id in theme.rules_of(pack.id)}
    return [rule.id for rule in pack.rules
            if rule.spec.status == "active" and rule.id not in mapped]
