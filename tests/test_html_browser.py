"""The HTML report in a real headless browser (Debian's ``chromium``), with no network.

One browser is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``), so the
test sees what a reader sees: it counts the timeline's events in the rendered SVG, checks that a
failing finding is on screen, that the page logged no console error and fetched nothing but its
own file, and that it prints to PDF. Expected event counts are tallied by hand from the example
dossiers (see ``EXPECTED_EVENTS``).

Without chromium the test is skipped on a developer machine and fails under CI (``CI=true``,
set by ``.ci/run``, which installs chromium). ``CVCM_UPDATE_DOCS=1`` also writes the screenshot
committed under ``docs/examples/``.
"""

from __future__ import annotations

import base64
import copy
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import patched_data
from cvcm_rules.casetest import load_cases
from cvcm_rules.engine import Report, evaluate
from cvcm_rules.model import Dossier, dossier_from_data, load_dossier, load_dossier_data
from cvcm_rules.packs import Pack, load_pack
from cvcm_rules.report.html import render_html

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2025, 7, 1)
EXAMPLES = sorted(ROOT.glob("fixtures/dossiers/*/*.yaml"))
# A report with blocking failures (capped categories, a flagged batch) for readers to look at.
SCREENSHOT = ROOT / "docs" / "examples" / "grouped-biogas.ccer.en.png"
UPDATE = os.environ.get("CVCM_UPDATE_DOCS") == "1"
# Rows of the timeline, counted in each example dossier: construction (construction or operation
# date), project start, each crediting period, PDD publicity, validation, registration, and per
# batch its monitoring period, publicity, verification and registration/issuance when dated.
EXPECTED_EVENTS = {
    # construction, start, 1 crediting period, PDD publicity, validation, registration = 6;
    # batch B1: period, publicity, verification, issuance = 4.
    "ccer/afforestation": 10,
    # construction to operation, crediting, validation, registration = 4; B1 has no
    # publicity: period, verification, issuance = 3.
    "ccer/legacy-wind": 7,
    "ccer/mangrove": 10,
    # no start_date: construction, crediting, PDD publicity, validation, registration = 5;
    # batches B1 and B2, 4 rows each = 8.
    "ccer/offshore-wind": 13,
    "ccer/solar-thermal": 13,
    # construction, start, crediting, validation, registration = 5; batches B1-B3 have no
    # publicity: period, verification, issuance = 3 each = 9.
    "fcer/grouped-biogas": 14,
    # construction, crediting, validation, registration = 4; B1, B2 x 3 = 6.
    "fcer/solar-thermal": 10,
    # start, crediting, validation (report only), registration (decision only) = 4; MP1, MP2 x 3.
    "icvcm_ccp/gs-cookstove": 10,
    # construction, start, crediting, validation, registration = 5; MP1 x 3.
    "icvcm_ccp/vcs-arr": 8,
}
FAILING_CASE = ("CCER.TIME.002",
                "Spring Festival 2026, ending 2026-02-26 is one working day short")
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--disable-extensions",
          "--disable-default-apps", "--no-first-run", "--no-default-browser-check",
          "--host-resolver-rules=MAP * ~NOTFOUND", "--no-proxy-server", "--hide-scrollbars",
          "--remote-debugging-pipe"]

_TRAMPOLINE = ("import os, sys\n"
               "os.dup2(int(sys.argv[1]), 3)\nos.dup2(int(sys.argv[2]), 4)\n"
               "os.close(int(sys.argv[1]))\nos.close(int(sys.argv[2]))\n"
               "os.execv(sys.argv[3], sys.argv[3:])\n")


class Browser:
    """A headless chromium driven over the DevTools protocol on fds 3 (in) and 4 (out)."""

    def __init__(self, executable: str, profile: Path) -> None:
        to_child, self._write = map(_high, os.pipe())
        self._read, from_child = map(_high, os.pipe())
        # A small trampoline puts our pipe ends (both above 9, so neither is 3 or 4) on the
        # descriptors chromium expects, closes the originals and becomes chromium.
        self._process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            [sys.executable, "-c", _TRAMPOLINE, str(to_child), str(from_child), executable,
             *_FLAGS, f"--user-data-dir={profile}"],
            pass_fds=(to_child, from_child), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        try:
            target = self.call("Target.createTarget", url="about:blank")["targetId"]
            self.session = self.call("Target.attachToTarget", targetId=target,
                                     flatten=True)["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.call(f"{domain}.enable", session=self.session)
        except (RuntimeError, TimeoutError, OSError):
            self.close()
            raise

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._read], [], [], max(left, 0))
            if not ready:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return dict(json.loads(message))

    def call(self, method: str, *, session: str | None = None, timeout: float = 30,
             **params: Any) -> dict[str, Any]:
        """Send one command and return its result; events met meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> None:
        """Wait until an event named ``method`` has arrived (from the page's session)."""
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._receive(deadline))

    def open(self, page: Path) -> None:
        """Load a local file and wait for its load event; forget earlier events."""
        self.events.clear()
        self.call("Page.navigate", session=self.session, url=page.as_uri())
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = self.call("Runtime.evaluate", session=self.session, expression=expression,
                           returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors seen since ``open``."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error",
                                                                                 "assert"):
                found.append(json.dumps(params.get("args"), ensure_ascii=False))
            elif method == "Runtime.exceptionThrown":
                found.append(json.dumps(params.get("exceptionDetails"), ensure_ascii=False))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(params["entry"].get("text", ""))
        return found

    def requested(self) -> list[str]:
        """Every URL the page asked for since ``open``."""
        return [e["params"]["request"]["url"] for e in self.events
                if e.get("method") == "Network.requestWillBeSent"]

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._read)
        os.close(self._write)


