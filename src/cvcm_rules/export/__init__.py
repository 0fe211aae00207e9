"""Exports of rule packs to other rule engines: today, durable_rules (the expressible subset).

:mod:`cvcm_rules.export.durable` writes the rulesets (plain data, no durable_rules needed);
:mod:`cvcm_rules.export.facts` turns a dossier into the fact they match;
:mod:`cvcm_rules.export.durable_run` runs them when durable_rules is installed.
"""

from cvcm_rules.export.durable import DurableExport, ExportedRule, export_pack
from cvcm_rules.export.facts import FactEncodingError, FactShape, dossier_fact

__all__ = [
    "DurableExport",
    "ExportedRule",
    "FactEncodingError",
    "FactShape",
    "dossier_fact",
    "export_pack",
]
