"""Compare two versions of a pack rule by rule: what was added, removed or changed, and how.

Expressions are compared on their parsed form (printed back canonically), so re-wrapping a
condition or adding redundant parentheses is not a change; anything that parses differently is.
Every difference is reported, one :class:`Change` per field, and each rule is filed under the
clause it cites, so a standards body reads the diff the way it reads its own text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from cvcm_rules.expr import parse, unparse
from cvcm_rules.packs import Pack, Rule
from cvcm_rules.packs.compiled import CompiledParameter
from cvcm_rules.packs.schema import Document, Manifest, RuleSpec

__all__ = ["ASPECTS", "Change", "ClauseGroup", "PackDiff", "RuleDiff", "diff_packs"]

# The order a reader wants: what the rule decides first, its wording last.
ASPECTS = ("condition", "applicability", "parameters", "severity", "citation", "other", "wording")
Aspect = Literal["condition", "applicability", "parameters", "severity", "citation", "other",
                 "wording"]
Kind = Literal["added", "removed", "changed"]

_FOR_EACH = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s+in\s+(.+)$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Change:
    """One field that differs; ``old``/``new`` are plain JSON values (``None``: absent)."""

    aspect: Aspect
    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"aspect": self.aspect, "field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class RuleDiff:
    """A rule added, removed or changed, with its title and (when changed) every change."""

    rule_id: str
    kind: Kind
    title: dict[str, str]
    severity: str
    changes: tuple[Change, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"rule_id": self.rule_id, "kind": self.kind, "title": self.title,
                "severity": self.severity, "changes": [c.to_dict() for c in self.changes]}


@dataclass(frozen=True, slots=True)
class ClauseGroup:
    """The rules of one source clause (document + article + clause) that differ."""

    document: str
    document_title: dict[str, str]
    clause: str
    rules: tuple[RuleDiff, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"document": self.document, "document_title": self.document_title,
                "clause": self.clause, "rules": [r.to_dict() for r in self.rules]}


@dataclass(frozen=True, slots=True)
class PackDiff:
    """Everything that differs between two versions of one pack."""

    pack_id: str
    old: dict[str, Any]
    new: dict[str, Any]
    manifest: tuple[Change, ...]
    clauses: tuple[ClauseGroup, ...]
    unchanged: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """No rule and no manifest field differs."""
        return not self.manifest and not self.clauses

    def rules(self, kind: Kind | None = None) -> list[RuleDiff]:
        """The differing rules (of one kind), sorted by id."""
        found = [r for group in self.clauses for r in group.rules if kind in (None, r.kind)]
        return sorted(found, key=lambda r: r.rule_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: sorted and free of paths, so equal inputs give equal bytes."""
        return {"pack": self.pack_id, "old": self.old, "new": self.new,
                "summary": {**self.counts, "unchanged": self.unchanged},
                "manifest": [c.to_dict() for c in self.manifest],
                "clauses": [g.to_dict() for g in self.clauses]}


def diff_packs(old: Pack, new: Pack, *, old_label: str | None = None,
               new_label: str | None = None) -> PackDiff:
    """Compare two versions of a pack (the caller checks they share an id).

    Example:
        >>> from cvcm_rules.packs import load_pack
        >>> pack = load_pack("ccer")
        >>> diff_packs(pack, pack).is_empty
        True
    """
    old_rules = {rule.id: rule for rule in old.rules}
    new_rules = {rule.id: rule for rule in new.rules}
    entries: list[tuple[Rule, RuleDiff]] = []
    unchanged = 0
    for rule_id in sorted(old_rules.keys() | new_rules.keys()):
        before, after = old_rules.get(rule_id), new_rules.get(rule_id)
        if before is None and after is not None:
            entries.append((after, _summary(after, "added")))
        elif after is None and before is not None:
            entries.append((before, _summary(before, "removed")))
        elif before is not None and after is not None:
            changes = tuple(compare_rules(before, after))
            if changes:
                entries.append((after, _summary(after, "changed", changes)))
            else:
                unchanged += 1
    counts = {kind: sum(1 for _, d in entries if d.kind == kind)
              for kind in ("added", "removed", "changed")}
    return PackDiff(
        pack_id=new.id,
        old=_side(old, old_label), new=_side(new, new_label),
        manifest=tuple(compare_manifests(old.manifest, new.manifest)),
        clauses=_group(entries, old.manifest, new.manifest),
        unchanged=unchanged, counts=counts)


def _side(pack: Pack, label: str | None) -> dict[str, Any]:
    manifest = pack.manifest
    return {"label": label or pack.path.name, "version": pack.version,
            "effective_from": manifest.effective_from.isoformat(),
            "superseded_on": _plain(manifest.superseded_on), "sha256": pack.sha256,
            "title": manifest.title.model_dump(), "description": _dump(manifest.description),
            "supersession": _dump(manifest.supersession)}