def _high(fd: int) -> int:
    """The same pipe end moved to a descriptor number of 10 or more (close-on-exec)."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail("chromium is not installed: .ci/run installs Debian's chromium "
                        "(apt-get install chromium); this test must run in CI")
        pytest.skip("chromium is not installed (under CI=true this is a failure)")
    return found


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    driver = Browser(_chromium(), tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.close()


@pytest.fixture(scope="module")
def packs() -> list[Pack]:
    return [load_pack(p) for p in ("ccer", "fcer", "icvcm_ccp")]


def _page(tmp_path: Path, name: str, dossier: Dossier, report: Report, lang: str) -> Path:
    page = tmp_path / f"{name}.{lang}.html"
    page.write_text(render_html([report], lang=lang, dossiers=[dossier]), encoding="utf-8")
    return page


def _check_clean(browser: Browser, page: Path) -> None:
    assert browser.console_errors() == []
    assert browser.requested() == [page.as_uri()]


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("path", EXAMPLES, ids=_name)
def test_example_report_in_a_browser(browser: Browser, packs: list[Pack], tmp_path: Path,
                                     path: Path, lang: str) -> None:
    name = _name(path)
    assert name in EXPECTED_EVENTS, f"count the timeline events of {name} by hand and add them"
    dossier = load_dossier(path)
    report = evaluate(dossier, packs, as_of=AS_OF)
    page = _page(tmp_path, name.replace("/", "-"), dossier, report, lang)
    browser.open(page)
    _check_clean(browser, page)
    assert browser.evaluate("document.querySelectorAll('svg.timeline').length") == 1
    assert browser.evaluate(
        "document.querySelectorAll('svg.timeline g.event').length") == EXPECTED_EVENTS[name]
    # Every failing finding of the report is on screen (laid out, not hidden).
    failing = sorted(f.rule_id for f in report.findings if f.outcome.value == "fail")
    shown = browser.evaluate(
        "[...document.querySelectorAll('article.finding.outcome-fail')]"
        ".filter(e => e.checkVisibility() && e.getBoundingClientRect().height > 0)"
        ".map(e => e.dataset.rule).sort()")
    assert shown == failing


def test_failing_fixture_is_visible_and_marked(browser: Browser, tmp_path: Path) -> None:
    rule, name = FAILING_CASE
    [case] = [c for c in load_cases(ROOT / "fixtures" / "cases" / "ccer")
              if c.rule == rule and c.name == name]
    data = copy.deepcopy(load_dossier_data(case.base))
    for path, value in case.set.items():
        data = patched_data(data, path, value)
    dossier = dossier_from_data(data, name)
    report = evaluate(dossier, [load_pack("ccer")], as_of=case.as_of)
    page = _page(tmp_path, "spring-festival", dossier, report, "en")
    browser.open(page)
    _check_clean(browser, page)
    finding = browser.evaluate(
        f"(() => {{ const e = document.querySelector('article.finding[data-rule=\"{rule}\"]');"
        " const r = e.getBoundingClientRect();"
        " return {outcome: e.dataset.outcome, visible: e.checkVisibility() && r.height > 0,"
        " text: e.innerText}; })()")
    assert finding["outcome"] == "fail" and finding["visible"]
    # The message names the values: posted 2026-01-26 to 2026-02-26, 19 working days, due
    # 2026-02-27 (the case's sibling "to 2026-02-27 is exactly 20").
    for text in ("2026-01-26", "2026-02-26", "19", "2026-02-27"):
        assert text in finding["text"]
    event = browser.evaluate(
        "(() => { const g = document.querySelector("
        "'svg.timeline g.event[data-key=\"pdd_publicity\"]');"
        " return {cls: g.getAttribute('class'), holidays: g.querySelectorAll('.holiday').length,"
        " deadlines: g.querySelectorAll('.deadline').length,"
        " flag: g.querySelectorAll('.flag').length}; })()")
    # Spring Festival 2026 inside the window: 02-16 to 02-20 and 02-23 are weekdays off.
    assert "failing" in event["cls"].split()
    assert (event["holidays"], event["deadlines"], event["flag"]) == (6, 1, 1)
    pdf = browser.call("Page.printToPDF", session=browser.session, printBackground=True)
    assert base64.b64decode(pdf["data"]).startswith(b"%PDF-")


def test_screenshot_for_readers(browser: Browser, packs: list[Pack], tmp_path: Path) -> None:
    dossier = load_dossier(ROOT / "fixtures" / "dossiers" / "fcer" / "grouped-biogas.yaml")
    report = evaluate(dossier, [packs[0]], as_of=AS_OF)
    page = _page(tmp_path, "grouped-biogas", dossier, report, "en")
    browser.call("Emulation.setDeviceMetricsOverride", session=browser.session, width=1200,
                 height=2400, deviceScaleFactor=1, mobile=False)
    browser.open(page)
    _check_clean(browser, page)
    shot = browser.call("Page.captureScreenshot", session=browser.session, format="png",
                        clip={"x": 0, "y": 0, "width": 1200, "height": 2400, "scale": 1})
    png = base64.b64decode(shot["data"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    if UPDATE:
        SCREENSHOT.write_bytes(png)
    assert SCREENSHOT.is_file(), f"{SCREENSHOT} is missing: run with CVCM_UPDATE_DOCS=1"


def test_the_harness_sees_console_errors_and_fetches(browser: Browser, tmp_path: Path) -> None:
    """The checks above would catch a broken page: this one logs an error and fetches a file."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><img src="missing.png">'
                    '<script>console.error("boom")</script></body></html>', encoding="utf-8")
    browser.open(page)
    assert any("boom" in text for text in browser.console_errors())
    assert (tmp_path / "missing.png").as_uri() in browser.requested()
