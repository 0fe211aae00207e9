"""Evaluate a dossier against rule packs, as of a date, into a report of traceable findings.

Nothing here reads the clock or the network: ``as_of`` is always given, so the same inputs give
the same report. A rule that breaks yields an ``error`` finding and the other rules still run.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Sequence
from datetime import date
from types import SimpleNamespace
from typing import Any

from cvcm_rules import __version__
from cvcm_rules.engine.calendar_probe import RecordingCalendar
from cvcm_rules.engine.findings import Finding, ItemResult, Outcome, Report, worst
from cvcm_rules.engine.scorecard import scorecard
from cvcm_rules.engine.scoring import score, summarise
from cvcm_rules.engine.values import display, iso_date, to_json
from cvcm_rules.expr import Env, EvalError, Missing, TraceEvent
from cvcm_rules.model import Dossier
from cvcm_rules.packs import Message, Pack, Rule
from cvcm_rules.packs.compiled import RuleExpressions

__all__ = ["dossier_digest", "evaluate"]


# Plain classes rather than dataclasses: a dataclass's generated __init__ stays interpreted
# Python under mypyc, and these are built for every dossier and most findings.
class _Context:
    """Host services that library functions may use (only the calendar, today)."""

    __slots__ = ("calendar",)

    def __init__(self, calendar: RecordingCalendar | None) -> None:
        self.calendar = calendar


class _Decision:
    """A rule's (or an item's) verdict before it becomes a finding: treat as read-only."""

    __slots__ = ("detail", "missing", "outcome", "reason")

    def __init__(self, outcome: Outcome, missing: frozenset[str] = frozenset(),
                 reason: str | None = None, detail: str = "") -> None:
        self.outcome = outcome
        self.missing = missing
        self.reason = reason
        self.detail = detail


# The plain verdicts carry nothing else, so every rule can share one object each.
_PASS = _Decision(Outcome.PASS)
_FAIL = _Decision(Outcome.FAIL)
_WARN = _Decision(Outcome.WARN)
_REVIEW = _Decision(Outcome.NEEDS_REVIEW, reason="needs-review")


def dossier_digest(dossier: Dossier) -> str:
    """SHA-256 of the dossier's JSON serialisation (``Dossier.digest``, computed once per object).

    pydantic writes fields in model order, so the bytes depend only on the facts (not on how the
    file was formatted, nor on YAML versus JSON).
    """
    return dossier.digest


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
    # One Env for the dossier: its memo holds dossier paths read once for all rules (the dossier
    # is frozen); each rule gets fresh values, prefixes and item memo.
    env = Env(dossier, {}, {}, context, None, {}, {})
    seen: set[str] = set()
    dossier_id = dossier.id
    for pack in packs:
        for rule in pack.rules:
            if not rule.active or rule.id in seen:
                continue
            seen.add(rule.id)
            findings.append(_evaluate_rule(rule, dossier_id, as_of, env, trace=trace))
    return Report(
        dossier={"id": dossier_id, "sha256": dossier_digest(dossier)},
        as_of=iso_date(as_of),
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


def _builtin_sha256() -> Callable[[bytes], Any]:
    """CPython's own SHA-256 (``_sha2`` from 3.12, ``_sha256`` before), else hashlib's.

    The digest is the same; for the few dozen bytes of a fingerprint the built-in one costs
    about 60 % of OpenSSL's, whose per-call context set-up dominates (a tenth of an evaluation).
    """
    for name in ("_sha2", "_sha256"):
        try:
            found: Callable[[bytes], Any] = importlib.import_module(name).sha256
        except (ImportError, AttributeError):
            continue
        return found
    return hashlib.sha256


_SHA256 = _builtin_sha256()


def _fingerprint(head: bytes, tail: str) -> str:
    """A finding's stable id: SHA-256 of pack, rule, dossier (and item key), 20 hex digits.

    The parts are joined by the unit separator (0x1f); ``head`` is the rule's precomputed
    ``pack + US + rule + US`` in bytes, so only the dossier part is encoded per finding.

    Example:
        >>> _fingerprint(b"ccer|CCER.ELIG.001|", "d-1") == hashlib.sha256(
        ...     b"ccer|CCER.ELIG.001|d-1").hexdigest()[:20]
        True
    """
    hexdigest: str = _SHA256(head + tail.encode()).hexdigest()
    return hexdigest[:20]


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


def _evaluate_rule(rule: Rule, dossier_id: str, as_of: date, env: Env, *,
                   trace: bool) -> Finding:
    params, used, absent = _parameters(rule, as_of)
    used = [dict(entry) for entry in used]  # each finding owns its list
    env.values = {"params": params, "as_of": as_of}
    env.prefixes = {}
    env.item_memo = {}
    env.trace = [] if trace else None
    exprs = rule.traced if trace else rule.fast
    context: _Context = env.context
    if context.calendar is not None and context.calendar.calls:
        context.calendar.reset()  # no rule may report another rule's working-day questions
    items: list[ItemResult] = []
    effective_from = rule.effective_from
    if absent is not None or (effective_from is not None and as_of < effective_from):
        what = absent or "effective_from"
        decision = _Decision(Outcome.NOT_APPLICABLE, reason="not-in-force", detail=what)
    elif exprs.for_each is not None:
        decision, items = _evaluate_items(rule, exprs, env, dossier_id)
    else:
        decision = _decide(exprs, env)
    if exprs.for_each is None:
        derived = _derived(exprs, env, context)
        decision = _downgrade_if_provisional(decision, derived)
        evidence = _evidence(rule, env)
    else:
        derived = {}  # each item carries its own derived values and provisional downgrade
        evidence = []
    message = (_combine_item_messages(items, decision.outcome) if items
               else _message(rule, decision, env, as_of))
    missing = sorted(decision.missing) if decision.missing else []
    return Finding(
        rule.id, rule.version, rule.pack_ref, rule.category, rule.severity, decision.outcome,
        rule.title, message, rule.citation, evidence, used, derived, missing, decision.reason,
        _fingerprint(rule.fingerprint_head, dossier_id), items,
        _trace(env) if trace else None,
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
    values, prefixes = env.values, env.prefixes
    lets = [name for name, _ in exprs.lets]
    context: _Context = env.context
    calendar = context.calendar
    as_of = values["as_of"]
    head = rule.fingerprint_head
    tail = dossier_id + "\x1f"
    trace = env.trace
    for index, item in enumerate(collection):
        path = f"{base}[{index}]"
        key = _item_key(item, index, keys)
        values[variable] = item
        prefixes[variable] = path
        env.item_memo = {}
        for name in lets:  # no item may show the previous item's derived values
            values.pop(name, None)
        if trace is not None:
            trace.clear()
        if calendar is not None and calendar.calls:
            calendar.reset()
        decision = _decide(exprs, env)
        if lets or (calendar is not None and calendar.calls):
            derived = _derived(exprs, env, context)
            if "provisional_years" in derived:
                decision = _downgrade_if_provisional(decision, derived)
        else:
            derived = {}
        items.append(ItemResult(
            key, path, decision.outcome, _message(rule, decision, env, as_of),
            _evidence(rule, env), derived,
            sorted(decision.missing) if decision.missing else [], decision.reason,
            _fingerprint(head, tail + key),
            _trace(env) if trace is not None else None,
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


def _decide(exprs: RuleExpressions, env: Env) -> _Decision:
    try:
        inapplicable = _inapplicable(exprs, env) if exprs.applies_when is not None else None
        if inapplicable is not None:
            return inapplicable
        if exprs.lets:
            values = env.values
            for name, compiled in exprs.lets:
                values[name] = compiled.run(env)
        if exprs.condition is None:
            return _REVIEW
        verdict = exprs.condition.run(env)
        if verdict is False:
            return _FAIL
        if verdict is not True:
            if isinstance(verdict, Missing):
                return _Decision(Outcome.INDETERMINATE, verdict.paths, "missing-evidence")
            return _Decision(Outcome.ERROR, reason="not-a-boolean",
                             detail=f"the condition gave {verdict!r}, not true or false")
        if exprs.warn_when is not None and exprs.warn_when.run(env) is True:
            return _WARN
        return _PASS
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


def _derived(exprs: RuleExpressions, env: Env, context: _Context) -> dict[str, Any]:
    derived: dict[str, Any] = {}
    if exprs.lets:
        values = env.values
        for name, _ in exprs.lets:
            if name in values:
                derived[name] = to_json(values[name])
    if context.calendar is not None and context.calendar.calls:
        derived["working_days"] = context.calendar.explanations()
        provisional = context.calendar.provisional_years()
        if provisional:
            derived["provisional_years"] = provisional
    return derived


def _evidence(rule: Rule, env: Env) -> list[dict[str, Any]]:
    """The values of the rule's evidence paths, most of them already read by its expressions."""
    result = []
    variable = rule.for_each_variable
    # The item's concrete path (``batches[1]``); evidence of a for_each rule is only per item.
    prefix = env.prefixes.get(variable) if variable is not None else None
    item_memo, dossier_memo = env.item_memo, env.memo
    for of_item, key, text, rest, run in rule.evidence_plan:
        value = (item_memo if of_item else dossier_memo).get(key, _NOT_READ)
        if value is _NOT_READ:
            try:
                value = run(env)
            except EvalError:
                continue
        path = prefix + rest if of_item and prefix is not None else text
        kind = value.__class__
        if kind is str or kind is int or kind is bool:
            result.append({"path": path, "value": value})
        elif kind is Missing:
            result.append({"path": path, "value": None, "missing": True})
        else:
            result.append({"path": path, "value": to_json(value)})
    return result


