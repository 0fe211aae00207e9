"""Benchmark the gap view (CCER -> ICVCM CCP) against the evaluation it is built on.

Run: ``.venv/bin/python benchmarks/bench_gap.py`` (a few seconds). The baseline is ``evaluate()``
of the same dossiers under ccer + icvcm_ccp, timed in the same run: the gap view is a step after
it, so the question is what it adds. Before timing, every view is checked to list exactly the
ICVCM findings that are neither pass nor not applicable. Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from cvcm_rules.crosswalk import load_crosswalk
from cvcm_rules.engine import Outcome, evaluate
from cvcm_rules.gap import gaps
from cvcm_rules.model import load_dossier
from cvcm_rules.report.gapview import render_gap_json, render_gap_markdown

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2025, 7, 1)


def _median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    from cvcm_rules.packs import load_pack

    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50, help="passes over the dossiers")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    packs = [load_pack(ROOT / "rules" / "ccer"), load_pack(ROOT / "rules" / "icvcm_ccp")]
    crosswalk = load_crosswalk(ROOT / "rules" / "crosswalk.yaml")
    dossiers = [load_dossier(ROOT / "fixtures" / "dossiers" / "ccer" / f"{stem}.yaml")
                for stem in ("afforestation", "mangrove", "offshore-wind", "solar-thermal")]
    reports = [evaluate(d, packs, as_of=AS_OF) for d in dossiers]
    for report in reports:
        view = gaps(report, "ccer", "icvcm_ccp", crosswalk)
        expected = sorted(f.rule_id for f in report.findings if f.pack.startswith("icvcm_ccp@")
                          and f.outcome not in (Outcome.PASS, Outcome.NOT_APPLICABLE))
        assert sorted(g.finding.rule_id for g in view.gaps) == expected, report.dossier["id"]
    print(f"{len(dossiers)} dossiers agree; {args.rounds} rounds, median of {args.repeat}; "
          f"CPython {platform.python_version()}")

    def evaluate_all() -> None:
        for _ in range(args.rounds):
            for dossier in dossiers:
                evaluate(dossier, packs, as_of=AS_OF)

    def gap_all() -> None:
        for _ in range(args.rounds):
            for report in reports:
                gaps(report, "ccer", "icvcm_ccp", crosswalk)

    def gap_render_all() -> None:
        for _ in range(args.rounds):
            for report in reports:
                view = gaps(report, "ccer", "icvcm_ccp", crosswalk)
                render_gap_markdown(view)
                render_gap_json(view)

    n = args.rounds * len(dossiers)
    base = _median(evaluate_all, args.repeat)
    view = _median(gap_all, args.repeat)
    full = _median(gap_render_all, args.repeat)
    load = _median(lambda: load_crosswalk(ROOT / "rules" / "crosswalk.yaml"), args.repeat)
    print(f"  evaluate (ccer + icvcm_ccp), baseline  {1e3 * base / n:8.3f} ms per dossier")
    print(f"  gaps()                                 {1e3 * view / n:8.3f} ms per dossier "
          f"({100 * view / base:.1f}% of the baseline)")
    print(f"  gaps() + Markdown + JSON               {1e3 * full / n:8.3f} ms per dossier "
          f"({100 * full / base:.1f}% of the baseline)")
    print(f"  load_crosswalk() once                  {1e3 * load:8.3f} ms")


if __name__ == "__main__":
    main()
