"""Benchmark the report envelope (summary, score, scorecard) against the evaluation it closes.

Run: ``.venv/bin/python benchmarks/bench_envelope.py`` (about 15 s). Results go in
docs/benchmarks.md, section "Report envelope".

``evaluate()`` builds, for every dossier, ``summarise(findings)``, ``score(findings)`` and
``scorecard(findings, packs)``. This times each of the three on the findings of the engine
benchmark's dossiers (``bench_engine.make_cases``), against the baseline of ``evaluate()`` on the
same dossiers, timed in the same run and interleaved round by round; the envelope is reported as
a share of that baseline. Two pack set-ups: the engine benchmark's six CCER rules, and the
shipped ``ccer`` pack (every category of its scorecard holds findings).

Before timing, every recomputed summary, score and scorecard must equal the report's, and each
scorecard must account for every finding of the pack once (the sum of its rows' counts); the
script exits with status 1 otherwise. No timing is asserted.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
from collections.abc import Callable, Sequence
from datetime import date

from bench_engine import load_six_rule_pack, make_cases  # the script's folder is on sys.path
from bench_html import _time  # the same timing loop (gc off, mean per call)
from cvcm_rules.engine import Report, evaluate
from cvcm_rules.engine.scorecard import scorecard
from cvcm_rules.engine.scoring import score, summarise
from cvcm_rules.model import Dossier
from cvcm_rules.packs import Pack, load_pack

Cases = Sequence[tuple[Dossier, date]]


def _check(reports: list[Report], packs: list[Pack]) -> None:
    """Recomputed envelopes equal the reports'; every scorecard row set covers its findings."""
    for report in reports:
        name = report.dossier["id"]
        if summarise(report.findings) != report.summary or score(report.findings) != report.score:
            sys.exit(f"{name}: the recomputed summary or score differs from the report's")
        card = scorecard(report.findings, packs)
        if card != report.scorecard:
            sys.exit(f"{name}: the recomputed scorecard differs from the report's")
        for pack, entry in zip(packs, card["packs"], strict=True):
            own = sum(1 for f in report.findings if f.rule_id in pack.rule_ids)
            counted = sum(sum(row["counts"].values()) for row in entry["categories"])
            if counted != own or sum(row["findings"] for row in entry["categories"]) != own:
                sys.exit(f"{name}: the scorecard of {pack.id} counts {counted} of {own} findings")


def measure(cases: Cases, packs: list[Pack], rounds: int, repeat: int) -> dict[str, float]:
    """Median seconds per dossier of evaluate() and of each part of the envelope."""
    reports = [evaluate(dossier, packs, as_of=as_of) for dossier, as_of in cases]
    _check(reports, packs)
    found = [report.findings for report in reports]
    variants: dict[str, Callable[[], object]] = {
        "evaluate (baseline)": lambda: [evaluate(d, packs, as_of=a) for d, a in cases],
        "summarise": lambda: [summarise(f) for f in found],
        "score": lambda: [score(f) for f in found],
        "scorecard": lambda: [scorecard(f, packs) for f in found],
        "envelope": lambda: [(summarise(f), score(f), scorecard(f, packs)) for f in found],
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):  # interleaved, so drift in machine load hits every variant alike
        for name, work in variants.items():
            calls = max(1, repeat // 10) if name.startswith("evaluate") else repeat
            times[name].append(_time(work, calls) / len(cases))
    return {name: statistics.median(values) for name, values in times.items()}


def report(title: str, medians: dict[str, float], count: int) -> None:
    """Print one table: microseconds per dossier and the share of evaluate()."""
    base = medians["evaluate (baseline)"]
    print(f"\n{title} ({count} dossiers)")
    for name, seconds in medians.items():
        print(f"  {name:20s} {seconds * 1e6:9.2f} us per dossier {100 * seconds / base:7.2f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    cases = make_cases(args.dossiers)
    print(f"Python {platform.python_version()}, median of {args.rounds} interleaved rounds")
    six = [load_six_rule_pack()]
    report("six CCER rules", measure(cases, six, args.rounds, args.repeat), len(cases))
    shipped = [load_pack("ccer")]
    few = cases[: max(1, args.dossiers // 4)]
    report("shipped ccer pack", measure(few, shipped, args.rounds, args.repeat), len(few))


if __name__ == "__main__":
    main()
