"""Benchmark the rule engine against a hand-written function doing the same six checks.

Run: ``.venv/bin/python benchmarks/bench_engine.py [--dossiers 2000] [--repeat 3] [--profile]``
(about 10 s with the defaults on 2 cores). Results go in docs/benchmarks.md.

The engine runs the first six CCER rules (CCER.ELIG.001-003, CCER.CRED.001-002, CCER.VVB.001),
copied at run time from ``rules/ccer`` into a temporary pack folder, so that the comparison stays
the same as the shipped pack grows. The hand-written function ``hand_check`` does the same checks
directly on the pydantic objects and produces the same decisions and explanations (per-rule and
per-batch outcome, missing paths, evidence values, parameters in force, bilingual messages).

Before anything is timed, every dossier is evaluated by the engine and by ``hand_check`` and the
results are compared; the script exits with status 1 on any disagreement. No timing is asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gc
import io
import os
import platform
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pydantic

from cvcm_rules._build import COMPILED_MODULES, compiled_modules
from cvcm_rules.calendar import default_calendar
from cvcm_rules.engine import Report, evaluate
from cvcm_rules.model import Dossier, dossier_from_data, load_dossier_data
from cvcm_rules.model.dossier import Party
from cvcm_rules.packs import Pack, load_pack

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "dossiers" / "ccer" / "offshore-wind.yaml"
PACK_DIR = ROOT / "rules" / "ccer"
RULE_FILES = ("eligibility.yaml", "crediting_period.yaml", "vvb_independence.yaml")
RULE_IDS = ("CCER.CRED.001", "CCER.CRED.002", "CCER.ELIG.001", "CCER.ELIG.002",
            "CCER.ELIG.003", "CCER.VVB.001")  # the order of the engine's findings
SEED = 20250701
TARGET_RATIO = 2.0

Case = tuple[Dossier, date]


# ---------------------------------------------------------------------------------------------
# The pack under test: exactly the six rules, whatever else rules/ccer comes to hold.
# ---------------------------------------------------------------------------------------------


def load_six_rule_pack() -> Pack:
    """Copy pack.yaml and the three rule files into a temporary ``ccer`` pack and load it."""
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        folder = Path(tmp) / "ccer"
        (folder / "rules").mkdir(parents=True)
        shutil.copyfile(PACK_DIR / "pack.yaml", folder / "pack.yaml")
        for name in RULE_FILES:
            shutil.copyfile(PACK_DIR / "rules" / name, folder / "rules" / name)
        pack = load_pack(folder)
    ids = tuple(rule.id for rule in pack.rules)
    if ids != RULE_IDS:
        sys.exit(f"expected exactly the rules {RULE_IDS}, the copied files define {ids}")
    return pack


# ---------------------------------------------------------------------------------------------
# Dossiers: varied copies of the offshore-wind example, built once before any timing.
# ---------------------------------------------------------------------------------------------

_VVB_NAMES = ("华审认证有限公司", "中衡碳核查有限公司", "北方质量认证中心有限公司",
              "东方环境审核有限公司", "南海低碳认证有限公司")
_USCC_TAIL = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_AS_OF = (date(2024, 6, 30), date(2025, 7, 1), date(2025, 7, 1), date(2026, 3, 31))


def _uscc(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(6))
    return f"91{digits}MA" + "".join(rng.choice(_USCC_TAIL) for _ in range(8))


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def _vary_project(data: dict[str, Any], rng: random.Random) -> None:
    project = data["project"]
    roll = rng.random()
    if roll < 0.03:
        del project["construction_start_date"]  # and no planting date -> indeterminate
    elif roll < 0.06:  # a sink-style dossier: only the planting (project start) date
        del project["construction_start_date"]
        project["start_date"] = _day(rng, date(2011, 1, 1), date(2023, 6, 30)).isoformat()
    elif roll < 0.10:
        project["construction_start_date"] = "2012-11-08"  # on the cut-off -> warn
    else:  # about 15% before the cut-off -> fail
        project["construction_start_date"] = _day(rng, date(2010, 9, 1),
                                                  date(2023, 6, 30)).isoformat()
    roll = rng.random()
    if roll < 0.07:
        del project["legal_reduction_obligation"]
    elif roll < 0.15:
        project["legal_reduction_obligation"] = True
    project["capacity_mw"] = rng.choice((200, 300, 400, 500, 600))
    roll = rng.random()
    if roll < 0.08:
        del data["evidence"]
    elif roll < 0.16:
        del data["evidence"]["construction_start"]


def _vary_ets(data: dict[str, Any], rng: random.Random) -> None:
    roll = rng.random()
    if roll < 0.05:
        del data["ets"]
        return
    ets: dict[str, Any] = {"national_covered": False, "local_pilot_covered": False}
    if roll < 0.10:
        ets.update(national_covered=True, facility_ids=[f"NETS-{rng.randint(1, 9999):04d}"])
    elif roll < 0.15:
        ets.update(local_pilot_covered=True, facility_ids=[f"SH-{rng.randint(1, 999):03d}"])
    elif roll < 0.19:
        del ets["national_covered"]
    elif roll < 0.22:
        del ets["local_pilot_covered"]
    elif roll < 0.24:  # fails on the known fact while the other one is missing
        del ets["national_covered"]
        ets["local_pilot_covered"] = True
    data["ets"] = ets


def _vary_validation(data: dict[str, Any], rng: random.Random) -> dict[str, Any] | None:
    """Give the project a validating VVB; return it (None if the dossier has no validation)."""
    roll = rng.random()
    if roll < 0.04:
        del data["validation"]
        return None
    vvb: dict[str, Any] = {"name": rng.choice(_VVB_NAMES), "uscc": _uscc(rng)}
    if roll < 0.08:
        del vvb["uscc"]  # identified by name only -> indeterminate where it matters
    elif roll < 0.13:
        vvb["branch_of"] = _uscc(rng)  # a branch (分公司): its legal person decides
    data["validation"]["vvb"] = vvb
    data["pdd_publicity"]["vvb"] = dict(vvb)
    return vvb


def _verifier(rng: random.Random, validator: dict[str, Any] | None) -> dict[str, Any]:
    vvb: dict[str, Any] = {"name": rng.choice(_VVB_NAMES), "uscc": _uscc(rng)}
    roll = rng.random()
    if validator is None or roll >= 0.25:
        return vvb
    entity = validator.get("branch_of") or validator.get("uscc")
    if roll < 0.05 and validator.get("uscc"):
        vvb["uscc"] = validator["uscc"]  # the same body (a fail unless the validator is a branch)
    elif roll < 0.09 and entity:
        vvb["branch_of"] = entity  # a branch of the validating legal person -> fail
    elif roll < 0.15 and validator.get("uscc"):
        vvb["affiliates"] = [validator["uscc"]]  # affiliated -> warn
    elif roll < 0.19:
        del vvb["uscc"]  # -> indeterminate
    return vvb


def _publicity_vvb(rng: random.Random, verifier: dict[str, Any] | None,
                   validator: dict[str, Any] | None) -> dict[str, Any] | None:
    """The VVB named in the batch's public posting (the verifier it commissions)."""
    roll = rng.random()
    if roll < 0.05 and validator is not None:
        return dict(validator)  # the posting names the validator -> fail
    if roll < 0.09:
        return None
    if verifier is not None:
        return {k: v for k, v in verifier.items() if k != "affiliates"}
    return {"name": rng.choice(_VVB_NAMES), "uscc": _uscc(rng)}


