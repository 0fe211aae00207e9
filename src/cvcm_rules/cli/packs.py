"""``cvcm-rules packs``: list, lint, document and test rule packs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cvcm_rules.cli._common import EXIT_BLOCKING, EXIT_INPUT, EXIT_OK, UsageError, write_output
from cvcm_rules.errors import InputError

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``packs`` sub-command and its own sub-commands."""
    packs = commands.add_parser("packs", help="list, lint and test rule packs")
    packs.add_argument("--rules-dir", help="folder holding the packs (default: ./rules)")
    packs_commands = packs.add_subparsers(dest="packs_command", required=True)
    packs_commands.add_parser("list", help="list the available packs")
    lint = packs_commands.add_parser("lint", help="load and check packs, report every problem")
    lint.add_argument("pack", nargs="*")
    doc = packs_commands.add_parser("doc", help="print a pack's rule list as Markdown")
    doc.add_argument("pack_id")
    doc.add_argument("--output", help="write to this file (all or nothing)")
    test = packs_commands.add_parser("test", help="run a pack's fixture cases")
    test.add_argument("pack_id")
    test.add_argument("--coverage", action="store_true",
                      help="print rule and clause coverage; fail unless every rule is covered")
    test.add_argument("--cases", help="case folder (default: fixtures/cases/<pack>)")
    packs.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from cvcm_rules.packs import available_packs, load_pack

    rules_dir = Path(args.rules_dir) if args.rules_dir else None
    if args.packs_command == "list":
        for folder in available_packs(rules_dir):
            pack = load_pack(folder)
            print(f"{pack.id}\t{pack.version}\t{len(pack.rules)} rules\t{pack.manifest.title.en}")
        return EXIT_OK
    if args.packs_command == "doc":
        from cvcm_rules.report.packdoc import render_pack_doc

        write_output(args.output, render_pack_doc(load_pack(args.pack_id, rules_dir)))
        return EXIT_OK
    if args.packs_command == "lint":
        names = args.pack or [p.name for p in available_packs(rules_dir)]
        failed = False
        for name in names:
            try:
                pack = load_pack(name, rules_dir)
            except InputError as err:
                print(err, file=sys.stderr)
                failed = True
                continue
            print(f"{pack.id}@{pack.version}: {len(pack.rules)} rules, no problems")
        return EXIT_INPUT if failed else EXIT_OK
    return _run_test(args, rules_dir)


def _run_test(args: argparse.Namespace, rules_dir: Path | None) -> int:
    from cvcm_rules.casetest import coverage, load_cases, run_cases
    from cvcm_rules.packs import load_pack

    pack = load_pack(args.pack_id, rules_dir)
    # Cases are kept per pack folder, so each version of a pack (ccer, ccer-2012) has its own.
    folder = Path(args.cases) if args.cases else pack.path.parent.parent / "fixtures" / "cases" / \
        pack.path.name
    if not folder.is_dir():
        raise UsageError(f"no case folder {folder} for pack {pack.id!r}")
    results = run_cases([pack], load_cases(folder))
    failures = [r for r in results if not r.passed]
    for result in failures:
        case = result.case
        got = result.problem or f"got {result.actual.value if result.actual else '?'}"
        print(f"{case.file}:{case.line}: FAILED {case.rule} '{case.name}': expected "
              f"{case.expect.value}, {got}")
    print(f"{len(results) - len(failures)} passed, {len(failures)} failed")
    ok = not failures
    if args.coverage:
        report = coverage(pack, results)
        print(f"rule coverage: {report.percent:.1f}% of {len(report.rules)} active rules")
        for rule_id, lacking in sorted(report.uncovered.items()):
            print(f"  {rule_id}: no passing case showing {', '.join(lacking)}")
        print("clause coverage:")
        for document, articles in report.clauses.items():
            print(f"  {document}: {', '.join(articles)}")
        ok = ok and report.complete
    return EXIT_OK if ok else EXIT_BLOCKING
