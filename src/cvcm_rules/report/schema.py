"""JSON Schema of the canonical report, for the tools that consume it (``schema report``)."""

from __future__ import annotations

from typing import Any

__all__ = ["REPORT_SCHEMA"]

_OUTCOMES = ["pass", "fail", "warn", "not_applicable", "indeterminate", "needs_review", "error"]
_TEXT: dict[str, Any] = {
    "type": "object", "required": ["zh", "en"],
    "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
}
_EVIDENCE: dict[str, Any] = {
    "type": "array",
    "items": {"type": "object", "required": ["path", "value"],
              "properties": {"path": {"type": "string"}, "value": {},
                             "missing": {"type": "boolean"}}},
}
_ITEM: dict[str, Any] = {
    "type": "object",
    "required": ["key", "path", "outcome", "message", "evidence", "derived", "missing",
                 "fingerprint"],
    "properties": {
        "key": {"type": "string"}, "path": {"type": "string"},
        "outcome": {"enum": _OUTCOMES}, "message": _TEXT, "evidence": _EVIDENCE,
        "derived": {"type": "object"}, "missing": {"type": "array", "items": {"type": "string"}},
        "reason": {"type": ["string", "null"]}, "fingerprint": {"type": "string"},
        "trace": {"type": "array"},
    },
}
_DATE: dict[str, Any] = {"type": "string", "format": "date"}
_DECIDED: dict[str, Any] = {  # one reviewer decision (cvcm_rules.decisions)
    "type": "object",
    "required": ["fingerprint", "rule_id", "status", "by", "date", "justification", "expires",
                 "reference", "state", "source"],
    "properties": {
        "fingerprint": {"type": "string"}, "rule_id": {"type": "string"},
        "status": {"enum": ["accepted", "car", "cl", "closed"]}, "by": {"type": "string"},
        "date": _DATE, "justification": {"type": "string"},
        "expires": {"anyOf": [_DATE, {"type": "null"}]},
        "reference": {"type": ["string", "null"]},
        "state": {"enum": ["in_force", "expired", "future"]}, "source": {"type": "string"},
        "key": {"type": "string"},
    },
}
# The decision on the whole finding (its fields at the top) and/or on some of its items.
_DECISION: dict[str, Any] = {
    "type": "object",
    "properties": {**_DECIDED["properties"],
                   "items": {"type": "array", "items": {**_DECIDED,
                                                        "required": [*_DECIDED["required"],
                                                                     "key"]}}},
    "anyOf": [{"required": _DECIDED["required"]}, {"required": ["items"]}],
}
_DECISIONS_SUMMARY: dict[str, Any] = {
    "type": "object",
    "required": ["file", "sha256", "applied", "in_force", "expired", "future", "stale"],
    "properties": {"stale": {"type": "array", "items": {
        "type": "object", "required": ["fingerprint", "rule_id", "status", "line"]}}},
}
_FINDING: dict[str, Any] = {
    "type": "object",
    "required": ["rule_id", "rule_version", "pack", "category", "severity", "outcome", "title",
                 "message", "citation", "evidence", "parameters", "derived", "missing",
                 "fingerprint", "items"],
    "properties": {
        "rule_id": {"type": "string", "pattern": r"^[A-Z][A-Z0-9]*(\.[A-Z][A-Z0-9]*)+\.\d{3}$"},
        "rule_version": {"type": "integer", "minimum": 1},
        "pack": {"type": "string", "pattern": "^[a-z][a-z0-9_]*@.+$"},
        "category": {"type": "string"},
        "severity": {"enum": ["blocking", "major", "minor", "info"]},
        "outcome": {"enum": _OUTCOMES},
        "title": _TEXT, "message": _TEXT,
        "citation": {
            "type": "object", "required": ["document", "article", "quote", "confidence"],
            "properties": {"document": {"type": "string"}, "article": {"type": "string"},
                           "clause": {"type": ["string", "null"]}, "quote": {"type": "object"},
                           "url": {"type": ["string", "null"]},
                           "ledger": {"type": ["string", "null"]},
                           "confidence": {"enum": ["C", "S", "U"]}},
        },
        "evidence": _EVIDENCE,
        "parameters": {"type": "array", "items": {
            "type": "object", "required": ["name", "value", "unit", "effective_from"],
            "properties": {"note": {"type": "string"}}}},
        "derived": {"type": "object"},
        "missing": {"type": "array", "items": {"type": "string"}},
        "reason": {"type": ["string", "null"]},
        "fingerprint": {"type": "string"},
        "items": {"type": "array", "items": _ITEM},
        "trace": {"type": "array"},
        "decision": _DECISION,
    },
}
_TREATMENT: dict[str, Any] = {"enum": ["exclude", "zero", "half", "full"]}
_CATEGORY_SCORE: dict[str, Any] = {
    "type": "object",
    "required": ["category", "findings", "counts", "earned", "possible", "excluded", "raw_value",
                 "value", "blocking_failures", "capped", "cap"],
    "properties": {
        "category": {"type": "string"}, "findings": {"type": "integer", "minimum": 0},
        "counts": {"type": "object", "required": _OUTCOMES,
                   "additionalProperties": {"type": "integer", "minimum": 0}},
        "earned": {"type": "number", "minimum": 0}, "possible": {"type": "number", "minimum": 0},
        "excluded": {"type": "integer", "minimum": 0},
        "raw_value": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
        "value": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
        "blocking_failures": {"type": "integer", "minimum": 0}, "capped": {"type": "boolean"},
        "cap": {"type": ["number", "null"]},
    },
}
_SCORECARD: dict[str, Any] = {
    "type": "object",
    "properties": {"packs": {"type": "array", "items": {
        "type": "object", "required": ["pack", "treatment", "categories"],
        "properties": {
            "pack": {"type": "string"},
            "treatment": {"type": "object", "required": [*_OUTCOMES, "weights", "blocking_cap"],
                          "properties": {**{o: _TREATMENT for o in _OUTCOMES},
                                         "weights": {"type": "object"},
                                         "blocking_cap": {"type": "number"}}},
            "categories": {"type": "array", "items": _CATEGORY_SCORE},
        },
    }}},
}
REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "cvcm-rules report",
    "type": "object",
    "required": ["dossier", "as_of", "engine_version", "packs", "calendar", "findings", "summary",
                 "score"],
    "properties": {
        "dossier": {"type": "object", "required": ["id", "sha256"]},
        "as_of": {"type": "string", "format": "date"},
        "engine_version": {"type": "string"},
        "packs": {"type": "array", "items": {"type": "object",
                                             "required": ["id", "version", "sha256"]}},
        "calendar": {"type": "object",
                     "required": ["source", "holidays_version", "official_through",
                                  "provisional_years"]},
        "findings": {"type": "array", "items": _FINDING},
        "summary": {"type": "object", "required": ["by_outcome", "by_category",
                                                   "blocking_failures", "total"],
                    "properties": {"decisions": _DECISIONS_SUMMARY}},
        "score": {"type": "object", "required": ["value", "method"]},
        "scorecard": _SCORECARD,
    },
}
