"""Benchmark the engine against durable_rules on the rules the durable_rules export covers.

Run: ``.venv/bin/python benchmarks/bench_durable.py [--dossiers 1500] [--repeat 3]`` (about 40 s
on 2 cores). Needs durable_rules (the ``dev`` or ``durable`` extra). Results go in
docs/benchmarks.md, section "durable-rules".

For each shipped pack (ccer, fcer, icvcm_ccp) the pack is exported as of 2025-07-01 and both sides
run exactly the exported rules on the same dossiers: the fixture case dossiers of that pack whose
case date is 2025-07-01, cycled to ``--dossiers``. Variants, interleaved in each round:

- (a) ``evaluate(d, [subset], as_of=...)``: the engine on a pack holding only the exported rules,
  building its full report (findings, evidence, messages, fingerprints, summary);
- (b) ``DurableRunner.fired(d)``: the dossier's fact built and asserted into each ruleset, one sid
  per dossier and ruleset, state deleted; it says which rules fired and nothing else;
- (c) the assert alone, on facts built before timing;
- (d) the same as (c) on rulesets where every exported rule fires on every fact (each condition
  replaced by the marker test): the cost when durable_rules runs one action per rule, an upper
  bound for (c). Each fired rule costs a round trip through durable_rules' Python action code,
  so (b) and (c) depend on how many rules fire, which the script prints.

Before timing, every dossier is run through (a) and (b) and compared rule by rule: ``RULE/fail``
must fire exactly when the engine says ``fail``, ``RULE/warn`` exactly when it says ``warn``. Any
disagreement is printed and the script exits with status 1 without timing anything.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import gc
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from cvcm_rules.casetest import apply_case, load_cases
from cvcm_rules.engine import Outcome, evaluate
from cvcm_rules.export import export_pack
from cvcm_rules.export.durable_run import DurableRunner, durable_unavailable
from cvcm_rules.model import Dossier, dossier_from_data, load_dossier_data
from cvcm_rules.packs import Pack, load_pack

ROOT = Path(__file__).resolve().parents[1]
PACKS = ("ccer", "fcer", "icvcm_ccp")
AS_OF = date(2025, 7, 1)


def case_dossiers(pack_id: str) -> list[Dossier]:
    """The pack's fixture case dossiers dated ``AS_OF`` (a base dossier with the case's edits)."""
    bases: dict[Path, dict[str, Any]] = {}
    found = []
    for case in load_cases(ROOT / "fixtures" / "cases" / pack_id):
        if case.as_of != AS_OF:
            continue
        if case.base not in bases:
            bases[case.base] = load_dossier_data(case.base)
        data = copy.deepcopy(bases[case.base])
        apply_case(data, case)
        found.append(dossier_from_data(data, case.name))
    return found


def disagreements(subset: Pack, runner: DurableRunner, exported: dict[str, Any],
                  dossiers: Sequence[Dossier], outcomes: Counter[str]) -> list[str]:
    problems = []
    for dossier in dossiers:
        fired = runner.outcomes(dossier)
        for finding in evaluate(dossier, [subset], as_of=AS_OF).findings:
            outcomes[finding.outcome.value] += 1
            expected = {Outcome.FAIL: "fail", Outcome.WARN: "warn"}.get(finding.outcome)
            if expected == "warn" and exported[finding.rule_id]["warn"] is None:
                expected = None
            got = fired.get(finding.rule_id)
            if finding.outcome is not Outcome.ERROR and got != expected:
                problems.append(f"{dossier.id} {finding.rule_id}: engine "
                                f"{finding.outcome.value}, durable_rules {got}")
    return problems


def fire_always(export: dict[str, Any]) -> dict[str, Any]:
    """The export with every rule's condition replaced by the marker test alone."""
    changed = copy.deepcopy(export)
    for ruleset in changed["rulesets"].values():
        for rule in ruleset.values():
            rule["all"] = [{"m": dict(changed["fact"]["marker"])}]
    return changed


def timed(run: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def bench_pack(pack_id: str, count: int, repeat: int) -> dict[str, Any]:
    pack = load_pack(pack_id)
    export = export_pack(pack, AS_OF)
    ids = {rule.id for rule in export.rules}
    subset = dataclasses.replace(pack, rules=tuple(r for r in pack.rules if r.id in ids))
    runner = DurableRunner(export.to_dict())
    cases = case_dossiers(pack_id)
    dossiers = [cases[i % len(cases)] for i in range(count)]
    outcomes: Counter[str] = Counter()
    problems = disagreements(subset, runner, export.to_dict()["rules"], cases, outcomes)
    if problems:
        print(f"{pack_id}: {len(problems)} disagreements, nothing timed:", *problems[:20],
              sep="\n  ")
        sys.exit(1)
    facts = [runner.facts(d) for d in dossiers]
    fired = sum(len(runner.fired_for(f, "count")) for f in facts) / len(facts)
    everything = DurableRunner(fire_always(export.to_dict()))
    variants: dict[str, Callable[[], object]] = {
        "a": lambda: [evaluate(d, [subset], as_of=AS_OF) for d in dossiers],
        "b": lambda: [runner.fired(d) for d in dossiers],
        "c": lambda: [runner.fired_for(f, "bench") for f in facts],
        "d": lambda: [everything.fired_for(f, "bench") for f in facts],
    }
    rounds: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeat):
        for name, run in variants.items():
            rounds[name].append(timed(run))
    return {"pack": pack_id, "rules": len(export.rules), "total_rules": len(pack.rules),
            "rulesets": len(export.rulesets), "cases": len(cases), "outcomes": outcomes,
            "fired": fired, "durable_rules": sum(len(r) - 1 for r in export.rulesets.values()),
            "median": {name: statistics.median(times) for name, times in rounds.items()},
            "spread": {name: max(times) / min(times) - 1 for name, times in rounds.items()}}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1500, help="dossiers per pack")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds (median reported)")
    args = parser.parse_args(argv)
    why = durable_unavailable()
    if why is not None:
        print(why)
        return 2
    print(f"Python {platform.python_version()}, {platform.machine()}, as of {AS_OF}, "
          f"{args.dossiers} dossiers per pack, median of {args.repeat} rounds")
    print("| pack | rules exported | case dossiers | fired per dossier | (a) engine "
          "| (b) durable_rules | (c) assert only | (d) all firing | (b) ÷ (a) | (d) ÷ (a) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for pack_id in PACKS:
        result = bench_pack(pack_id, args.dossiers, args.repeat)
        median = result["median"]
        rate = {name: args.dossiers / seconds for name, seconds in median.items()}
        print(f"| {pack_id} | {result['rules']} of {result['total_rules']} "
              f"({result['durable_rules']} durable rules, {result['rulesets']} ruleset) | "
              f"{result['cases']} | {result['fired']:.2f} | {rate['a']:,.0f}/s | "
              f"{rate['b']:,.0f}/s | {rate['c']:,.0f}/s | {rate['d']:,.0f}/s | "
              f"{median['b'] / median['a']:.2f} | {median['d'] / median['a']:.2f} |")
        spread = ", ".join(f"{k} {v:.0%}" for k, v in result["spread"].items())
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(result["outcomes"].items()))
        print(f"  agreement: {result['cases']} dossiers × {result['rules']} rules agree "
              f"({outcomes}); spread of rounds (max/min - 1): {spread}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