_NOT_READ = object()


def _render(message: Message, env: Env) -> dict[str, str]:
    """Fill both languages' templates; each placeholder is evaluated once, a broken one shows ?."""
    values: list[object] = []
    for run in message.placeholders:
        try:
            values.append(run(env))
        except EvalError:
            values.append(_BROKEN)
    zh: list[str] = []
    same = True
    for value in values:
        kind = value.__class__
        if kind is str:
            zh.append(value)  # type: ignore[arg-type]
        elif kind is date:  # the common values written here as display() writes them
            zh.append(iso_date(value))  # type: ignore[arg-type]
        elif kind is int:
            zh.append(str(value))
        else:
            if kind not in _SAME_IN_BOTH:
                same = False
            zh.append(_show(value, "zh"))
    en = zh if same else [_show(value, "en") for value in values]
    zh_order, en_order = message.orders
    zh_pattern, en_pattern = message.patterns
    return {"zh": zh_pattern % _arguments(zh, zh_order),
            "en": en_pattern % _arguments(en, en_order)}


def _arguments(texts: list[str], order: tuple[int, ...] | None) -> tuple[str, ...]:
    """The placeholders' texts in the order a pattern's ``%s`` take them."""
    return tuple(texts) if order is None else tuple([texts[i] for i in order])


_BROKEN = object()  # a placeholder whose expression failed
# Values shown the same in both languages (a missing value or a list is not).
_SAME_IN_BOTH = frozenset({str, int, float, bool, date})


def _show(value: object, lang: str) -> str:
    return "?" if value is _BROKEN else display(value, lang)


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
    if decision is _PASS or decision is _FAIL:
        plain = rule.messages.get(decision.outcome)
        if plain is not None:
            return _render(plain, env)
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
    text = _render(template, env)
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
    zh: list[str] = []
    en: list[str] = []
    for item in items:
        if item.outcome is outcome:
            message = item.message
            zh.append(message["zh"])
            en.append(message["en"])
    if len(zh) == 1:
        return {"zh": zh[0], "en": en[0]}
    return {"zh": " ".join(dict.fromkeys(zh)), "en": " ".join(dict.fromkeys(en))}


def _trace(env: Env) -> list[dict[str, Any]]:
    events: list[TraceEvent] = env.trace or []
    return [{"expression": e.expression, "offset": e.offset,
             "value": sorted(e.value.paths) if isinstance(e.value, Missing) else to_json(e.value),
             "missing": isinstance(e.value, Missing)} for e in events]
