"""The ``cvcm-rules`` command line: the only module that prints or exits.

Exit codes: 0 no blocking failure, 1 a blocking failure was found, 2 bad input or usage (a clear
message on stderr naming the file and the place; never a traceback, never a partial output file).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from cvcm_rules import __version__
from cvcm_rules.errors import CalendarCoverageError, CalendarInputError, CvcmRulesError, InputError

__all__ = ["main"]

EXIT_OK, EXIT_BLOCKING, EXIT_INPUT = 0, 1, 2


class _UsageError(InputError):
    """A command-line argument that is not valid."""


def _parse_date(text: str, what: str) -> date:
    from cvcm_rules.expr.functions import strict_date

    try:
        return strict_date(text)
    except ValueError:
        raise _UsageError(f"{what}: {text!r} is not a valid YYYY-MM-DD date") from None


def _parse_int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _UsageError(f"{what}: {text!r} is not a whole number") from None


def _write(output: str | None, text: str) -> None:
    """Write all of ``text`` or nothing: a temporary file renamed into place."""
    if output is None:
        sys.stdout.write(text)
        return
    target = Path(output)
    try:
        handle = tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=target.parent, delete=False,
            prefix=f".{target.name}.", suffix=".tmp")
        with handle:
            handle.write(text)
        os.replace(handle.name, target)
    except OSError as err:
        raise _UsageError(f"cannot write {output}: {err.strerror or err}") from None


# -- check ------------------------------------------------------------------------------------

def _cmd_check(args: argparse.Namespace) -> int:
    from cvcm_rules.engine import evaluate
    from cvcm_rules.model import load_dossier
    from cvcm_rules.packs import load_pack
    from cvcm_rules.report import render_json, render_markdown, render_text

    as_of = _parse_date(args.as_of, "--as-of")
    rules_dir = Path(args.rules_dir) if args.rules_dir else None
    dossiers = [load_dossier(path) for path in args.dossier]
    pack_ids = args.pack or sorted({d.programme.lower() for d in dossiers})
    packs = [load_pack(pack_id, rules_dir) for pack_id in pack_ids]
    reports = [evaluate(d, packs, as_of=as_of, trace=args.trace) for d in dossiers]
    if args.format == "json":
        text = (render_json(reports[0]) if len(reports) == 1 else
                json.dumps({"reports": [r.to_dict() for r in reports]}, sort_keys=True,
                           ensure_ascii=False, indent=2) + "\n")
    elif args.format == "markdown":
        text = "\n".join(render_markdown(r, lang=args.lang) for r in reports)
    else:
        colour = args.output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        text = "\n".join(render_text(r, lang=args.lang, colour=colour) for r in reports)
    _write(args.output, text)
    return EXIT_BLOCKING if any(r.has_blocking_failure for r in reports) else EXIT_OK


# -- packs ------------------------------------------------------------------------------------

def _cmd_packs(args: argparse.Namespace) -> int:
    from cvcm_rules.packs import available_packs, load_pack

    rules_dir = Path(args.rules_dir) if args.rules_dir else None
    if args.packs_command == "list":
        for folder in available_packs(rules_dir):
            pack = load_pack(folder)
            print(f"{pack.id}\t{pack.version}\t{len(pack.rules)} rules\t{pack.manifest.title.en}")
        return EXIT_OK
    if args.packs_command == "doc":
        from cvcm_rules.report.packdoc import render_pack_doc

        _write(args.output, render_pack_doc(load_pack(args.pack_id, rules_dir)))
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
    return _cmd_packs_test(args, rules_dir)


def _cmd_packs_test(args: argparse.Namespace, rules_dir: Path | None) -> int:
    from cvcm_rules.casetest import coverage, load_cases, run_cases
    from cvcm_rules.packs import load_pack

    pack = load_pack(args.pack_id, rules_dir)
    folder = Path(args.cases) if args.cases else pack.path.parent.parent / "fixtures" / "cases" / \
        pack.id
    if not folder.is_dir():
        raise _UsageError(f"no case folder {folder} for pack {pack.id!r}")
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


# -- schema -----------------------------------------------------------------------------------

def _cmd_schema(args: argparse.Namespace) -> int:
    from cvcm_rules.model import Dossier
    from cvcm_rules.report.schema import REPORT_SCHEMA

    schema: dict[str, Any] = (Dossier.model_json_schema() if args.what == "dossier"
                              else REPORT_SCHEMA)
    _write(None, json.dumps(schema, sort_keys=True, ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


# -- calendar ---------------------------------------------------------------------------------

def _cmd_calendar(args: argparse.Namespace) -> int:
    from cvcm_rules.calendar import default_calendar

    calendar = default_calendar()
    if args.calendar_command == "add":
        start = _parse_date(args.date, "DATE")
        count = _parse_int(args.n, "N")
        result = calendar.add_working_days(start, count, start_counts=args.start_counts)
        data = calendar.explain_between(start, result, start_counts=args.start_counts).to_dict()
        data["result"] = result.isoformat()
    elif args.calendar_command == "between":
        a, b = _parse_date(args.a, "A"), _parse_date(args.b, "B")
        data = calendar.explain_between(a, b, start_counts=args.start_counts).to_dict()
    else:
        data = calendar.year_info(_parse_int(args.year, "YEAR")).to_dict()
    data["holidays_version"] = calendar.holidays_version
    data["official_through"] = calendar.official_through
    if args.format == "json":
        _write(None, json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n")
    else:
        _write(None, _calendar_text(data))
    return EXIT_OK


def _calendar_text(data: dict[str, Any]) -> str:
    lines = []
    for key, value in data.items():
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines.extend(f"  {_day_text(item)}" for item in value)
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines) + "\n"


def _day_text(item: object) -> str:
    if isinstance(item, dict):
        return "  ".join(str(v) for v in item.values())
    return str(item)


# -- parser -----------------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cvcm-rules",
        description="Check carbon-credit project dossiers against CCER, FCER and ICVCM CCP rules.")
    parser.add_argument("--version", action="version", version=f"cvcm-rules {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="evaluate dossiers against rule packs")
    check.add_argument("dossier", nargs="+", help="dossier files (.yaml, .yml or .json)")
    check.add_argument("--pack", action="append", help="pack id or folder (repeatable)")
    check.add_argument("--as-of", required=True, help="assessment date, YYYY-MM-DD")
    check.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    check.add_argument("--lang", choices=["zh", "en"], default="en")
    check.add_argument("--output", help="write the report to this file (all or nothing)")
    check.add_argument("--trace", action="store_true", help="record sub-expression values")
    check.add_argument("--rules-dir", help="folder holding the packs (default: ./rules)")
    check.set_defaults(run=_cmd_check)

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
    packs.set_defaults(run=_cmd_packs)

    schema = commands.add_parser("schema", help="print a JSON Schema")
    schema.add_argument("what", choices=["dossier", "report"])
    schema.set_defaults(run=_cmd_schema)

    calendar = commands.add_parser("calendar", help="China working-day arithmetic")
    calendar.add_argument("--format", choices=["text", "json"], default="text")
    calendar_commands = calendar.add_subparsers(dest="calendar_command", required=True)
    add = calendar_commands.add_parser("add", help="the N-th working day from DATE")
    add.add_argument("date")
    add.add_argument("n")
    add.add_argument("--start-counts", action="store_true",
                     help="DATE itself is day 1 (publicity periods)")
    between = calendar_commands.add_parser("between", help="working days from A to B")
    between.add_argument("a")
    between.add_argument("b")
    between.add_argument("--start-counts", action="store_true", help="A itself counts")
    year = calendar_commands.add_parser("year", help="holidays and make-up days of a year")
    year.add_argument("year")
    for sub_parser in (add, between, year):  # --format may also follow the sub-command
        sub_parser.add_argument("--format", choices=["text", "json"], default=argparse.SUPPRESS)
    calendar.set_defaults(run=_cmd_calendar)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (the console script exits with it)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) and EXIT_INPUT
    try:
        code: int = args.run(args)
    except (InputError, CalendarCoverageError, CalendarInputError) as err:
        print(f"cvcm-rules: error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except CvcmRulesError as err:
        print(f"cvcm-rules: error: {err}", file=sys.stderr)
        return EXIT_INPUT
    return code


def _entry() -> None:  # pragma: no cover - the console script
    sys.exit(main())