def _application(rng: random.Random, start: date, end: date,
                 tonnes: int) -> dict[str, Any] | None:
    roll = rng.random()
    if roll < 0.10:
        return None  # CRED.002 not applicable to this batch
    if roll < 0.17:  # around the five-year bound
        applied = _plus_years(start, 5) + timedelta(days=rng.randint(-20, 120))
    elif roll < 0.20:  # the period ends after the application
        applied = end - timedelta(days=rng.randint(1, 30))
    elif roll < 0.22:  # 29 February: the earliest day allowed is 28 February five years before
        applied = date(2024, 2, 29)
    else:
        applied = end + timedelta(days=rng.randint(15, 400))
    return {"date": applied.isoformat(), "receipt_date": applied.isoformat(),
            "er_tco2e": tonnes, "commitment_letter": True}


def _batch_start(rng: random.Random) -> date:
    roll = rng.random()
    if roll < 0.03:
        return date(2020, 9, 22)  # on the cut-off -> warn
    if roll < 0.08:
        return _day(rng, date(2019, 1, 1), date(2020, 9, 21))  # -> fail
    return _day(rng, date(2020, 9, 23), date(2025, 1, 1))


def _batch(rng: random.Random, index: int, validator: dict[str, Any] | None,
           owner: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """One batch; also the verifier's USCC, if any."""
    start = _batch_start(rng)
    end = start + timedelta(days=rng.randint(90, 365))
    tonnes = rng.randint(20_000, 1_200_000)
    batch: dict[str, Any] = {
        "id": f"B{index + 1}",
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "accounting_report_author": {"name": owner["name"], "uscc": owner["uscc"]},
        "generated_mwh": round(tonnes * 1.71, 1),
    }
    verifier = _verifier(rng, validator) if rng.random() >= 0.10 else None
    if verifier is not None:
        batch["verification"] = {"vvb": verifier,
                                 "report_date": (end + timedelta(days=70)).isoformat(),
                                 "verified_er_tco2e": tonnes}
    if verifier is not None or rng.random() < 0.5:
        batch["publicity"] = {"start_date": (end + timedelta(days=20)).isoformat(),
                              "end_date": (end + timedelta(days=45)).isoformat()}
        posted = _publicity_vvb(rng, verifier, validator)
        if posted is not None:
            batch["publicity"]["vvb"] = posted
    application = _application(rng, start, end, tonnes)
    if application is not None:
        batch["application"] = application
        issued = date.fromisoformat(application["date"]) + timedelta(days=26)
        batch["registration_date"] = issued.isoformat()
        batch["issuance"] = {"date": issued.isoformat(),
                             "serial_start": f"CCER-01-002-{start.year}-0000001",
                             "serial_end": f"CCER-01-002-{start.year}-{tonnes:07d}",
                             "quantity_tco2e": tonnes}
    return batch, verifier.get("uscc") if verifier else None


def make_cases(count: int, seed: int = SEED) -> list[Case]:
    """``count`` validated dossiers, each with its as-of date, from a fixed seed."""
    base = load_dossier_data(EXAMPLE)
    rng = random.Random(seed)
    cases: list[Case] = []
    for number in range(count):
        data = deepcopy(base)
        data["id"] = f"CCER-BENCH-{number:05d}"
        _vary_project(data, rng)
        _vary_ets(data, rng)
        validator = _vary_validation(data, rng)
        batches = []
        verifiers = []
        for index in range(rng.choices((1, 2, 3, 4), weights=(2, 4, 3, 1))[0]):
            batch, verifier = _batch(rng, index, validator, data["owner"])
            batches.append(batch)
            if verifier:
                verifiers.append(verifier)
        data["batches"] = batches
        if validator and verifiers and rng.random() < 0.04:  # the validator's affiliate verifies
            validator["affiliates"] = [rng.choice(verifiers)]
        cases.append((dossier_from_data(data, data["id"]), rng.choice(_AS_OF)))
    return cases


# ---------------------------------------------------------------------------------------------
# (c) The hand-written checks: same decisions, same explanations, no engine.
# ---------------------------------------------------------------------------------------------

# Dated parameter histories, as in the rule files: (effective from, value).
_CONSTRUCTION_CUTOFF = ((date(2023, 10, 19), date(2012, 11, 8)),)
_GENERATION_CUTOFF = ((date(2023, 10, 19), date(2020, 9, 22)),)
_LOOKBACK_YEARS = ((date(2023, 10, 19), 5),)

_RANK = {"fail": 5, "warn": 4, "indeterminate": 3, "pass": 1, "not_applicable": 0}
_MISSING_TEXT = {"zh": "（缺失）", "en": "(missing)"}


@dataclass(slots=True)
class HandItem:
    """One batch's result inside a per-batch rule."""

    key: str
    path: str
    outcome: str
    message: dict[str, str]
    evidence: list[dict[str, Any]]
    derived: dict[str, Any]
    missing: list[str]


@dataclass(slots=True)
class HandFinding:
    """One rule's result: what the engine's Finding carries, minus its fixed metadata."""

    rule_id: str
    outcome: str
    message: dict[str, str]
    evidence: list[dict[str, Any]]
    parameters: list[dict[str, Any]]
    derived: dict[str, Any]
    missing: list[str]
    items: list[HandItem]


def _in_force(history: tuple[tuple[date, Any], ...], as_of: date) -> tuple[date, Any] | None:
    found = None
    for effective, value in history:
        if effective > as_of:
            break
        found = (effective, value)
    return found


def _parameter(name: str, unit: str, found: tuple[date, Any]) -> dict[str, Any]:
    effective, value = found
    shown = value.isoformat() if isinstance(value, date) else value
    return {"name": name, "value": shown, "unit": unit, "effective_from": effective.isoformat()}


def _ev(path: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {"path": path, "value": None, "missing": True}
    if isinstance(value, date):
        return {"path": path, "value": value.isoformat()}
    if isinstance(value, tuple):
        return {"path": path, "value": list(value)}
    return {"path": path, "value": value}


def _flag(value: object, lang: str) -> str:
    if value is None:
        return _MISSING_TEXT[lang]
    return "true" if value else "false"


def _indeterminate(missing: list[str]) -> dict[str, str]:
    text = ", ".join(missing)
    return {"zh": f"无法判定：缺少 {text}。", "en": f"Cannot decide: missing {text}."}


def _not_applicable(condition: str) -> dict[str, str]:
    return {"zh": f"不适用：{condition} 不成立。", "en": f"Not applicable: {condition} is false."}


def _not_in_force(rule_id: str, name: str, as_of: date,
                  evidence: list[dict[str, Any]]) -> HandFinding:
    day = as_of.isoformat()
    message = {"zh": f"不适用：{day} 时参数 {name} 无有效取值（规则未生效）。",
               "en": f"Not applicable: parameter {name} has no value in force on {day}."}
    return HandFinding(rule_id, "not_applicable", message, evidence, [], {}, [], [])


def _no_batches(rule_id: str, parameters: list[dict[str, Any]]) -> HandFinding:
    message = {"zh": "不适用：batches 为空。", "en": "Not applicable: batches is empty."}
    return HandFinding(rule_id, "not_applicable", message, [], parameters, {}, [], [])


def _from_items(rule_id: str, items: list[HandItem],
                parameters: list[dict[str, Any]]) -> HandFinding:
    """A per-batch rule's finding: the worst item outcome, with those items' messages."""
    outcome = max((item.outcome for item in items), key=_RANK.__getitem__)
    chosen = [item for item in items if item.outcome == outcome]
    missing = sorted({path for item in chosen for path in item.missing})
    message = {"zh": " ".join(dict.fromkeys(item.message["zh"] for item in chosen)),
               "en": " ".join(dict.fromkeys(item.message["en"] for item in chosen))}
    return HandFinding(rule_id, outcome, message, [], parameters, {}, missing, items)


def _cred_001(dossier: Dossier, as_of: date) -> HandFinding:
    """Order 31 Art. 17 (3): each batch's period starts after 22 September 2020."""
    found = _in_force(_GENERATION_CUTOFF, as_of)
    if found is None:
        return _not_in_force("CCER.CRED.001", "generation_cutoff", as_of, [])
    parameters = [_parameter("generation_cutoff", "date", found)]
    if not dossier.batches:
        return _no_batches("CCER.CRED.001", parameters)
    cutoff = found[1]
    cut = cutoff.isoformat()
    items = []
    for index, batch in enumerate(dossier.batches):
        path = f"batches[{index}]"
        start = batch.period.start
        began = start.isoformat()
        if start < cutoff:
            outcome = "fail"
            message = {"zh": f"批次 {batch.id} 的核算期始于 {began}，早于 {cut} 之后的要求。",
                       "en": f"Batch {batch.id} accounting period starts on {began}, "
                             f"not after {cut}."}
        elif start == cutoff:
            outcome = "warn"
            message = {"zh": f"批次 {batch.id} 的核算期恰始于 {cut}；当日产生的减排量是否属于"
                             "“之后”需说明。",
                       "en": f"Batch {batch.id} starts exactly on {cut}; whether reductions of "
                             'that day count as "after" needs interpretation.'}
        else:
            outcome = "pass"
            message = {"zh": f"批次 {batch.id} 的核算期始于 {began}，晚于 {cut}。",
                       "en": f"Batch {batch.id} starts on {began}, after {cut}."}
        evidence = [{"path": f"{path}.period.start", "value": began}]
        items.append(HandItem(batch.id, path, outcome, message, evidence, {}, []))
    return _from_items("CCER.CRED.001", items, parameters)


def _five_years(batch: Any, index: int, years: int) -> HandItem:
    path = f"batches[{index}]"
    start, end = batch.period.start, batch.period.end
    application = batch.application
    evidence = [_ev(f"{path}.id", batch.id), _ev(f"{path}.period.start", start),
                _ev(f"{path}.period.end", end),
                _ev(f"{path}.application.date", application and application.date)]
    if application is None:
        return HandItem(batch.id, path, "not_applicable", _not_applicable("exists(b.application)"),
                        evidence, {}, [])
    applied = application.date
    earliest = _plus_years(applied, -years)
    barred = max(0, (earliest - start).days)
    derived = {"earliest_allowed": earliest.isoformat(), "days_time_barred": barred}
    s, e, a, x = start.isoformat(), end.isoformat(), applied.isoformat(), earliest.isoformat()
    if start >= earliest and end <= applied:
        outcome = "pass"
        message = {"zh": f"批次 {batch.id} 的核算期 {s} 至 {e} 位于申请日 {a} 前五年以内。",
                   "en": f"Batch {batch.id} ({s} to {e}) lies within five years before its "
                         f"application on {a}."}
    else:
        outcome = "fail"
        message = {"zh": f"批次 {batch.id}（{s} 至 {e}）于 {a} 申请登记，可登记的最早产生日为 "
                         f"{x}；{barred} 天的减排量超出五年期限（或核算期晚于申请日）。",
                   "en": f"Batch {batch.id} ({s} to {e}) was applied for on {a}; the earliest "
                         f"day allowed is {x}, so {barred} days fall outside the five-year "
                         "window (or the period ends after the application)."}
    return HandItem(batch.id, path, outcome, message, evidence, derived, [])


def _cred_002(dossier: Dossier, as_of: date) -> HandFinding:
    """Order 31 Art. 17 ¶2: each batch was generated within five years before its application."""
    found = _in_force(_LOOKBACK_YEARS, as_of)
    if found is None:
        return _not_in_force("CCER.CRED.002", "lookback_years", as_of, [])
    parameters = [_parameter("lookback_years", "year", found)]
    if not dossier.batches:
        return _no_batches("CCER.CRED.002", parameters)
    items = [_five_years(batch, index, found[1]) for index, batch in enumerate(dossier.batches)]
    return _from_items("CCER.CRED.002", items, parameters)


def _elig_001(dossier: Dossier, as_of: date) -> HandFinding:
    """Order 31 Art. 10 (3): construction (or planting) started after 8 November 2012."""
    construction, planting = dossier.project.construction_start_date, dossier.project.start_date
    document = dossier.evidence.construction_start if dossier.evidence is not None else None
    evidence = [_ev("project.construction_start_date", construction),
                _ev("project.start_date", planting), _ev("evidence.construction_start", document)]
    found = _in_force(_CONSTRUCTION_CUTOFF, as_of)
    if found is None:
        return _not_in_force("CCER.ELIG.001", "construction_cutoff", as_of, evidence)
    parameters = [_parameter("construction_cutoff", "date", found)]
    cutoff = found[1]
    started = construction if construction is not None else planting
    if started is None:
        missing = ["project.construction_start_date", "project.start_date"]
        return HandFinding("CCER.ELIG.001", "indeterminate", _indeterminate(missing), evidence,
                           parameters, {"construction_started": None}, missing, [])
    s, c = started.isoformat(), cutoff.isoformat()
    if started < cutoff:
        outcome = "fail"
        message = {"zh": f"开工建设（或造林开工）日期为 {s}，不晚于 {c}，不符合第十条（三）。",
                   "en": f"Construction (or planting) started on {s}, not after {c}, as Art. 10 "
                         "(3) requires."}
    elif started == cutoff:
        outcome = "warn"
        message = {"zh": f"开工建设日期恰为 {c}；“之后”是否包含当日需由项目业主说明。",
                   "en": f'Construction started exactly on {c}; whether "after" includes that '
                         "day needs the owner's interpretation."}
    else:
        outcome = "pass"
        message = {"zh": f"开工建设（或造林开工）日期 {s} 晚于 {c}。",
                   "en": f"Construction (or planting) started on {s}, after {c}."}
    return HandFinding("CCER.ELIG.001", outcome, message, evidence, parameters,
                       {"construction_started": s}, [], [])


def _elig_002(dossier: Dossier) -> HandFinding:
    """Order 31 Art. 10 ¶2: no legal GHG reduction duty."""
    duty = dossier.project.legal_reduction_obligation
    evidence = [_ev("project.legal_reduction_obligation", duty)]
    if duty is None:
        missing = ["project.legal_reduction_obligation"]
        return HandFinding("CCER.ELIG.002", "indeterminate", _indeterminate(missing), evidence,
                           [], {}, missing, [])
    if duty:
        message = {"zh": "项目文件申明项目负有法定温室气体减排义务（project.legal_reduction_"
                         "obligation = true），依第十条第二款不得申请登记。",
                   "en": "The dossier declares a legal GHG reduction duty (project.legal_"
                         "reduction_obligation = true); Art. 10 ¶2 bars such projects from "
                         "registration."}
        return HandFinding("CCER.ELIG.002", "fail", message, evidence, [], {}, [], [])
    message = {"zh": "项目文件申明项目无法定温室气体减排义务。",
               "en": "The dossier declares no legal GHG reduction duty."}
    return HandFinding("CCER.ELIG.002", "pass", message, evidence, [], {}, [], [])


def _elig_003(dossier: Dossier) -> HandFinding:
    """Order 31 Art. 10 ¶2: not under national or local ETS allowance management."""
    ets = dossier.ets
    if ets is None:
        evidence = [{"path": p, "value": None, "missing": True} for p in
                    ("ets.national_covered", "ets.local_pilot_covered", "ets.facility_ids")]
        return HandFinding("CCER.ELIG.003", "indeterminate", _indeterminate(["ets"]), evidence,
                           [], {}, ["ets"], [])
    national, local = ets.national_covered, ets.local_pilot_covered
    evidence = [_ev("ets.national_covered", national), _ev("ets.local_pilot_covered", local),
                _ev("ets.facility_ids", ets.facility_ids)]
    if national or local:  # one known true fact fails the rule, even if the other is missing
        message = {"zh": f"项目设施纳入碳市场配额管理（全国：{_flag(national, 'zh')}，地方："
                         f"{_flag(local, 'zh')}），依第十条第二款不得申请登记。",
                   "en": "The project's facilities are under ETS allowance management (national "
                         f"{_flag(national, 'en')}, local {_flag(local, 'en')}); Art. 10 ¶2 "
                         "bars registration."}
        return HandFinding("CCER.ELIG.003", "fail", message, evidence, [], {}, [], [])
    missing = [path for path, value in (("ets.local_pilot_covered", local),
                                        ("ets.national_covered", national)) if value is None]
    if missing:
        return HandFinding("CCER.ELIG.003", "indeterminate", _indeterminate(sorted(missing)),
                           evidence, [], {}, sorted(missing), [])
    message = {"zh": "项目设施未纳入全国或地方碳市场配额管理。",
               "en": "The project's facilities are under neither national nor local ETS "
                     "allowance management."}
    return HandFinding("CCER.ELIG.003", "pass", message, evidence, [], {}, [], [])


def _entity(party: Party | None) -> str | None:
    """The legal person a VVB stands for: the one it is a branch of, else itself."""
    if party is None:
        return None
    return party.branch_of if party.branch_of is not None else party.uscc


def _vvb_verdict(verifier: Any, posted: Any, path: str,
                 validator: Any) -> tuple[bool | None, list[str]]:
    """The condition: neither the verifier nor the posted VVB is the validating legal person.

    True, False, or None with the missing paths (a side that does not exist holds).
    """
    ours = _entity(validator)
    missing: set[str] = set()
    for party, where in ((verifier, f"{path}.verification.vvb"),
                         (posted, f"{path}.publicity.vvb")):
        if party is None:
            continue
        theirs = _entity(party)
        if theirs is None:
            missing.update((f"{where}.branch_of", f"{where}.uscc"))
        if ours is None:
            missing.update(("validation",) if validator is None else
                           ("validation.vvb.branch_of", "validation.vvb.uscc"))
        elif theirs == ours:
            return False, []
    return (None, sorted(missing)) if missing else (True, [])


def _vvb_warn(verifier: Any, posted: Any, validator: Any) -> bool:
    """Affiliation between the validating VVB and the verifier (or the posted VVB)."""
    other = verifier if verifier is not None else posted
    if validator.uscc is not None and other is not None and validator.uscc in other.affiliates:
        return True
    uscc = verifier.uscc if verifier is not None and verifier.uscc is not None else (
        posted.uscc if posted is not None else None)
    return uscc is not None and uscc in validator.affiliates


def _shown(value: str | None, lang: str) -> str:
    return _MISSING_TEXT[lang] if value is None else value


def _independence(batch: Any, index: int, validation: Any) -> HandItem:
    path = f"batches[{index}]"
    validator = validation.vvb if validation is not None else None
    verifier = batch.verification.vvb if batch.verification is not None else None
    posted = batch.publicity.vvb if batch.publicity is not None else None
    evidence = [_ev(f"{path}.id", batch.id),
                _ev("validation.vvb.name", validator and validator.name),
                _ev("validation.vvb.uscc", validator and validator.uscc),
                _ev(f"{path}.publicity.vvb.name", posted and posted.name),
                _ev(f"{path}.publicity.vvb.uscc", posted and posted.uscc),
                _ev(f"{path}.verification.vvb.name", verifier and verifier.name),
                _ev(f"{path}.verification.vvb.uscc", verifier and verifier.uscc),
                _ev("validation.vvb.branch_of", validator and validator.branch_of),
                _ev(f"{path}.verification.vvb.branch_of", verifier and verifier.branch_of),
                _ev(f"{path}.publicity.vvb.branch_of", posted and posted.branch_of)]
    if verifier is None and posted is None:
        return HandItem(batch.id, path, "not_applicable",
                        _not_applicable("exists(b.verification) or exists(b.publicity.vvb)"),
                        evidence, {}, [])
    we, ve = _entity(validator), _entity(verifier)
    derived = {"validator_entity": we, "verifier_entity": ve, "posted_entity": _entity(posted)}
    verdict, missing = _vvb_verdict(verifier, posted, path, validator)
    if verdict is None:
        return HandItem(batch.id, path, "indeterminate", _indeterminate(missing), evidence,
                        derived, missing)
    assert validator is not None and we is not None
    b, wn = batch.id, validator.name
    vn = {lang: _shown(verifier and verifier.name, lang) for lang in ("zh", "en")}
    if verdict is False:
        pn = {lang: _shown(posted and posted.name, lang) for lang in ("zh", "en")}
        outcome = "fail"
        message = {"zh": f"批次 {b} 委托的核查机构（公示：{pn['zh']}；核查报告：{vn['zh']}）"
                         f"与项目审定机构 {wn} 为同一法人（{we}）。",
                   "en": f"Batch {b} commissioned the VVB that validated the project as its "
                         f"verifier (posted {pn['en']}; report {vn['en']}; validator {wn}, "
                         f"legal person {we})."}
    elif _vvb_warn(verifier, posted, validator):
        outcome = "warn"
        message = {"zh": f"批次 {b} 的核查机构 {vn['zh']} 与审定机构 {wn} 存在关联关系，"
                         "需评估其独立性。",
                   "en": f"Batch {b} verifier {vn['en']} is affiliated with the validating VVB "
                         f"{wn}; its independence needs review."}
    else:
        outcome = "pass"
        message = {"zh": f"批次 {b} 的核查机构（{_shown(ve, 'zh')}）不同于审定机构 {wn}（{we}）。",
                   "en": f"Batch {b} verifier (legal person {_shown(ve, 'en')}) differs from "
                         f"the validating VVB {wn} ({we})."}
    return HandItem(b, path, outcome, message, evidence, derived, [])


def _vvb_001(dossier: Dossier) -> HandFinding:
    """Order 31 Art. 18 ¶1: the verifying VVB is not the validating VVB."""
    if not dossier.batches:
        return _no_batches("CCER.VVB.001", [])
    items = [_independence(batch, index, dossier.validation)
             for index, batch in enumerate(dossier.batches)]
    return _from_items("CCER.VVB.001", items, [])


def hand_check(dossier: Dossier, as_of: date) -> list[HandFinding]:
    """The six checks written by hand, in the engine's finding order."""
    return [_cred_001(dossier, as_of), _cred_002(dossier, as_of), _elig_001(dossier, as_of),
            _elig_002(dossier), _elig_003(dossier), _vvb_001(dossier)]


# ---------------------------------------------------------------------------------------------
# (d) The same decisions as bare outcomes: no evidence, no messages.
# ---------------------------------------------------------------------------------------------


def _worst(outcomes: list[str]) -> str:
    return max(outcomes, key=_RANK.__getitem__) if outcomes else "not_applicable"


def _bare_cred(dossier: Dossier, as_of: date) -> tuple[str, str]:
    cutoff = _in_force(_GENERATION_CUTOFF, as_of)
    lookback = _in_force(_LOOKBACK_YEARS, as_of)
    starts, windows = [], []
    for batch in dossier.batches:
        start = batch.period.start
        if cutoff is not None:
            starts.append("fail" if start < cutoff[1] else
                          "warn" if start == cutoff[1] else "pass")
        application = batch.application
        if lookback is None or application is None:
            windows.append("not_applicable")
            continue
        earliest = _plus_years(application.date, -lookback[1])
        windows.append("pass" if start >= earliest and batch.period.end <= application.date
                       else "fail")
    return (_worst(starts) if cutoff else "not_applicable",
            _worst(windows) if lookback else "not_applicable")


def _bare_elig_001(dossier: Dossier, as_of: date) -> str:
    cutoff = _in_force(_CONSTRUCTION_CUTOFF, as_of)
    started = dossier.project.construction_start_date or dossier.project.start_date
    if cutoff is None:
        return "not_applicable"
    if started is None:
        return "indeterminate"
    return "fail" if started < cutoff[1] else "warn" if started == cutoff[1] else "pass"


def _bare_vvb(dossier: Dossier) -> str:
    validator = dossier.validation.vvb if dossier.validation is not None else None
    ours = _entity(validator)
    outcomes = []
    for batch in dossier.batches:
        verifier = batch.verification.vvb if batch.verification is not None else None
        posted = batch.publicity.vvb if batch.publicity is not None else None
        sides = [_entity(party) for party in (verifier, posted) if party is not None]
        if not sides:
            outcomes.append("not_applicable")
        elif ours is not None and ours in sides:
            outcomes.append("fail")
        elif ours is None or None in sides:
            outcomes.append("indeterminate")
        else:
            outcomes.append("warn" if _vvb_warn(verifier, posted, validator) else "pass")
    return _worst(outcomes)


def hand_outcomes(dossier: Dossier, as_of: date) -> tuple[str, ...]:
    """The six rule outcomes only, in the engine's finding order."""
    duty = dossier.project.legal_reduction_obligation
    ets = dossier.ets
    if ets is None:
        trade = "indeterminate"
    elif ets.national_covered or ets.local_pilot_covered:
        trade = "fail"
    elif ets.national_covered is None or ets.local_pilot_covered is None:
        trade = "indeterminate"
    else:
        trade = "pass"
    return (*_bare_cred(dossier, as_of), _bare_elig_001(dossier, as_of),
            "indeterminate" if duty is None else "fail" if duty else "pass",
            trade, _bare_vvb(dossier))


# ---------------------------------------------------------------------------------------------
# Agreement: the engine and the hand-written checks must say the same thing.
# ---------------------------------------------------------------------------------------------


def _engine_view(report: Report) -> list[dict[str, Any]]:
    view = []
    for f in report.findings:
        items = [{"key": i.key, "path": i.path, "outcome": i.outcome.value,
                  "message": i.message, "evidence": i.evidence, "missing": i.missing,
                  "derived": i.derived}
                 for i in f.items]
        view.append({"rule_id": f.rule_id, "outcome": f.outcome.value, "message": f.message,
                     "evidence": f.evidence, "parameters": f.parameters,
                     "derived": None if f.items else f.derived, "missing": f.missing,
                     "items": items})
    return view


def _hand_view(findings: list[HandFinding]) -> list[dict[str, Any]]:
    view = []
    for f in findings:
        items = [{"key": i.key, "path": i.path, "outcome": i.outcome, "message": i.message,
                  "evidence": i.evidence, "missing": i.missing,
                  "derived": i.derived}
                 for i in f.items]
        view.append({"rule_id": f.rule_id, "outcome": f.outcome, "message": f.message,
                     "evidence": f.evidence, "parameters": f.parameters,
                     "derived": None if f.items else f.derived, "missing": f.missing,
                     "items": items})
    return view


def _outcomes(view: list[dict[str, Any]]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(f["rule_id"], f["outcome"], tuple(i["outcome"] for i in f["items"])) for f in view]


def _first_difference(engine: list[dict[str, Any]], hand: list[dict[str, Any]]) -> str:
    for mine, other in zip(engine, hand, strict=True):
        for key in mine:
            if mine[key] != other[key]:
                return (f"{mine['rule_id']} {key}:\n      engine {mine[key]!r}"
                        f"\n      hand   {other[key]!r}")
    return "(finding count differs)"


def check_agreement(cases: Sequence[Case], packs: list[Pack]) -> tuple[bool, Counter[str]]:
    """Compare engine and hand-written results on every case; print the counts."""
    outcome_ok = detail_ok = bare_ok = stale = 0
    tally: Counter[str] = Counter()
    shown = 0
    for dossier, as_of in cases:
        report = evaluate(dossier, packs, as_of=as_of)
        stale += sum(1 for f in report.findings for i in f.items
                     if i.outcome.value == "not_applicable" and i.derived)
        engine = _engine_view(report)
        hand = _hand_view(hand_check(dossier, as_of))
        engine_outcomes = _outcomes(engine)
        tally.update(f"{rule} {outcome}" for rule, outcome, _ in engine_outcomes)
        outcome_ok += engine_outcomes == _outcomes(hand)
        detail_ok += engine == hand
        bare_ok += tuple(o for _, o, _ in engine_outcomes) == hand_outcomes(dossier, as_of)
        if engine != hand and shown < 5:
            shown += 1
            print(f"  DISAGREE {dossier.id} as of {as_of}: {_first_difference(engine, hand)}")
    total = len(cases)
    print(f"agreement on {total:,} dossiers: outcomes (rule and batch) {outcome_ok:,}/{total:,}; "
          f"messages, evidence, missing paths, parameters, derived {detail_ok:,}/{total:,}; "
          f"bare outcomes (d) {bare_ok:,}/{total:,}")
    if stale:
        print(f"  note: {stale:,} not-applicable batches carry 'derived' let values left over "
              "from an earlier batch in the engine's report (not compared)")
    return outcome_ok == detail_ok == bare_ok == total, tally


def check_edge_cases(pack: Pack) -> bool:
    """Untimed: before the parameters are in force, and a dossier without batches.

    Each rule runs alone, so that a rule the engine cannot evaluate does not hide the others.
    """
    base = load_dossier_data(EXAMPLE)
    no_batches = dossier_from_data({**base, "batches": []}, "no batches")
    edges = [(dossier_from_data(base, "example"), date(2023, 10, 18), "as of 2023-10-18"),
             (no_batches, date(2025, 7, 1), "no batches")]
    agree = crashed = 0
    ok = True
    for dossier, as_of, label in edges:
        hand = _hand_view(hand_check(dossier, as_of))
        for rule, mine in zip(pack.rules, hand, strict=True):
            single = dataclasses.replace(pack, rules=(rule,))
            try:
                engine = _engine_view(evaluate(dossier, [single], as_of=as_of))
            except Exception as err:  # noqa: BLE001 - reported, and counted as a disagreement
                crashed += 1
                ok = False
                print(f"  edge {label}: {rule.id}: engine raised {type(err).__name__}: {err} "
                      f"(hand: {mine['outcome']})")
                continue
            if engine == [mine]:
                agree += 1
            else:
                ok = False
                print(f"  edge {label}: DISAGREE {_first_difference(engine, [mine])}")
    print(f"edge cases (untimed): {agree} rule results agree, {crashed} engine exceptions")
    return ok


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------


def _variants(packs: list[Pack]) -> dict[str, Callable[[Sequence[Case]], None]]:
    def engine(cases: Sequence[Case]) -> None:
        for dossier, as_of in cases:
            evaluate(dossier, packs, as_of=as_of)

    def engine_traced(cases: Sequence[Case]) -> None:
        for dossier, as_of in cases:
            evaluate(dossier, packs, as_of=as_of, trace=True)

    def hand(cases: Sequence[Case]) -> None:
        for dossier, as_of in cases:
            hand_check(dossier, as_of)

    def bare(cases: Sequence[Case]) -> None:
        for dossier, as_of in cases:
            hand_outcomes(dossier, as_of)

    return {"(a) engine, evaluate()": engine,
            "(b) engine, evaluate(trace=True)": engine_traced,
            "(c) hand_check (decisions + explanations)": hand,
            "(d) hand_outcomes (decisions only)": bare,
            COLD: engine}


# The dossier digest (report.dossier.sha256) is computed once per Dossier object and kept, so
# the rounds above, on dossiers already evaluated, do not pay for it; this variant runs on fresh
# copies (made untimed before each round) to show what a first evaluation costs.
COLD = "(e) engine, evaluate(), first time per dossier"


CHUNK = 100  # dossiers per timed slice; every variant runs each slice before the next one


@dataclass(slots=True)
class Timings:
    """Seconds per variant in each round, and the ratios to (c) measured within each round."""

    rounds: dict[str, list[float]]

    def median(self, name: str) -> float:
        return statistics.median(self.rounds[name])

    def ratios(self, name: str, reference: str) -> list[float]:
        """``name`` over ``reference`` per round: both timed on the same slices, side by side."""
        return [a / c for a, c in zip(self.rounds[name], self.rounds[reference], strict=True)]


def time_variants(cases: Sequence[Case], packs: list[Pack], repeat: int,
                  chunk: int = CHUNK) -> Timings:
    """Each variant's wall time per round, the variants interleaved slice by slice.

    The machine is shared: its speed drifts by tens of percent within seconds. So each round
    walks the dossiers in slices of ``chunk``, runs every variant on a slice (rotating which goes
    first) before moving on, and adds up each variant's time; a drift then slows all variants
    alike and the per-round ratio stays true. The dossiers are frozen out of the garbage
    collector's view (``gc.freeze``) and each timed run starts from a collection, so no variant
    pays for scanning the others' garbage or the 2,000 long-lived dossiers.
    """
    variants = _variants(packs)
    names = list(variants)
    rounds: dict[str, list[float]] = {name: [] for name in variants}
    gc.freeze()
    try:
        for round_number in range(1, repeat + 1):
            fresh = [(d.model_copy(), a) for d, a in cases]  # (e): new objects, copied untimed
            totals = dict.fromkeys(names, 0.0)
            for index, first in enumerate(range(0, len(cases), chunk)):
                turn = index % len(names)
                for name in names[turn:] + names[:turn]:
                    part = (fresh if name == COLD else cases)[first:first + chunk]
                    gc.collect()
                    started = time.perf_counter()
                    variants[name](part)
                    totals[name] += time.perf_counter() - started
            for name in names:
                rounds[name].append(totals[name])
            print(f"  round {round_number}: " + ", ".join(
                f"{name.split()[0]} {totals[name]:.3f} s" for name in names)
                + f"; a/c {totals[names[0]] / totals[names[2]]:.2f}")
    finally:
        gc.unfreeze()
    return Timings(rounds)


def report_times(timings: Timings, count: int) -> None:
    """Dossiers per second for each variant, and each ratio to (c) as the median of the rounds'."""
    names = list(timings.rounds)
    hand = names[2]
    print(f"\n{'variant':<44} {'median s':>9} {'dossiers/s':>11} {'us/dossier':>11} "
          f"{'time / (c)':>10}  {'rounds':>11}")
    for name in names:
        seconds = timings.median(name)
        ratios = timings.ratios(name, hand)
        print(f"{name:<44} {seconds:>9.3f} {count / seconds:>11,.0f} "
              f"{seconds / count * 1e6:>11.1f} {statistics.median(ratios):>9.2f}x  "
              f"{min(ratios):.2f}-{max(ratios):.2f}")
    ratio = statistics.median(timings.ratios(names[0], hand))
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"\nratio a/c = {ratio:.2f} (median of the rounds' ratios), "
          f"b/c = {statistics.median(timings.ratios(names[1], hand)):.2f}, "
          f"c/d = {statistics.median(timings.ratios(hand, names[3])):.2f}, "
          f"e/c = {statistics.median(timings.ratios(COLD, hand)):.2f}; "
          f"target a/c <= {TARGET_RATIO:.0f}: {verdict}")


def profile_engine(cases: Sequence[Case], packs: list[Pack], top: int = 25) -> None:
    """cProfile one pass of (a); print the top functions and the time per source file."""
    profiler = cProfile.Profile()
    profiler.enable()
    for dossier, as_of in cases:
        evaluate(dossier, packs, as_of=as_of)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    print(stream.getvalue())
    by_file: Counter[str] = Counter()
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (file, _, function), (_, _, own, _, _) in raw.items():
        where = "/".join(Path(file).parts[-2:]) if file != "~" else function
        by_file[where] += own
    total = sum(by_file.values())
    print(f"own time by file (profiled total {total:.3f} s):")
    for where, own in by_file.most_common(15):
        print(f"  {own:7.3f} s {own / total:6.1%}  {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=2000, help="dossiers to build (2000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds; median (3)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed ({SEED})")
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile one engine pass and print where the time goes")
    args = parser.parse_args()

    print(f"Python {platform.python_version()} ({platform.python_implementation()}), "
          f"{os.cpu_count()} CPUs, {platform.machine()}, pydantic {pydantic.VERSION}")
    compiled = compiled_modules()
    print(f"engine build: {len(compiled)} of {len(COMPILED_MODULES)} hot modules compiled by "
          f"mypyc" + ("" if compiled else " (pure Python; CVCM_RULES_PURE_PYTHON set, or no C "
                                          "compiler at install)"))
    if args.profile and compiled:
        print("note: cProfile sees no function inside the compiled modules; profile with "
              "CVCM_RULES_PURE_PYTHON=1")
    pack = load_six_rule_pack()
    packs = [pack]
    default_calendar()  # built once per process; not part of any timing
    started = time.perf_counter()
    cases = make_cases(args.dossiers, args.seed)
    batches = sum(len(dossier.batches) for dossier, _ in cases)
    print(f"{len(cases):,} dossiers ({batches:,} batches), seed {args.seed}, rules "
          f"{', '.join(RULE_IDS)} (pack sha256 {pack.sha256[:12]}); built and validated in "
          f"{time.perf_counter() - started:.2f} s")

    agreed, tally = check_agreement(cases, packs)
    edges_ok = check_edge_cases(pack)
    for rule in RULE_IDS:
        counts = ", ".join(f"{key.split()[1]} {n}" for key, n in sorted(tally.items())
                           if key.startswith(rule + " "))
        print(f"  {rule}: {counts}")
    if not (agreed and edges_ok):
        sys.exit("the hand-written checks and the engine disagree: nothing timed")

    print(f"\ntiming {args.repeat} rounds over {len(cases):,} dossiers")
    timings = time_variants(cases, packs, args.repeat)
    report_times(timings, len(cases))
    if args.profile:
        print()
        profile_engine(cases, packs)


if __name__ == "__main__":
    main()
