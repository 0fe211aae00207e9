"""Benchmark ``diff`` and its impact replay against baselines measured in the same run.

Run: ``.venv/bin/python benchmarks/bench_diff.py [--copies 40] [--repeat 3]`` (about 15 s with
the defaults on 2 cores). Results go in docs/benchmarks.md, section "Pack diff and impact replay".

1. The structural diff of the 2012 and 2023 CCER packs (``diff_packs``) is timed against loading
   the two packs (``load_pack``), which any diff must do first: the ratio says what the
   comparison adds.
2. The impact replay (``replay``) over a corpus of dossier files is timed against evaluating the
   same, already loaded dossiers under each version and comparing the two reports in memory
   (``evaluate`` then ``flips``, keeping only the flips). The replay also reads and validates
   each file, so the ratio is the cost of working from files.
   Before timing, the flips the replay reports are checked against flips recomputed from the
   baseline's reports; the script exits with status 1 on any disagreement.
"""

from __future__ import annotations

import argparse
import gc
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from cvcm_rules.diff import diff_packs, replay
from cvcm_rules.diff.impact import dossier_files, flips
from cvcm_rules.engine import evaluate
from cvcm_rules.model import load_dossier
from cvcm_rules.packs import load_pack

ROOT = Path(__file__).resolve().parents[1]
OLD, NEW = ROOT / "rules" / "ccer-2012", ROOT / "rules" / "ccer"
FIXTURES = ROOT / "fixtures" / "dossiers" / "ccer"
AS_OF = date(2025, 7, 1)


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def corpus(folder: Path, copies: int) -> Path:
    """``copies`` copies of each shipped CCER example dossier, in one folder."""
    for index in range(copies):
        for source in sorted(FIXTURES.glob("*.yaml")):
            shutil.copy(source, folder / f"{index:04d}-{source.name}")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40, help="copies of each example dossier")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds (median reported)")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {platform.machine()}")

    old, new = load_pack(OLD), load_pack(NEW)
    print(f"packs: ccer@{old.version} ({len(old.rules)} rules) -> ccer@{new.version} "
          f"({len(new.rules)} rules)")
    load_time = median_seconds(lambda: (load_pack(OLD), load_pack(NEW)), args.repeat)
    diff_time = median_seconds(lambda: diff_packs(old, new), args.repeat * 10)
    self_time = median_seconds(lambda: diff_packs(new, new), args.repeat * 10)
    print(f"load both packs (baseline): {load_time * 1000:8.1f} ms")
    print(f"diff 2012 -> 2023:          {diff_time * 1000:8.1f} ms  "
          f"({diff_time / load_time:.1%} of loading)")
    print(f"diff 2023 -> 2023 (empty):  {self_time * 1000:8.1f} ms  "
          f"({self_time / load_time:.1%} of loading)")

    with tempfile.TemporaryDirectory() as scratch:
        folder = corpus(Path(scratch), args.copies)
        files = dossier_files(folder)
        dossiers = [load_dossier(path) for path in files]
        impact = replay(old, new, folder, as_of=AS_OF)
        expected = [tuple(flips(evaluate(d, [old], as_of=AS_OF), evaluate(d, [new], as_of=AS_OF)))
                    for d in dossiers]
        if [d.flips for d in impact.dossiers] != expected:
            print("DISAGREEMENT: replay flips differ from the baseline's", file=sys.stderr)
            return 1
        print(f"corpus: {len(files)} dossier files; {impact.summary()}")
        baseline = median_seconds(
            lambda: [tuple(flips(evaluate(d, [old], as_of=AS_OF), evaluate(d, [new], as_of=AS_OF)))
                     for d in dossiers], args.repeat)
        replay_time = median_seconds(lambda: replay(old, new, folder, as_of=AS_OF), args.repeat)
    per = 1000 / len(files)
    print(f"evaluate both, compare (baseline): {baseline:7.2f} s  ({baseline * per:6.1f} ms per "
          f"dossier)")
    print(f"replay (read, evaluate, compare):  {replay_time:7.2f} s  ({replay_time * per:6.1f} ms "
          f"per dossier, {replay_time / baseline:.2f}x the baseline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
