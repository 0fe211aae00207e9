"""``cvcm-rules gap``: what a dossier meeting one standard still lacks for another (CCER -> CCP).

The dossier is evaluated under both packs as of ``--as-of`` (one report), and the crosswalk
beside the packs (``rules/crosswalk.yaml``) places each open finding of the target pack next to
the source pack's rules on the same criterion. Exit codes follow ``check``: 1 when a blocking
rule of either pack fails, 0 otherwise, 2 for bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cvcm_rules.cli._common import EXIT_BLOCKING, EXIT_OK, UsageError, parse_date, write_output

__all__ = ["register"]

_FORMATS = ("json", "markdown", "text")


def register(commands: Any) -> None:
    """Add the ``gap`` sub-command."""
    gap = commands.add_parser(
        "gap", help="what a dossier meeting one standard lacks for another (default CCER -> CCP)")
    gap.add_argument("dossier", help="dossier file (.yaml, .yml or .json)")
    gap.add_argument("--as-of", required=True, help="assessment date, YYYY-MM-DD")
    gap.add_argument("--from", dest="from_pack", default="ccer", help="source pack (default ccer)")
    gap.add_argument("--to", dest="to_pack", default="icvcm_ccp",
                     help="target pack (default icvcm_ccp)")
    gap.add_argument("--format", choices=_FORMATS, default="text")
    gap.add_argument("--lang", choices=["zh", "en"], default="en")
    gap.add_argument("--output", help="write the view to this file (all or nothing)")
    gap.add_argument("--rules-dir", help="folder holding the packs and crosswalk.yaml")
    gap.add_argument("--crosswalk", help="crosswalk file (default: crosswalk.yaml in the rules "
                     "folder)")
    gap.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from cvcm_rules.crosswalk import check_rules, default_crosswalk_path, load_crosswalk
    from cvcm_rules.engine import evaluate
    from cvcm_rules.gap import gaps
    from cvcm_rules.model import load_dossier
    from cvcm_rules.packs import load_pack
    from cvcm_rules.report.gapview import render_gap_json, render_gap_markdown, render_gap_text

    as_of = parse_date(args.as_of, "--as-of")
    rules_dir = Path(args.rules_dir) if args.rules_dir else None
    crosswalk = load_crosswalk(Path(args.crosswalk) if args.crosswalk
                               else default_crosswalk_path(rules_dir))
    if crosswalk.pair(args.from_pack, args.to_pack) is None:
        declared = ", ".join(f"--from {p.from_} --to {p.to}" for p in crosswalk.spec.pairs)
        raise UsageError(f"--from {args.from_pack} --to {args.to_pack}: not a pair of the "
                         f"crosswalk {crosswalk.file} (declared: {declared})")
    dossier = load_dossier(args.dossier)
    packs = [load_pack(args.from_pack, rules_dir), load_pack(args.to_pack, rules_dir)]
    check_rules(crosswalk, packs)
    report = evaluate(dossier, packs, as_of=as_of)
    view = gaps(report, args.from_pack, args.to_pack, crosswalk)
    if args.format == "json":
        text = render_gap_json(view)
    elif args.format == "markdown":
        text = render_gap_markdown(view, lang=args.lang)
    else:
        text = render_gap_text(view, lang=args.lang)
    write_output(args.output, text)
    return EXIT_BLOCKING if report.has_blocking_failure else EXIT_OK
