"""``cvcm-rules check``: evaluate dossiers against rule packs and render the report."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvcm_rules.cli._common import EXIT_BLOCKING, EXIT_OK, parse_date, write_output

if TYPE_CHECKING:
    from datetime import date

    from cvcm_rules.engine import Report
    from cvcm_rules.packs.versions import Selection

__all__ = ["register", "with_selections"]


def register(commands: Any) -> None:
    """Add the ``check`` sub-command."""
    from cvcm_rules.report.formats import FORMATS

    check = commands.add_parser("check", help="evaluate dossiers against rule packs")
    check.add_argument("dossier", nargs="+", help="dossier files (.yaml, .yml or .json)")
    check.add_argument("--pack", action="append", help="pack id or folder (repeatable)")
    check.add_argument("--as-of", required=True, help="assessment date, YYYY-MM-DD")
    check.add_argument("--format", choices=sorted(FORMATS), default="text")
    check.add_argument("--lang", choices=["zh", "en"], default="en")
    check.add_argument("--output", help="write the report to this file (all or nothing)")
    check.add_argument("--trace", action="store_true", help="record sub-expression values")
    check.add_argument("--rules-dir", help="folder holding the packs (default: ./rules)")
    check.add_argument("--decisions", action="append", default=[], metavar="FILE",
                       help="reviewer decisions (YAML) to show beside the findings; default: "
                            "DOSSIER.decisions.yaml beside each dossier, when present")
    check.add_argument("--no-decisions", action="store_true",
                       help="do not pick up decision files beside the dossiers")
    check.add_argument("--registry", metavar="DB",
                       help="also run the cross-dossier checks against this registry (read-only)")
    check.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from cvcm_rules.engine import evaluate
    from cvcm_rules.model import load_dossier
    from cvcm_rules.packs.versions import load_for_date
    from cvcm_rules.report.formats import FORMATS, RenderOptions

    as_of = parse_date(args.as_of, "--as-of")
    rules_dir = Path(args.rules_dir) if args.rules_dir else None
    dossiers = [load_dossier(path) for path in args.dossier]
    pack_ids = args.pack or sorted({d.programme.lower() for d in dossiers})
    # A pack id with several versions (ccer: 2012 and 2023 rules) picks the one in force on
    # --as-of, and each report's ``packs`` entry says which and why.
    loaded = [load_for_date(pack_id, as_of, rules_dir) for pack_id in pack_ids]
    packs = [pack for pack, _ in loaded]
    reports = [with_selections(evaluate(d, packs, as_of=as_of, trace=args.trace),
                               [selection for _, selection in loaded]) for d in dossiers]
    if args.registry:
        reports = _with_registry(args.registry, reports, dossiers)
    reports = _with_decisions(args, reports, as_of)
    colour = args.output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    options = RenderOptions(lang=args.lang, colour=colour, dossiers=tuple(dossiers),
                            sources=tuple(args.dossier))
    write_output(args.output, FORMATS[args.format](reports, options))
    return EXIT_BLOCKING if any(r.has_blocking_failure for r in reports) else EXIT_OK


def _with_registry(db: str, reports: list[Report], dossiers: Sequence[Any]) -> list[Report]:
    """Each report with the cross-dossier findings against the registry ``db`` (read-only)."""
    from cvcm_rules.registry import Registry

    with Registry.open(db, readonly=True) as registry:
        return [registry.extend_report(report, dossier)
                for report, dossier in zip(reports, dossiers, strict=True)]


def _with_decisions(args: argparse.Namespace, reports: list[Report], as_of: date) -> list[Report]:
    """Reviewer decisions beside the findings: from --decisions, or picked up by the dossier."""
    from cvcm_rules.decisions import apply_decisions, choose_decisions

    chosen = choose_decisions(args.dossier, [r.dossier["id"] for r in reports], args.decisions,
                              pick_up=not args.no_decisions)
    for decisions, picked_up in filter(None, chosen):
        if picked_up:
            print(f"cvcm-rules: decisions: {decisions.source} (found beside the dossier)",
                  file=sys.stderr)
    return [report if entry is None else apply_decisions(report, entry[0], as_of)
            for report, entry in zip(reports, chosen, strict=True)]


def with_selections(report: Report, selections: Sequence[Selection | None]) -> Report:
    """The report with each chosen pack version's reason added to its ``packs`` entry."""
    entries = [entry if selection is None else selection.annotate(entry)
               for entry, selection in zip(report.packs, selections, strict=True)]
    return dataclasses.replace(report, packs=entries)
