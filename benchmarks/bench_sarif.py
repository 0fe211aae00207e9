"""Benchmark the reviewer-facing outputs against what they are built from, in the same run.

Run: ``.venv/bin/python benchmarks/bench_sarif.py`` (about 20 s). Results go in
docs/benchmarks.md, section "SARIF, decisions and compare". Three comparisons, each against a
baseline timed in the same process and interleaved round by round:

1. ``render_sarif`` against ``render_json`` of the same reports (the canonical report);
2. ``apply_decisions`` against ``evaluate`` (what a check costs without decisions);
3. ``compare_reports`` against ``load_reports`` (reading the two JSON reports it compares).

Before timing, each side is checked: the SARIF log has one result per unit that needs action,
the decided report keeps every outcome, and a report compared with itself is all unchanged.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from cvcm_rules.decisions import apply_decisions, load_decisions
from cvcm_rules.engine import Report, evaluate
from cvcm_rules.model import load_dossier
from cvcm_rules.packs import load_pack
from cvcm_rules.report import render_json
from cvcm_rules.report.compare import compare_reports, load_reports
from cvcm_rules.report.sarif import dossier_source, render_sarif

ROOT = Path(__file__).resolve().parents[1]
DOSSIERS = sorted((ROOT / "fixtures" / "dossiers" / "ccer").glob("*.yaml"))
DECISIONS = ROOT / "fixtures" / "decisions" / "offshore-wind.decisions.yaml"
AS_OF = date(2025, 7, 1)
DONE = ("pass", "not_applicable")


def _open_units(report: Report) -> int:
    return sum(sum(1 for i in f.items if i.outcome.value not in DONE) if f.items
               else f.outcome.value not in DONE for f in report.findings)


def _round(fn: Callable[[], object], repeat: int, rounds: list[float]) -> None:
    """One timed round: ``repeat`` calls; the caller reports the median over rounds."""
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    rounds.append(time.perf_counter() - start)


def _line(label: str, ours: list[float], base: list[float], repeat: int, unit: str) -> None:
    mine, ref = statistics.median(ours), statistics.median(base)
    print(f"  {label:<44} {1e3 * mine / repeat:8.3f} ms  baseline {1e3 * ref / repeat:8.3f} ms"
          f"  ratio {mine / ref:5.2f}  (per {unit})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20, help="calls per timed round")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (median reported)")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}, "
          f"{args.rounds} rounds x {args.repeat} calls, median")

    packs = [load_pack(pack_id) for pack_id in ("ccer", "fcer", "icvcm_ccp")]
    dossiers = [(path, load_dossier(path)) for path in DOSSIERS]
    reports = [evaluate(d, [pack], as_of=AS_OF) for _, d in dossiers for pack in packs]
    sources = [dossier_source(path) for path, _ in dossiers for _ in packs]
    results = sum(len(run["results"])
                  for run in json.loads(render_sarif(reports, sources=sources))["runs"])
    assert results == sum(_open_units(r) for r in reports)
    print(f"agreement: {len(reports)} reports, {sum(len(r.findings) for r in reports)} "
          f"findings, {results} SARIF results = units needing action")

    example = next(d for path, d in dossiers if path.name == "offshore-wind.yaml")
    decisions = load_decisions(DECISIONS)
    plain = evaluate(example, [packs[0]], as_of=AS_OF)
    decided = apply_decisions(plain, decisions, AS_OF)
    assert [f.outcome for f in decided.findings] == [f.outcome for f in plain.findings]
    assert decided.summary["decisions"]["applied"] == len(decisions.entries)

    with tempfile.TemporaryDirectory() as tmp:
        report_file = Path(tmp) / "report.json"
        report_file.write_text(render_json(decided), encoding="utf-8")
        (view,) = load_reports(report_file)
        same = compare_reports(view, view)
        assert not (same.opened or same.closed or same.changed)
        assert len(same.unchanged) == _open_units(decided)
        print(f"agreement: {len(decisions.entries)} decisions applied, outcomes unchanged; a "
              f"report compared with itself: {len(same.unchanged)} unchanged, nothing else")

        timings: dict[str, list[float]] = {k: [] for k in
                                           ("sarif", "json", "apply", "eval", "cmp", "load")}
        for _ in range(args.rounds):
            _round(lambda: render_sarif(reports, sources=sources), args.repeat,
                    timings["sarif"])
            _round(lambda: [render_json(r) for r in reports], args.repeat, timings["json"])
            _round(lambda: apply_decisions(plain, decisions, AS_OF), args.repeat,
                    timings["apply"])
            _round(lambda: evaluate(example, [packs[0]], as_of=AS_OF), args.repeat,
                    timings["eval"])
            _round(lambda: compare_reports(view, view), args.repeat, timings["cmp"])
            _round(lambda: load_reports(report_file), args.repeat, timings["load"])
    _line("render_sarif vs render_json", timings["sarif"], timings["json"], args.repeat,
          f"{len(reports)} reports")
    _line("apply_decisions vs evaluate", timings["apply"], timings["eval"], args.repeat,
          "report")
    _line("compare_reports vs load_reports", timings["cmp"], timings["load"], args.repeat,
          "pair")


if __name__ == "__main__":
    main()
