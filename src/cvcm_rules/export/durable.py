"""Export the part of a rule pack that durable_rules can test, as its ruleset JSON (plain data).

durable_rules is not the evaluation path (the README says why); this export is for users who run
durable_rules hosts, and it is the oracle of a differential test. Exporting does not import
durable_rules.

**What fires.** For an exported rule ``R``, the durable_rules rule ``R/fail`` fires on a dossier's
fact exactly when the engine's outcome for ``R`` is ``fail``, and ``R/warn`` (written when
``warn_when`` can be exported) exactly when it is ``warn``; for ``pass``, ``not_applicable`` and
``indeterminate`` nothing fires. This holds for dossiers with missing facts too: conditions are
written in negation normal form, a missing fact is left out of the fact, and every exported test
is false on an absent key, so durable_rules computes the lowest value the engine's three-valued
(Kleene) result can take, and fires only when the engine's result is definitely true. The claim
excludes ``error`` outcomes (a rule that broke), which durable_rules cannot have.

**What is exported**: comparisons of dossier fields with literals, parameters (resolved for the
export date), ``as_of`` or other fields; ``and``/``or``/``not``; ``in`` over literal or parameter
lists and over list fields; ``exists``; ``coalesce``; ``len`` and ``lower`` of a field;
``all``/``any`` over a list field (``$iall``/``$iany``, written so that ``all`` of an empty list is
true, as in the engine) or over a parameter list (expanded). Dates are day numbers.

**What is not**, each listed with its reason: ``for_each`` rules, ``needs_review`` rules, rules not
in force on the export date, working-day and date-arithmetic functions, regular expressions,
arithmetic, ``count``/``sum``/``min``/``max``, string ordering, and any rule that could make more
than 64 matches on one fact.

**How to run it** (``durable_run`` does this): register a deep copy of ``rulesets`` on a Host
whose ``get_action`` resolves the rule names and whose dispatcher threads are disabled; for each
dossier and ruleset, assert :func:`~cvcm_rules.export.facts.dossier_fact` with the ``facts`` shape,
the marker key and a new ``sid``, then delete that sid's state. Each ruleset has a catch-all rule,
``cvcm/asserted``: durable_rules crashes when a state is deleted after a fact that matched nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cvcm_rules.export._formula import FALSE, Compare, Formula, Key, conj, max_matches, render
from cvcm_rules.export._translate import NotExportable, Translator
from cvcm_rules.export.facts import FactShape
from cvcm_rules.packs import Pack, Rule, RuleSpec

__all__ = ["CATCH_ALL", "FORMAT", "MARKER", "DurableExport", "ExportedRule", "export_pack"]

FORMAT = "cvcm-rules/durable-rules-export"
MARKER = {"cvcm.fact": "dossier"}  # every rule tests it: a rule of only `$nex` tests loops
CATCH_ALL = "cvcm/asserted"
MAX_MATCHES = 64  # durable_rules: more simultaneous matches in one ruleset and nothing fires
MAX_PROPERTIES = 240  # durable_rules refuses a fact of more than about 253 properties
_MARKER_TEST = Compare("==", Key("cvcm.fact", kind="string"), "dossier")


@dataclass(frozen=True, slots=True)
class ExportedRule:
    """Where a rule went: its ruleset, its durable_rules rule names, what was left out."""

    id: str
    ruleset: str
    fail: str | None
    warn: str | None
    warn_not_exported: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data: dict[str, Any] = {"ruleset": self.ruleset, "fail": self.fail, "warn": self.warn}
        if self.warn_not_exported is not None:
            data["warn_not_exported"] = self.warn_not_exported
        return data


@dataclass(frozen=True, slots=True)
class DurableExport:
    """A pack's exportable rules as durable_rules rulesets, and the rules left out with why."""

    pack: dict[str, str]
    as_of: date
    rulesets: dict[str, dict[str, Any]]
    facts: dict[str, FactShape]
    rules: tuple[ExportedRule, ...]
    not_exported: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The export document (what ``cvcm-rules export durable`` writes)."""
        return {
            "format": FORMAT,
            "format_version": 1,
            "pack": self.pack,
            "as_of": self.as_of.isoformat(),
            "fact": {
                "marker": dict(MARKER),
                "catch_all": CATCH_ALL,
                "dates": "day numbers: date.toordinal(), 0001-01-01 is day 1",
                "missing": "a missing fact is left out of the fact",
            },
            "rulesets": self.rulesets,
            "facts": {name: shape.to_dict() for name, shape in self.facts.items()},
            "rules": {rule.id: rule.to_dict() for rule in self.rules},
            "not_exported": self.not_exported,
        }

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, UTF-8, two-space indent, a trailing newline."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, indent=2,
                          allow_nan=False) + "\n"


@dataclass(frozen=True, slots=True)
class _Candidate:
    rule_id: str
    formulas: dict[str, Formula]  # durable_rules rule name -> condition, without the marker
    warn_not_exported: str | None
    matches: int
    shape: FactShape


def export_pack(pack: Pack, as_of: date) -> DurableExport:
    """Export the rules of ``pack`` that durable_rules can test, for the date ``as_of``.

    Parameters are resolved for ``as_of``, so the export is for that date only.
    """
    candidates: list[_Candidate] = []
    not_exported: dict[str, str] = {}
    for rule in pack.rules:
        found = _candidate(rule, as_of)
        if isinstance(found, str):
            not_exported[rule.id] = found
        else:
            candidates.append(found)
    rulesets: dict[str, dict[str, Any]] = {}
    facts: dict[str, FactShape] = {}
    exported: list[ExportedRule] = []
    for index, group in enumerate(_split(candidates), start=1):
        name = f"{pack.id}-{index}"
        rules: dict[str, Any] = {CATCH_ALL: {"all": [{"m": dict(MARKER)}], "run": CATCH_ALL}}
        for candidate in group:
            for durable_name, formula in candidate.formulas.items():
                rules[durable_name] = {"all": [{"m": render(conj(_MARKER_TEST, formula))}],
                                       "run": durable_name}
            exported.append(ExportedRule(
                candidate.rule_id, name, _name_if(candidate, "fail"), _name_if(candidate, "warn"),
                candidate.warn_not_exported))
        rulesets[name] = rules
        facts[name] = FactShape.of([f for c in group for f in c.formulas.values()])
    return DurableExport({"id": pack.id, "version": pack.version, "sha256": pack.sha256}, as_of,
                         rulesets, facts, tuple(exported), not_exported)


def _name_if(candidate: _Candidate, outcome: str) -> str | None:
    name = f"{candidate.rule_id}/{outcome}"
    return name if name in candidate.formulas else None


def _candidate(rule: Rule, as_of: date) -> _Candidate | str:
    """The rule's durable_rules formulas, or why it is not exported."""
    spec = rule.spec
    params = _in_force(rule, as_of)
    if isinstance(params, str):
        return params
    translator = Translator.for_texts(spec.let, params, as_of)
    try:
        formulas, warn_not_exported = _formulas(spec, translator)
    except NotExportable as err:
        return err.reason
    if not formulas:
        return f"it can neither fail nor warn on {as_of} once its parameters are resolved"
    matches = sum(max_matches(formula) for formula in formulas.values())
    if matches >= MAX_MATCHES:
        return (f"durable_rules could make {matches} matches for it on one fact; beyond "
                f"{MAX_MATCHES} in a ruleset it fires nothing (error 303)")
    shape = FactShape.of(list(formulas.values()))
    if len(shape.keys) + len(shape.lists) + 3 > MAX_PROPERTIES:
        return f"its fact would need more than {MAX_PROPERTIES} properties"
    return _Candidate(spec.id, formulas, warn_not_exported, matches, shape)


