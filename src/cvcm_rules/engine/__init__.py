"""Evaluate dossiers against rule packs and produce traceable findings."""

from cvcm_rules.engine.evaluate import dossier_digest, evaluate
from cvcm_rules.engine.findings import Finding, ItemResult, Outcome, Report, worst

__all__ = ["Finding", "ItemResult", "Outcome", "Report", "dossier_digest", "evaluate", "worst"]
