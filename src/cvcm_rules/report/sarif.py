"""SARIF 2.1.0: the findings as static-analysis results, for SARIF viewers and CI dashboards.

One run per dossier. Each rule is a ``reportingDescriptor`` with its own id (never a generic
one); each source document the rules cite is a taxonomy whose taxa are the cited clauses, and
each rule points at its clause through ``relationships``. Only findings a reader must act on
become results: ``fail`` and ``warn`` (kind ``fail``, level from the rule's severity),
``needs_review`` (kind ``review``), ``indeterminate`` and ``error`` (kind ``open``). SARIF
requires level ``none`` for any kind other than ``fail`` (§3.27.10), so those carry the rule's
level in ``defaultConfiguration`` only. A rule over a list (batches) gives one result per item
that needs action, each with its own fingerprint.

A result is located in the dossier by its field path (a logical location whose
``fullyQualifiedName`` is e.g. ``batches[1].verification``) and, when the dossier file is known,
by the file and the line of that field. A decision recorded as ``accepted`` and in force becomes
an external suppression with its justification; the result stays in the log, as SARIF intends.
Output is canonical JSON: the same reports give the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cvcm_rules.engine.findings import Finding, Outcome, Report
from cvcm_rules.report.json import canonical_json

__all__ = ["SARIF_SCHEMA_URI", "DossierSource", "dossier_source", "render_sarif"]

SARIF_SCHEMA_URI = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                    "sarif-schema-2.1.0.json")
FINGERPRINT_KEY = "cvcmFingerprint/v1"

_ACT_ON = (Outcome.FAIL, Outcome.WARN, Outcome.NEEDS_REVIEW, Outcome.INDETERMINATE, Outcome.ERROR)
_KIND = {Outcome.FAIL: "fail", Outcome.WARN: "fail", Outcome.NEEDS_REVIEW: "review",
         Outcome.INDETERMINATE: "open", Outcome.ERROR: "open"}
_SEVERITY_LEVEL = {"blocking": "error", "major": "error", "minor": "warning", "info": "note"}


@dataclass(frozen=True, slots=True)
class DossierSource:
    """Where a report's dossier lives: its URI and, when known, the line of each field path."""

    uri: str
    lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, path: str) -> int | None:
        """The line of ``path`` or of its nearest enclosing field that the file holds."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None


def dossier_source(path: str | Path) -> DossierSource:
    """Describe a dossier file for SARIF: a relative URI as given, and its field lines.

    Lines come from the YAML (or JSON) text; a file that cannot be read or parsed still gets
    its URI, without lines, since the report itself was already produced from it.
    """
    from cvcm_rules.model.load import loc_to_path
    from cvcm_rules.yamlsafe import YamlSyntaxError, load_yaml

    file = Path(path)
    uri = file.resolve().as_uri() if file.is_absolute() else quote(file.as_posix(), safe="/")
    try:
        _, positions = load_yaml(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YamlSyntaxError):
        return DossierSource(uri)
    lines = {loc_to_path(loc): where[0] for loc, where in positions.items()
             if loc and "<key>" not in loc}
    return DossierSource(uri, lines)


def render_sarif(reports: Sequence[Report], *, lang: str = "en",
                 sources: Sequence[DossierSource | None] = ()) -> str:
    """A SARIF 2.1.0 log with one run per report.

    Args:
        reports: the reports of one ``check`` invocation.
        lang: the language of result messages (``zh`` or ``en``); both stay in properties.
        sources: the dossier file of each report, in the same order, when known.
    """
    runs = [_run(report, lang, sources[i] if i < len(sources) else None)
            for i, report in enumerate(reports)]
    return canonical_json({"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": runs})


# -- run ----------------------------------------------------------------------------------------

def _run(report: Report, lang: str, source: DossierSource | None) -> dict[str, Any]:
    findings = sorted(report.findings, key=lambda f: f.rule_id)
    taxonomies = _Taxonomies(findings)
    rule_index = {finding.rule_id: i for i, finding in enumerate(findings)}
    results = [result for finding in findings
               for result in _results(finding, rule_index[finding.rule_id], taxonomies, lang,
                                      source)]
    driver: dict[str, Any] = {
        "name": "cvcm-rules", "version": report.engine_version,
        "rules": [_descriptor(finding, taxonomies) for finding in findings],
        "supportedTaxonomies": [{"name": t["name"], "index": i}
                                for i, t in enumerate(taxonomies.components)],
    }
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "taxonomies": taxonomies.components,
        "automationDetails": {"id": f"cvcm-rules/{report.dossier['id']}/"},
        "invocations": [_invocation(findings, rule_index)],
        "language": lang,
        "results": results,
        "properties": {"dossier": report.dossier, "as_of": report.as_of, "packs": report.packs,
                       "calendar": report.calendar, "summary": report.summary,
                       "score": report.score},
    }
    if source is not None:
        run["artifacts"] = [{"location": {"uri": source.uri}, "roles": ["analysisTarget"],
                             "properties": {"dossier_id": report.dossier["id"]}}]
    return run


def _invocation(findings: list[Finding], rule_index: dict[str, int]) -> dict[str, Any]:
    """Rules that broke are tool problems too: a notification each, besides their result."""
    notes = [{"level": "error", "message": {"text": finding.message["en"]},
              "associatedRule": {"id": finding.rule_id, "index": rule_index[finding.rule_id]}}
             for finding in findings if finding.outcome is Outcome.ERROR]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation


class _Taxonomies:
    """One taxonomy per cited document; its taxa are the cited articles and clauses."""

    def __init__(self, findings: list[Finding]) -> None:
        taxa: dict[str, dict[str, dict[str, Any]]] = {}
        for finding in findings:
            document, taxon = _clause(finding.citation)
            taxa.setdefault(document, {}).setdefault(taxon, {
                "id": taxon, "name": taxon,
                "shortDescription": {"text": f"{document} {taxon}"},
            })
        self.index = {document: i for i, document in enumerate(sorted(taxa))}
        self.components: list[dict[str, Any]] = [
            {"name": document, "isComprehensive": False,
             "shortDescription": {"text": f"Clauses of {document} cited by the rules"},
             "taxa": [taxa[document][t] for t in sorted(taxa[document])]}
            for document in sorted(taxa)
        ]

    def reference(self, citation: dict[str, Any]) -> dict[str, Any]:
        document, taxon = _clause(citation)
        return {"id": taxon, "toolComponent": {"name": document, "index": self.index[document]}}


def _clause(citation: dict[str, Any]) -> tuple[str, str]:
    clause = citation.get("clause")
    return citation["document"], f"{citation['article']} {clause}" if clause else \
        citation["article"]


# -- rules --------------------------------------------------------------------------------------

def _descriptor(finding: Finding, taxonomies: _Taxonomies) -> dict[str, Any]:
    citation = finding.citation
    quote_text = citation["quote"].get("zh") or citation["quote"].get("en", "")
    document, taxon = _clause(citation)
    cited = f"{document} {taxon}: “{quote_text}”"
    return {
        "id": finding.rule_id,
        "name": _pascal(finding.title["en"]),
        "shortDescription": {"text": finding.title["en"]},
        "fullDescription": {"text": f"{finding.title['en']} ({finding.title['zh']}). {cited}"},
        "help": {"text": cited,
                 "markdown": f"**{finding.title['en']}** ({finding.title['zh']})\n\n"
                             f"{document} {taxon}: “{quote_text}”"},
        "defaultConfiguration": {"level": _SEVERITY_LEVEL[finding.severity]},
        "relationships": [{"target": taxonomies.reference(citation), "kinds": ["relevant"]}],
        "properties": {
            "category": finding.category, "severity": finding.severity, "pack": finding.pack,
            "rule_version": finding.rule_version, "title_zh": finding.title["zh"],
            "citation": citation,
            "tags": [finding.category, finding.severity, finding.pack.split("@")[0]],
        },
    }


def _pascal(title: str) -> str:
    """A readable rule name (SARIF ``name``) made from the rule's English title.

    Example:
        >>> _pascal("Each batch's report was posted for 20 working days")
        'EachBatchsReportWasPostedFor20WorkingDays'
    """
    words = re.findall(r"[A-Za-z0-9]+", title.replace("'", ""))
    return "".join(word[:1].upper() + word[1:] for word in words) or "Rule"


# -- results ------------------------------------------------------------------------------------

def _results(finding: Finding, rule_index: int, taxonomies: _Taxonomies, lang: str,
             source: DossierSource | None) -> list[dict[str, Any]]:
    decision = finding.decision or {}
    items = {item.get("key"): item for item in decision.get("items", [])}
    whole = decision if "status" in decision else None
    if finding.items:
        return [_result(finding, rule_index, taxonomies, lang, source,
                        _Subject(item.outcome, item.fingerprint, item.message, item.path,
                                 item.evidence, item.missing, item.reason, item.key),
                        items.get(item.key, whole))
                for item in finding.items if item.outcome in _ACT_ON]
    if finding.outcome not in _ACT_ON:
        return []
    subject = _Subject(finding.outcome, finding.fingerprint, finding.message,
                       _primary_path(finding), finding.evidence, finding.missing,
                       finding.reason, None)
    return [_result(finding, rule_index, taxonomies, lang, source, subject, whole)]


@dataclass(frozen=True, slots=True)
class _Subject:
    """What one result is about: the finding itself, or one item of it."""

    outcome: Outcome
    fingerprint: str
    message: dict[str, str]
    path: str
    evidence: list[dict[str, Any]]
    missing: list[str]
    reason: str | None
    key: str | None


def _primary_path(finding: Finding) -> str:
    if finding.missing:
        return finding.missing[0]
    return finding.evidence[0]["path"] if finding.evidence else ""


def _result(finding: Finding, rule_index: int, taxonomies: _Taxonomies, lang: str,
            source: DossierSource | None, subject: _Subject,
            decision: dict[str, Any] | None) -> dict[str, Any]:
    kind = _KIND[subject.outcome]
    level = "none"
    if kind == "fail":
        level = "warning" if subject.outcome is Outcome.WARN else \
            _SEVERITY_LEVEL[finding.severity]
    result: dict[str, Any] = {
        "ruleId": finding.rule_id, "ruleIndex": rule_index, "kind": kind, "level": level,
        "message": {"text": subject.message[lang]},
        "fingerprints": {FINGERPRINT_KEY: subject.fingerprint},
        "partialFingerprints": {FINGERPRINT_KEY: subject.fingerprint},
        "taxa": [taxonomies.reference(finding.citation)],
        "properties": _properties(finding, subject, decision),
    }
    location = _location(subject.path, source)
    if location:
        result["locations"] = [location]
    related = _related(subject, source)
    if related:
        result["relatedLocations"] = related
    if decision is not None and decision["status"] == "accepted" and \
            decision["state"] == "in_force":
        result["suppressions"] = [{
            "kind": "external", "status": "accepted",
            "justification": decision["justification"],
            "properties": {key: decision[key] for key in
                           ("by", "date", "expires", "reference", "source") if decision[key]},
        }]
    return result


def _properties(finding: Finding, subject: _Subject,
                decision: dict[str, Any] | None) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "outcome": subject.outcome.value, "severity": finding.severity,
        "category": finding.category, "pack": finding.pack, "message": subject.message,
        "evidence": subject.evidence, "missing": subject.missing, "reason": subject.reason,
    }
    if subject.key is not None:
        properties["item"] = subject.key
    if decision is not None:
        properties["decision"] = decision
    return properties


def _location(path: str, source: DossierSource | None) -> dict[str, Any]:
    location: dict[str, Any] = {}
    if path:
        location["logicalLocations"] = [_logical(path)]
    if source is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": source.uri, "index": 0}}
        line = source.line_of(path)
        if line is not None:
            physical["region"] = {"startLine": line}
        location["physicalLocation"] = physical
    return location


def _logical(path: str) -> dict[str, Any]:
    name = path.rsplit(".", 1)[-1]
    kind = "element" if path.endswith("]") else "property"
    return {"name": name, "fullyQualifiedName": path, "kind": kind}


def _related(subject: _Subject, source: DossierSource | None) -> list[dict[str, Any]]:
    paths = sorted({e["path"] for e in subject.evidence} | set(subject.missing))
    related = []
    for number, path in enumerate(paths, start=1):
        location = _location(path, source)
        location["id"] = number
        related.append(location)
    return related