def _in_force(rule: Rule, as_of: date) -> dict[str, object] | str:
    """The rule's parameter values on ``as_of``, or why the engine would not decide it then."""
    spec = rule.spec
    if spec.status != "active":
        return f"status {spec.status}: the engine does not evaluate it"
    if spec.condition is None:
        return "needs_review: a reviewer decides; the rule has no condition"
    if spec.for_each is not None:
        return (f"for_each ({spec.for_each}): one result per item, while a durable_rules fact "
                "is the whole dossier")
    if spec.effective_from is not None and as_of < spec.effective_from:
        return f"not in force on {as_of} (effective from {spec.effective_from})"
    params: dict[str, object] = {}
    for parameter in rule.parameters:
        value = parameter.at(as_of)
        if value is None:
            return f"not in force on {as_of}: parameter {parameter.name} has no value then"
        params[parameter.name] = value[1]
    return params


def _formulas(spec: RuleSpec, translator: Translator) -> tuple[dict[str, Formula], str | None]:
    """``{RULE/fail: ..., RULE/warn: ...}`` (those that can fire), and why warn is left out.

    Raises:
        NotExportable: the applicability or the condition cannot be exported.
    """
    assert spec.condition is not None
    applies = translator.formula(spec.applies_when) if spec.applies_when else conj()
    fail = conj(applies, translator.formula(spec.condition, negate=True))
    formulas: dict[str, Formula] = {}
    if fail != FALSE:
        formulas[f"{spec.id}/fail"] = fail
    if spec.warn_when is None:
        return formulas, None
    try:
        warn = conj(applies, translator.formula(spec.condition),
                    translator.formula(spec.warn_when))
    except NotExportable as err:
        return formulas, err.reason
    if warn != FALSE:
        formulas[f"{spec.id}/warn"] = warn
    return formulas, None


def _split(candidates: Iterable[_Candidate]) -> list[list[_Candidate]]:
    """Rulesets in pack order, each within durable_rules' match and fact-size limits."""
    groups: list[list[_Candidate]] = []
    matches = 0
    keys: set[str] = set()
    for candidate in candidates:
        more = set(candidate.shape.keys) | set(candidate.shape.lists)
        if (not groups or matches + candidate.matches > MAX_MATCHES - 1
                or len(keys | more) + 3 > MAX_PROPERTIES):  # + marker, sid and id
            groups.append([])
            matches, keys = 0, set()
        groups[-1].append(candidate)
        matches += candidate.matches
        keys |= more
    return groups
