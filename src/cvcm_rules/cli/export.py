"""``cvcm-rules export durable``: write the durable_rules rulesets of the rules it can test."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvcm_rules.cli._common import EXIT_OK, parse_date, write_output

if TYPE_CHECKING:
    from cvcm_rules.export import DurableExport

__all__ = ["register", "summary"]


def register(commands: Any) -> None:
    """Add the ``export`` sub-command and its targets (today: ``durable``)."""
    export = commands.add_parser("export", help="export a rule pack to another rule engine")
    targets = export.add_subparsers(dest="target", required=True)
    durable = targets.add_parser(
        "durable", help="durable_rules rulesets (JSON) of the rules it can test; the others "
                        "are listed on stderr with the reason")
    durable.add_argument("pack", help="pack id or folder")
    durable.add_argument("--as-of", required=True,
                         help="date the parameters are resolved for, YYYY-MM-DD")
    durable.add_argument("--output", help="write the JSON to this file (all or nothing)")
    durable.add_argument("--rules-dir", help="folder holding the packs (default: ./rules)")
    durable.set_defaults(run=_run_durable)


def _run_durable(args: argparse.Namespace) -> int:
    from cvcm_rules.export import export_pack
    from cvcm_rules.packs.versions import load_for_date

    as_of = parse_date(args.as_of, "--as-of")
    rules_dir = Path(args.rules_dir) if args.rules_dir else None
    pack, _ = load_for_date(args.pack, as_of, rules_dir)
    export = export_pack(pack, as_of)
    write_output(args.output, export.to_json())
    sys.stderr.write(summary(export, len(pack.rules)))
    return EXIT_OK


def summary(export: DurableExport, total: int) -> str:
    """What was exported and what was not, with the reasons (for stderr)."""
    fail = sum(rule.fail is not None for rule in export.rules)
    warn = sum(rule.warn is not None for rule in export.rules)
    count = len(export.rulesets)
    lines = [f"{export.pack['id']}@{export.pack['version']} as of {export.as_of}: "
             f"{len(export.rules)} of {total} rules exported to durable_rules, in {count} "
             f"ruleset{'s' if count != 1 else ''} ({fail} fail and {warn} warn rules)"]
    partial = [rule for rule in export.rules if rule.warn_not_exported is not None]
    if partial:
        lines.append(f"warn_when not exported ({len(partial)}):")
        lines.extend(f"  {rule.id}: {rule.warn_not_exported}" for rule in partial)
    if export.not_exported:
        lines.append(f"not exported ({len(export.not_exported)}):")
        lines.extend(f"  {rule_id}: {reason}"
                     for rule_id, reason in sorted(export.not_exported.items()))
    return "\n".join(lines) + "\n"