def _summary(rule: Rule, kind: Kind, changes: tuple[Change, ...] = ()) -> RuleDiff:
    title = {"zh": rule.spec.title.zh, "en": rule.spec.title.en}
    return RuleDiff(rule.id, kind, title, rule.spec.severity, changes)


# -- one rule ------------------------------------------------------------------------------------

def compare_rules(old: Rule, new: Rule) -> Iterator[Change]:
    """Every difference between two versions of one rule, in reading order."""
    a, b = old.spec, new.spec
    yield from _expressions(a, b)
    yield from _plain_fields("applicability", a, b, ("status", "effective_from"))
    if _canonical(a.applies_when) != _canonical(b.applies_when):
        yield Change("applicability", "applies_when", _canonical(a.applies_when),
                     _canonical(b.applies_when))
    yield from _parameters(old.parameters, new.parameters)
    yield from _plain_fields("severity", a, b, ("severity",))
    yield from _flat("citation", "citation", a.citation.model_dump(), b.citation.model_dump())
    yield from _plain_fields("other", a, b, ("category", "version", "supersedes", "evidence"))
    yield from _flat("wording", "title", a.title.model_dump(), b.title.model_dump())
    yield from _flat("wording", "message", _dump(a.message), _dump(b.message))
    yield from _flat("wording", "review", _dump(a.review), _dump(b.review))


def _expressions(a: RuleSpec, b: RuleSpec) -> Iterator[Change]:
    old_loop, new_loop = _loop(a.for_each), _loop(b.for_each)
    if old_loop != new_loop:
        yield Change("condition", "for_each", old_loop, new_loop)
    if a.for_each is not None and b.for_each is not None and a.if_empty != b.if_empty:
        yield Change("condition", "if_empty", a.if_empty, b.if_empty)
    for name in sorted(a.let.keys() | b.let.keys()):
        before, after = _canonical(a.let.get(name)), _canonical(b.let.get(name))
        if before != after:
            yield Change("condition", f"let.{name}", before, after)
    for name in ("condition", "warn_when"):
        before, after = _canonical(getattr(a, name)), _canonical(getattr(b, name))
        if before != after:
            yield Change("condition", name, before, after)


def _canonical(text: str | None) -> str | None:
    r"""The expression printed back from its syntax tree: equal for equal meaning of form.

    Example:
        >>> _canonical("(a  >=\n  b)") == _canonical("a >= b")
        True
    """
    return None if text is None else unparse(parse(text))


def _loop(text: str | None) -> str | None:
    if text is None:
        return None
    match = _FOR_EACH.match(text)
    return text.strip() if match is None else f"{match.group(1)} in {_canonical(match.group(2))}"


def _plain_fields(aspect: Aspect, a: RuleSpec, b: RuleSpec,
                  names: tuple[str, ...]) -> Iterator[Change]:
    for name in names:
        before, after = _plain(getattr(a, name)), _plain(getattr(b, name))
        if before != after:
            yield Change(aspect, name, before, after)


def _flat(aspect: Aspect, prefix: str, old: dict[str, Any] | None,
          new: dict[str, Any] | None) -> Iterator[Change]:
    """Leaf-by-leaf comparison of two nested mappings (``citation.quote.zh``)."""
    before, after = dict(_leaves(prefix, old or {})), dict(_leaves(prefix, new or {}))
    for key in sorted(before.keys() | after.keys()):
        if before.get(key) != after.get(key):
            yield Change(aspect, key, before.get(key), after.get(key))


