"""Benchmark the HTML report (with its SVG timeline) and the scorecard against baselines.

Run: ``.venv/bin/python benchmarks/bench_html.py [--rounds 5] [--repeat 20]`` (about 10 s on
2 cores). Results go in docs/benchmarks.md, section 3.

Inputs: every example dossier under ``fixtures/dossiers`` evaluated against the three shipped
packs as of 2025-07-01, once, before anything is timed.

- ``render_html`` (summary, scorecard, timeline events with holidays, SVG, every finding) is
  compared with ``render_markdown`` on the same reports, the renderer a reviewer used before.
- ``scorecard(findings, packs)`` is compared with ``evaluate`` itself, to show what the
  scorecard adds to each evaluation.

Before timing, the script checks that each HTML page holds one ``<article class="finding``
per finding and that recomputing the scorecard gives the one in the report; it exits with
status 1 otherwise. No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from cvcm_rules.engine import Report, evaluate
from cvcm_rules.engine.scorecard import scorecard
from cvcm_rules.model import Dossier, load_dossier
from cvcm_rules.packs import Pack, load_pack
from cvcm_rules.report import render_markdown
from cvcm_rules.report.html import render_html

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2025, 7, 1)


def _time(work: Callable[[], object], repeat: int) -> float:
    """Seconds per call, best of the loop (garbage collection off while timing)."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(repeat):
            work()
        return (time.perf_counter() - start) / repeat
    finally:
        gc.enable()


def _check(cases: list[tuple[Dossier, Report]], packs: list[Pack]) -> None:
    for dossier, report in cases:
        page = render_html([report], dossiers=[dossier])
        if page.count('<article class="finding ') != len(report.findings):
            sys.exit(f"{dossier.id}: the HTML page does not hold every finding")
        if scorecard(report.findings, packs) != report.scorecard:
            sys.exit(f"{dossier.id}: the scorecard recomputed differs from the report's")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    packs = [load_pack(p) for p in ("ccer", "fcer", "icvcm_ccp")]
    dossiers = [load_dossier(p) for p in sorted(ROOT.glob("fixtures/dossiers/*/*.yaml"))]
    cases = [(d, evaluate(d, packs, as_of=AS_OF)) for d in dossiers]
    _check(cases, packs)
    findings = sum(len(r.findings) for _, r in cases)
    print(f"{len(cases)} dossiers x {len(packs)} packs, {findings} findings; "
          f"Python {platform.python_version()}")

    variants: dict[str, Callable[[], object]] = {
        "markdown (baseline)": lambda: [render_markdown(r) for _, r in cases],
        "html + timeline": lambda: [render_html([r], dossiers=[d]) for d, r in cases],
        "evaluate (baseline)": lambda: [evaluate(d, packs, as_of=AS_OF) for d, _ in cases],
        "scorecard": lambda: [scorecard(r.findings, packs) for _, r in cases],
    }
    results: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.rounds):  # interleaved, so drift hits every variant alike
        for name, work in variants.items():
            repeat = max(1, args.repeat // 10) if name.startswith("evaluate") else args.repeat
            results[name].append(_time(work, repeat) / len(cases))
    medians = {name: statistics.median(times) for name, times in results.items()}
    for name, seconds in medians.items():
        print(f"{name:22s} {seconds * 1e3:8.3f} ms per report")
    ratio = medians["html + timeline"] / medians["markdown (baseline)"]
    print(f"html / markdown = {ratio:.2f}x")
    print(f"scorecard / evaluate = "
          f"{100 * medians['scorecard'] / medians['evaluate (baseline)']:.2f} %")


if __name__ == "__main__":
    main()
