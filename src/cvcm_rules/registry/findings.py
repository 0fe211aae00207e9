"""Turn conflicts into findings (one per check per dossier) and into full-scan entries.

A dossier's finding for a check follows the engine's contract: one finding per rule, one item
per conflict naming the other record, its outcome the worst of its items; ``pass`` when the check
applied and found nothing, ``not_applicable`` when the dossier has nothing it could compare.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import Any

from cvcm_rules.engine.findings import Finding, ItemResult, Outcome, Report, worst
from cvcm_rules.engine.scoring import score, summarise
from cvcm_rules.registry.data import Conflict, RegistryData
from cvcm_rules.registry.rules import Check, CheckSet

__all__ = ["conflict_entry", "dossier_findings", "with_registry_findings"]

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _show(value: Any) -> str:
    """A value as a message shows it: no ``.0`` on whole tonnes, a dash for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.6g}"
    return str(value)


def _values(conflict: Conflict) -> dict[str, Any]:
    values = {f"this_{k}": v for k, v in conflict.a_side.items()}
    values.update({f"other_{k}": v for k, v in conflict.b_side.items()})
    values.update(conflict.shared)
    return values


def _render(template: str, values: dict[str, Any]) -> str:
    return _PLACEHOLDER.sub(lambda m: _show(values.get(m.group(1))), template)


def _message(check: Check, conflict: Conflict) -> dict[str, str]:
    text = check.spec.variants[conflict.variant].message
    values = _values(conflict)
    return {"zh": _render(text.zh, values), "en": _render(text.en, values)}


def _evidence(conflict: Conflict) -> list[dict[str, Any]]:
    evidence = [{"path": f"this.{k}", "value": v} for k, v in sorted(conflict.a_side.items())]
    evidence += [{"path": f"other.{k}", "value": v} for k, v in sorted(conflict.b_side.items())]
    evidence += [{"path": k, "value": v} for k, v in sorted(conflict.shared.items())]
    return evidence


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


def _citation(check: Check) -> dict[str, Any]:
    citation = check.spec.citation
    return {
        "document": citation.document, "article": citation.article, "clause": citation.clause,
        "quote": citation.quote.model_dump(exclude_none=True), "url": citation.url,
        "ledger": citation.ledger, "confidence": citation.confidence,
    }


def _parameters(check: Check, checks: CheckSet) -> list[dict[str, Any]]:
    return [{"name": name, "value": p.value, "unit": p.unit,
             "effective_from": checks.effective_from.isoformat()}
            for name, p in sorted(check.spec.parameters.items())]


def _applies(detector: str, probe: RegistryData) -> bool:
    if detector in ("identifier", "name_location"):
        return True
    if detector in ("serial_overlap", "double_use"):
        kind = "issuance" if detector == "serial_overlap" else "retirement"
        return any(True for _ in probe.sorted_blocks(kind)) or \
            any(b.kind == kind for b in probe.unparsed)
    if detector == "issued_above_verified":
        return any(p.verified is not None and (p.issued is not None or p.serial_count)
                   for p in probe.periods)
    if detector == "period_overlap":
        return bool(probe.periods)
    return bool(probe.shapes)


def dossier_findings(dossier_id: str, probe: RegistryData, conflicts: list[Conflict],
                     checks: CheckSet, records: int) -> list[Finding]:
    """One finding per check for the dossier (record ``probe``'s only record)."""
    (probe_id,) = probe.records
    owner = checks.by_variant()
    per_check: dict[str, list[Conflict]] = {c.id: [] for c in checks.checks}
    for conflict in conflicts:
        per_check[owner[conflict.detector, conflict.variant].id].append(
            conflict.oriented(probe_id))
    pack = f"{checks.id}@{checks.version}"
    findings = []
    for check in checks.checks:
        items = [_item(check, c, pack, dossier_id) for c in per_check[check.id]]
        findings.append(_finding(check, checks, items, dossier_id, records,
                                 applies=_applies(check.spec.detector, probe)))
    return findings


def _item(check: Check, conflict: Conflict, pack: str, dossier_id: str) -> ItemResult:
    path = str(conflict.a_side.get("path", ""))
    other = conflict.b_side.get("record")
    key = f"{path} × {other}" if other else f"{path} ({conflict.variant})"
    outcome = Outcome(check.spec.variants[conflict.variant].outcome)
    return ItemResult(key=key, path=path, outcome=outcome, message=_message(check, conflict),
                      evidence=_evidence(conflict), derived={}, missing=[],
                      reason=conflict.variant,
                      fingerprint=_fingerprint(pack, check.id, dossier_id, key))


def _finding(check: Check, checks: CheckSet, items: list[ItemResult], dossier_id: str,
             records: int, *, applies: bool) -> Finding:
    spec = check.spec
    pack = f"{checks.id}@{checks.version}"
    if items:
        outcome = worst([i.outcome for i in items])
        message = {lang: " ".join(i.message[lang] for i in items if i.outcome is outcome)
                   for lang in ("zh", "en")}
        reason = None
    elif applies:
        outcome, reason = Outcome.PASS, None
        values = {"records": records}
        message = {"zh": _render(spec.pass_.zh, values), "en": _render(spec.pass_.en, values)}
    else:
        outcome, reason = Outcome.NOT_APPLICABLE, "no-items"
        message = {"zh": spec.not_applicable.zh, "en": spec.not_applicable.en}
    return Finding(
        rule_id=spec.id, rule_version=spec.version, pack=pack, category=spec.category,
        severity=spec.severity, outcome=outcome, title={"zh": spec.title.zh, "en": spec.title.en},
        message=message, citation=_citation(check),
        evidence=[] if items else [{"path": "registry.records_compared", "value": records}],
        parameters=_parameters(check, checks), derived={}, missing=[], reason=reason,
        fingerprint=_fingerprint(pack, spec.id, dossier_id), items=items)


def with_registry_findings(report: Report, findings: list[Finding], checks: CheckSet) -> Report:
    """The report with the registry findings appended and its summary and score recomputed."""
    combined = [*report.findings, *findings]
    packs = [*report.packs, {"id": checks.id, "version": checks.version, "sha256": checks.sha256}]
    return dataclasses.replace(report, findings=combined, packs=packs,
                               summary=summarise(combined), score=score(combined))


def conflict_entry(conflict: Conflict, data: RegistryData, checks: CheckSet) -> dict[str, Any]:
    """One conflict of a full scan, JSON-ready: the check, both records, message, evidence."""
    check = checks.by_variant()[conflict.detector, conflict.variant]
    b = data.records[conflict.b].label if conflict.b is not None else None
    return {
        "rule_id": check.id, "rule_version": check.spec.version,
        "outcome": check.spec.variants[conflict.variant].outcome,
        "severity": check.spec.severity, "category": check.spec.category,
        "variant": conflict.variant, "record": data.records[conflict.a].label, "other": b,
        "message": _message(check, conflict), "citation": _citation(check),
        "evidence": {"this": conflict.a_side, "other": conflict.b_side,
                     "shared": conflict.shared},
    }