def _leaves(prefix: str, data: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        path = f"{prefix}.{key}"
        if isinstance(value, dict):
            yield from _leaves(path, value)
        elif value is not None:
            yield path, _plain(value)


def _dump(model: Any) -> dict[str, Any] | None:
    return None if model is None else dict(_plain(model.model_dump(by_alias=True)))


# -- parameters ----------------------------------------------------------------------------------

def _parameters(old: tuple[CompiledParameter, ...],
                new: tuple[CompiledParameter, ...]) -> Iterator[Change]:
    before = {p.name: p for p in old}
    after = {p.name: p for p in new}
    for name in sorted(before.keys() | after.keys()):
        a, b = before.get(name), after.get(name)
        if a is not None and b is not None and a.unit != b.unit:
            yield Change("parameters", f"parameters.{name}.unit", a.unit, b.unit)
        history_a, history_b = _history(a), _history(b)
        if history_a != history_b:
            yield Change("parameters", f"parameters.{name}", history_a, history_b)


def _history(parameter: CompiledParameter | None) -> list[dict[str, Any]] | None:
    """A parameter's dated values as plain data: ``[{effective_from, value}]``, or ``ended``."""
    if parameter is None:
        return None
    history: list[dict[str, Any]] = []
    for when, value, ended in zip(parameter.effective, parameter.values, parameter.ended,
                                  strict=True):
        entry: dict[str, Any] = {"effective_from": when.isoformat()}
        entry.update({"ended": True} if ended else {"value": _plain(value)})
        history.append(entry)
    return history


def _plain(value: Any) -> Any:
    """Dates as ISO text and tuples as lists, so values compare and serialise alike.

    Example:
        >>> _plain([date(2012, 11, 8), ("a", 1)])
        ['2012-11-08', ['a', 1]]
    """
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


# -- manifest ------------------------------------------------------------------------------------

def compare_manifests(old: Manifest, new: Manifest) -> Iterator[Change]:
    """Pack-level differences: dates, documents cited, adopted rules (the version itself aside)."""
    for name in ("effective_from", "superseded_on"):
        before, after = _plain(getattr(old, name)), _plain(getattr(new, name))
        if before != after:
            yield Change("other", name, before, after)
    yield from _flat("wording", "title", old.title.model_dump(), new.title.model_dump())
    yield from _flat("wording", "description", _dump(old.description), _dump(new.description))
    yield from _flat("wording", "supersession", _dump(old.supersession), _dump(new.supersession))
    for key in sorted(old.documents.keys() | new.documents.keys()):
        before, after = old.documents.get(key), new.documents.get(key)
        if before is None or after is None:  # a document cited only by one version: one line
            yield Change("citation", f"documents.{key}", _document_name(before),
                         _document_name(after))
        else:
            yield from _flat("citation", f"documents.{key}", _dump(before), _dump(after))
    scoring_old, scoring_new = getattr(old, "scoring", None), getattr(new, "scoring", None)
    if scoring_old != scoring_new:
        yield Change("other", "scoring", _dump(scoring_old), _dump(scoring_new))
    before = [e.model_dump() for e in old.extends]
    after = [e.model_dump() for e in new.extends]
    if before != after:
        yield Change("other", "extends", before, after)


def _document_name(document: Document | None) -> str | None:
    return None if document is None else f"{document.title.zh} / {document.title.en}"


# -- grouping by clause --------------------------------------------------------------------------

def _group(entries: list[tuple[Rule, RuleDiff]], old: Manifest,
           new: Manifest) -> tuple[ClauseGroup, ...]:
    order = {key: index for index, key in enumerate([*new.documents, *(
        k for k in old.documents if k not in new.documents)])}
    groups: dict[tuple[str, str], list[RuleDiff]] = {}
    for rule, entry in entries:
        citation = rule.spec.citation
        groups.setdefault((citation.document, citation.article + (citation.clause or "")),
                          []).append(entry)
    result = []
    for (document, clause), rules in sorted(
            groups.items(), key=lambda item: (order.get(item[0][0], len(order)), item[0][0],
                                              article_key(item[0][1]))):
        source = new.documents.get(document) or old.documents.get(document)
        title = {"zh": source.title.zh, "en": source.title.en} if source else {
            "zh": document, "en": document}
        result.append(ClauseGroup(document, title, clause, tuple(rules)))
    return tuple(result)


_NUMERALS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_CHINESE_NUMBER = re.compile(r"第([零一二三四五六七八九十百千]+)[条章]")


def chinese_number(text: str) -> int:
    """The value of a Chinese numeral up to the thousands.

    Example:
        >>> [chinese_number(t) for t in ("十", "十三", "二十一", "四十九", "一百零二")]
        [10, 13, 21, 49, 102]
    """
    total, digit = 0, 0
    for char in text:
        if char in _UNITS:
            total += (digit or 1) * _UNITS[char]
            digit = 0
        else:
            digit = _NUMERALS[char]
    return total + digit


def article_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key for clause names: 第十条 before 第十三条, 2.3 before 4.4, text after numbers.

    Example:
        >>> sorted(["第十七条", "第十条（三）", "第四十九条", "第九条"], key=article_key)
        ['第九条', '第十条（三）', '第十七条', '第四十九条']
        >>> sorted(["5.3.3 核查时限", "4.4 文件评审", "全文"], key=article_key)
        ['4.4 文件评审', '5.3.3 核查时限', '全文']
    """
    match = _CHINESE_NUMBER.match(text)
    if match:
        return ((0, chinese_number(match.group(1))), (1, text[match.end():]))
    numbers = re.match(r"\d+(\.\d+)*", text)
    if numbers:
        parts = tuple((0, int(n)) for n in numbers.group(0).split("."))
        return (*parts, (1, text[numbers.end():]))
    return ((1, text),)
