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
            "type": "object", "required": ["name", "value", "unit", "effective_from"]}},
        "derived": {"type": "object"},
        "missing": {"type": "array", "items": {"type": "string"}},
        "reason": {"type": ["string", "null"]},
        "fingerprint": {"type": "string"},
        "items": {"type": "array", "items": _ITEM},
        "trace": {"type": "array"},
    },
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
                                                   "blocking_failures", "total"]},
        "score": {"type": "object", "required": ["value", "method"]},
    },
}
