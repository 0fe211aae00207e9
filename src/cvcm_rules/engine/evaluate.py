"""Evaluate a dossier against rule packs, as of a date, into a report of traceable findings.

Nothing here reads the clock or the network: ``as_of`` is always given, so the same inputs give
the same report. A rule that breaks yields an ``error`` finding and the other rules still run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from cvcm_rules import __version__
from cvcm_rules.engine.calendar_probe import RecordingCalendar
from cvcm_rules.engine.findings import Finding, ItemResult, Outcome, Report, worst
from cvcm_rules.engine.scorecard import scorecard
from cvcm_rules.engine.scoring import score, summarise
from cvcm_rules.engine.values import display, to_json
from cvcm_rules.expr import Compiled, Env, EvalError, Missing, TraceEvent
from cvcm_rules.model import Dossier
from cvcm_rules.packs import Message, Pack, Rule
from cvcm_rules.packs.compiled import RuleExpressions

__all__ = ["dossier_digest", "evaluate"]


@dataclass(slots=True)
class _Context:
    """Host services that library functions may use (only the calendar, today)."""

    calendar: RecordingCalendar | None


@dataclass(slots=True)
class _Decision:
    outcome: Outcome
    missing: frozenset[str] = frozenset()
    reason: str | None = None
    detail: str = ""


def dossier_digest(dossier: Dossier) -> str:
    """SHA-256 of the dossier's JSON serialisation: the same facts give the same digest.

    pydantic writes fields in model order, so the bytes depend only on the facts (not on how the
    file was formatted, nor on YAML versus JSON).
    """
    # The serializer directly: the same bytes as ``model_dump_json()``, without its str round trip.
    return hashlib.sha256(dossier.__pydantic_serializer__.to_json(dossier)).hexdigest()


def evaluate(dossier: Dossier, packs: Sequence[Pack], *, as_of: date,
             trace: bool = False, calendar: Any = None) -> Report:
    """Evaluate ``dossier`` against every active rule of ``packs`` as of ``as_of``.

    Args:
        dossier: a validated dossier.
        packs: loaded packs; a rule adopted by several packs is evaluated once.
        as_of: the date of the assessment; selects dated parameter values.
        trace: also record every sub-expression's value (slower).
        calendar: a working-day calendar; defaults to the China calendar.

    Returns:
        The report, findings sorted by pack and rule id.
    """
    if calendar is None:
        from cvcm_rules.calendar import default_calendar

        calendar = default_calendar()
    probe = RecordingCalendar(calendar)
    context = _Context(probe)
    findings: list[Finding] = []
    memo: dict[str, object] = {}  # dossier paths read once for all rules: the dossier is frozen
    seen: set[str] = set()
    for pack in packs:
        for rule in pack.rules:
            if rule.spec.status != "active" or rule.id in seen:
                continue
            seen.add(rule.id)
            findings.append(_evaluate_rule(rule, dossier, as_of, context, memo, trace=trace))
    return Report(
        dossier={"id": dossier.id, "sha256": dossier_digest(dossier)},
        as_of=as_of.isoformat(),
        engine_version=__version__,
        packs=[{"id": p.id, "version": p.version, "sha256": p.sha256} for p in packs],
        calendar=_calendar_block(calendar, probe),
        findings=findings,
        summary=summarise(findings),
        score=score(findings),
        scorecard=scorecard(findings, packs),
    )


def _calendar_block(calendar: Any, probe: RecordingCalendar) -> dict[str, Any]:
    return {
        "source": "holidays.China",
        "holidays_version": calendar.holidays_version,
        "official_through": calendar.official_through,
        "provisional_years": sorted(probe.years_touched),
    }


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


_Parameters = tuple[SimpleNamespace, list[dict[str, Any]], str | None]


def _parameters(rule: Rule, as_of: date) -> _Parameters:
    """The parameter values in force on ``as_of`` (cached per rule: batches share a date)."""
    cached = rule.parameters_at.get(as_of)
    if cached is not None:
        return cached  # type: ignore[return-value]
    values: dict[str, object] = {}
    used: list[dict[str, Any]] = []
    absent: str | None = None
    for parameter in rule.parameters:
        found = parameter.at(as_of)
        if found is None:
            absent = parameter.name
            break
        effective, value = found
        values[parameter.name] = value
        entry = {"name": parameter.name, "value": to_json(value), "unit": parameter.unit,
                 "effective_from": effective.isoformat()}
        note = parameter.note_at(as_of)
        if note is not None:
            entry["note"] = note
        used.append(entry)
    result = (SimpleNamespace(**values), used, absent)  # read-only to expressions
    rule.parameters_at[as_of] = result
    return result


def _evaluate_rule(rule: Rule, dossier: Dossier, as_of: date, context: _Context,
                   memo: dict[str, object], *, trace: bool) -> Finding:
    spec = rule.spec
    pack_ref = f"{rule.pack_id}@{rule.pack_version}"
    fingerprint = _fingerprint(rule.pack_id, spec.id, dossier.id)
    params, used, absent = _parameters(rule, as_of)
    used = [dict(entry) for entry in used]  # each finding owns its list
    env = Env(root=dossier, values={"params": params, "as_of": as_of},
              context=context, trace=[] if trace else None, memo=memo)
    exprs = rule.traced if trace else rule.fast
    if context.calendar is not None:
        context.calendar.reset()  # no rule may report another rule's working-day questions
    items: list[ItemResult] = []
    if absent is not None or (spec.effective_from and as_of < spec.effective_from):
        what = absent or "effective_from"
        decision = _Decision(Outcome.NOT_APPLICABLE, reason="not-in-force", detail=what)
    elif exprs.for_each is not None:
        decision, items = _evaluate_items(rule, exprs, env, dossier.id)
    else:
        decision = _decide(rule, exprs, env)
    if exprs.for_each is None:
        derived = _derived(rule, exprs, env, context)
        decision = _downgrade_if_provisional(decision, derived)
    else:
        derived = {}  # each item carries its own derived values and provisional downgrade
    message = (_combine_item_messages(items, decision.outcome) if items
               else _message(rule, decision, env, as_of))
    return Finding(
        rule_id=spec.id, rule_version=spec.version, pack=pack_ref, category=spec.category,
        severity=spec.severity, outcome=decision.outcome,
        title=rule.title, message=message, citation=rule.citation,
        evidence=[] if exprs.for_each is not None else _evidence(rule, env),
        parameters=used, derived=derived, missing=sorted(decision.missing),
        reason=decision.reason, fingerprint=fingerprint, items=items,
        trace=_trace(env) if trace else None,
    )


def _evaluate_items(rule: Rule, exprs: RuleExpressions, env: Env,
                    dossier_id: str) -> tuple[_Decision, list[ItemResult]]:
    assert exprs.for_each is not None and rule.for_each_variable is not None
    variable = rule.for_each_variable
    try:
        collection = exprs.for_each.run(env)
    except EvalError as err:
        return _Decision(Outcome.ERROR, reason=err.code, detail=str(err)), []
    if isinstance(collection, Missing):
        return _Decision(Outcome.INDETERMINATE, collection.paths, "missing-evidence"), []
    base = exprs.for_each.source
    if not collection:
        return _empty_collection(rule, exprs, env, variable, base), []
    items = []
    keys: dict[str, int] = {}
    for index, item in enumerate(collection):
        path = f"{base}[{index}]"
        key = _item_key(item, index, keys)
        env.values[variable] = item
        env.prefixes[variable] = path
        env.item_memo.clear()
        for name, _ in exprs.lets:  # no item may show the previous item's derived values
            env.values.pop(name, None)
        if env.trace is not None:
            env.trace.clear()
        context: _Context = env.context
        if context.calendar is not None:
            context.calendar.reset()
        decision = _decide(rule, exprs, env)
        derived = _derived(rule, exprs, env, context)
        decision = _downgrade_if_provisional(decision, derived)
        items.append(ItemResult(
            key=key, path=path, outcome=decision.outcome,
            message=_message(rule, decision, env, env.values["as_of"]),
            evidence=_evidence(rule, env), derived=derived, missing=sorted(decision.missing),
            reason=decision.reason,
            fingerprint=_fingerprint(rule.pack_id, rule.id, dossier_id, key),
            trace=_trace(env) if env.trace is not None else None,
        ))
    outcome = worst([item.outcome for item in items])
    missing = frozenset(p for item in items if item.outcome is outcome for p in item.missing)
    return _Decision(outcome, missing), items


def _item_key(item: object, index: int, seen: dict[str, int]) -> str:
    """A key naming the item across revisions: its id, else its natural key, else its position.

    Keys feed fingerprints, so a decision on an item must not move to another one when an
    entry is inserted before it; a repeated key gets ``#2``, ``#3`` so no two items share one.
    """
    found = getattr(item, "id", None)
    if found is None:
        found = getattr(item, "natural_key", None)
    key = str(index) if found is None else str(found)
    count = seen[key] = seen.get(key, 0) + 1
    return key if count == 1 else f"{key}#{count}"


def _empty_collection(rule: Rule, exprs: RuleExpressions, env: Env, variable: str,
                      base: str) -> _Decision:
    """An empty for_each list: not applicable, or (``if_empty: indeterminate``) missing facts.

    With ``indeterminate``, ``applies_when`` is still honoured: it is evaluated with the loop
    variable bound to a missing value, so a condition on the dossier alone (the methodology)
    decides, and one that needs the item cannot make the rule pass.
    """
    if rule.spec.if_empty == "not_applicable":
        return _Decision(Outcome.NOT_APPLICABLE, reason="no-items", detail=base)
    env.values[variable] = Missing.at(f"{base}[0]")
    env.prefixes[variable] = f"{base}[0]"
    try:
        inapplicable = _inapplicable(exprs, env)
    except EvalError as err:
        return _Decision(Outcome.ERROR, reason=err.code, detail=str(err))
    if inapplicable is not None and inapplicable.outcome is Outcome.NOT_APPLICABLE:
        return inapplicable
    return _Decision(Outcome.INDETERMINATE, frozenset({f"{base}[0]"}), "missing-evidence")


def _decide(rule: Rule, exprs: RuleExpressions, env: Env) -> _Decision:
    context: _Context = env.context
    if context.calendar is not None and exprs.for_each is None:
        context.calendar.reset()
    try:
        inapplicable = _inapplicable(exprs, env)
        if inapplicable is not None:
            return inapplicable
        for name, compiled in exprs.lets:
            env.values[name] = compiled.run(env)
        if exprs.condition is None:
            return _Decision(Outcome.NEEDS_REVIEW, reason="needs-review")
        verdict = exprs.condition.run(env)
        if isinstance(verdict, Missing):
            return _Decision(Outcome.INDETERMINATE, verdict.paths, "missing-evidence")
        if verdict is False:
            return _Decision(Outcome.FAIL)
        if verdict is not True:
            return _Decision(Outcome.ERROR, reason="not-a-boolean",
                             detail=f"the condition gave {verdict!r}, not true or false")
        if exprs.warn_when is not None and exprs.warn_when.run(env) is True:
            return _Decision(Outcome.WARN)
        return _Decision(Outcome.PASS)
    except EvalError as err:
        return _Decision(Outcome.ERROR, reason=err.code, detail=str(err))
    except Exception as err:  # noqa: BLE001 - a broken rule must not stop the report
        return _Decision(Outcome.ERROR, reason="internal-error",
                         detail=f"{type(err).__name__}: {err}")


def _inapplicable(exprs: RuleExpressions, env: Env) -> _Decision | None:
    """Why the rule does not apply to this dossier or item, or None if it does."""
    if exprs.applies_when is None:
        return None
    applies = exprs.applies_when.run(env)
    if isinstance(applies, Missing):
        return _Decision(Outcome.INDETERMINATE, applies.paths, "missing-evidence")
    if applies is not True:
        return _Decision(Outcome.NOT_APPLICABLE, reason="applies-when-false",
                         detail=exprs.applies_when.source)
    return None


def _downgrade_if_provisional(decision: _Decision, derived: dict[str, Any]) -> _Decision:
    years = derived.get("provisional_years")
    if decision.outcome is Outcome.FAIL and years:
        return _Decision(Outcome.WARN, decision.missing, "provisional-calendar",
                         ", ".join(str(y) for y in years))
    return decision


def _derived(rule: Rule, exprs: RuleExpressions, env: Env, context: _Context) -> dict[str, Any]:
    derived: dict[str, Any] = {}
    for name, _ in exprs.lets:
        if name in env.values:
            value = env.values[name]
            derived[name] = to_json(value)
    if context.calendar is not None and context.calendar.calls:
        derived["working_days"] = context.calendar.explanations()
        provisional = context.calendar.provisional_years()
        if provisional:
            derived["provisional_years"] = provisional
    return derived


def _evidence(rule: Rule, env: Env) -> list[dict[str, Any]]:
    result = []
    prefixes = env.prefixes
    for evidence in rule.evidence:
        try:
            value = evidence.compiled.run(env)
        except EvalError:
            continue
        prefix = prefixes.get(evidence.head)
        path = evidence.text if prefix is None else prefix + evidence.rest
        if isinstance(value, Missing):
            result.append({"path": path, "value": None, "missing": True})
        else:
            result.append({"path": path, "value": to_json(value)})
    return result


def _render(template: tuple[str | Compiled, ...], env: Env, lang: str) -> str:
    parts = []
    for part in template:
        if part.__class__ is str:
            parts.append(part)
            continue
        try:
            parts.append(display(part.run(env), lang))  # type: ignore[union-attr]
        except EvalError:
            parts.append("?")
    return "".join(parts)


_FIXED = {
    "indeterminate": ("无法判定：缺少 {missing}。", "Cannot decide: missing {missing}."),
    "applies-when-false": ("不适用：{detail} 不成立。", "Not applicable: {detail} is false."),
    "no-items": ("不适用：{detail} 为空。", "Not applicable: {detail} is empty."),
    "not-in-force": ("不适用：{as_of} 时参数 {detail} 无有效取值（规则未生效）。",
                     "Not applicable: parameter {detail} has no value in force on {as_of}."),
    "error": ("规则执行出错（{reason}）：{detail}", "Rule error ({reason}): {detail}"),
    "pass": ("符合：{title}", "Satisfied: {title}"),
    "provisional": ("（依据尚未公布官方安排的 {detail} 年临时日历计算，仅作警示。）",
                    " (Computed on the provisional calendar of {detail}, whose official "
                    "schedule is not yet published: a warning only.)"),
}


def _message(rule: Rule, decision: _Decision, env: Env, as_of: object) -> dict[str, str]:
    outcome = decision.outcome
    if outcome is Outcome.INDETERMINATE:
        return _fixed("indeterminate", decision, as_of)
    if outcome is Outcome.NOT_APPLICABLE:
        return _fixed(decision.reason or "applies-when-false", decision, as_of)
    if outcome is Outcome.ERROR:
        return _fixed("error", decision, as_of)
    template: Message | None = rule.messages.get(outcome)  # a StrEnum: equal to its value
    if decision.reason == "provisional-calendar":
        template = rule.messages.get("fail")
    if template is None and outcome is Outcome.WARN:
        template = rule.messages.get("fail")
    if template is None:
        return {"zh": f"符合：{rule.spec.title.zh}", "en": f"Satisfied: {rule.spec.title.en}"}
    text = {"zh": _render(template.zh, env, "zh"), "en": _render(template.en, env, "en")}
    if decision.reason == "provisional-calendar":
        note = _fixed("provisional", decision, as_of)
        text = {lang: text[lang] + note[lang] for lang in text}
    return text


def _fixed(key: str, decision: _Decision, as_of: object) -> dict[str, str]:
    fields = {"missing": ", ".join(sorted(decision.missing)), "detail": decision.detail,
              "reason": decision.reason or "", "as_of": display(as_of, "en")}
    zh, en = _FIXED[key]
    return {"zh": zh.format(**fields), "en": en.format(**fields)}


def _combine_item_messages(items: list[ItemResult], outcome: Outcome) -> dict[str, str]:
    """The items' messages for the finding's outcome, each distinct text once, in item order."""
    chosen = [item for item in items if item.outcome is outcome]
    return {lang: " ".join(dict.fromkeys(item.message[lang] for item in chosen))
            for lang in ("zh", "en")}


def _trace(env: Env) -> list[dict[str, Any]]:
    events: list[TraceEvent] = env.trace or []
    return [{"expression": e.expression, "offset": e.offset,
             "value": sorted(e.value.paths) if isinstance(e.value, Missing) else to_json(e.value),
             "missing": isinstance(e.value, Missing)} for e in events]
