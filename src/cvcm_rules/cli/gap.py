"""``cvcm-rules gap``: what a dossier meeting one standard still lacks for another (CCER -> CCP).

The dossier is evaluated under both packs as of ``--as-of`` (one report), and the crosswalk
beside the packs (``rules/crosswalk.yaml``) places each open finding of the target pack next to
the source pack's rules on the same criterion. Exit codes follow ``check``: 1 when a blocking
rule of either pack fails, 0 otherwise, 2 for bad input.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvcm_rules.cli._common import EXIT_BLOCKING, EXIT_OK, UsageError, parse_date, write_output

if TYPE_CHECKING:
    from cvcm_rules.packs import Pack

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
    packs = [_pack_in_force(name, as_of, rules_dir) for name in (args.from_pack, args.to_pack)]
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


def _pack_in_force(name: str, as_of: date, rules_dir: Path | None) -> Pack:
    """The pack ``name`` as the crosswalk maps it, refusing a date when another version applied.

    The crosswalk names the rules of the pack folder an id loads by default (for ccer, the 2023
    rules). On a date when an earlier version was in force (ccer's 2012 interim measures), a gap
    view over the newer rules would call a dossier compliant with rules not yet in force.
    """
    from cvcm_rules.packs.loader import resolve_pack_dir
    from cvcm_rules.packs.versions import load_for_date

    pack, selection = load_for_date(name, as_of, rules_dir)
    if selection is None:
        return pack
    mapped = resolve_pack_dir(name, rules_dir).resolve()
    if selection.chosen.folder.resolve() == mapped:
        return pack
    newer = next(v.ref for v in selection.others if v.folder.resolve() == mapped)
    raise UsageError(
        f"--as-of {as_of}: {selection.reason} The crosswalk maps the rules of "
        f"{newer}, not of {pack.id}@{pack.version}, so there is no gap view "
        f"for this date; check the dossier against the rules then in force with "
        f"'cvcm-rules check --pack {name} --as-of {as_of}'.")
