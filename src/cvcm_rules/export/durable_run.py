"""Run an export's rulesets in durable_rules and say which rules fired for a dossier.

Needs durable_rules (the ``durable`` extra; it does not import on Python 3.13). What the runner
does about durable_rules' measured pitfalls:

- ``Host.get_action`` raises for rules whose action is a name: a subclass resolves every name to
  a recorder of the rules that fired.
- A Host starts two dispatcher threads that can run actions on their own thread, losing them from
  the result: the subclass's ``_run`` starts none.
- ``set_rulesets`` deletes the ``run`` keys of the dict it is given: it gets a deep copy.
- Facts, not events (an event fires one rule only); one new ``sid`` per dossier and ruleset, whose
  state is deleted afterwards (a ruleset holds at most 1,024 live sids).
- After a failed assert, deleting the state crashes the process: the runner refuses to go on.
"""

from __future__ import annotations

import copy
import importlib
import itertools
from collections.abc import Callable, Mapping
from typing import Any

from cvcm_rules.errors import CvcmRulesError, InputError
from cvcm_rules.export.durable import CATCH_ALL, FORMAT
from cvcm_rules.export.facts import FactShape, dossier_fact
from cvcm_rules.model import Dossier

__all__ = ["DurableRunError", "DurableRunner", "DurableUnavailableError", "durable_unavailable"]


class DurableUnavailableError(CvcmRulesError):
    """durable_rules cannot be imported here."""


class DurableRunError(CvcmRulesError):
    """durable_rules refused a fact; the runner cannot be used afterwards."""


def durable_unavailable() -> str | None:
    """Why durable_rules cannot be used here, or None when it can."""
    try:
        _engine()
    except DurableUnavailableError as err:
        return str(err)
    return None


def _engine() -> Any:
    try:
        return importlib.import_module("durable.engine")
    except ImportError as err:
        raise DurableUnavailableError(
            f"durable_rules cannot be imported ({err}); install the 'durable' extra, "
            "cvcm-rules[durable], on Python 3.11 or 3.12") from None


def _recording_host(engine: Any, fired: list[str]) -> Any:
    def get_action(self: Any, name: str) -> Callable[[Any], None]:
        def record(closure: Any) -> None:
            fired.append(name)

        return record

    def run_no_threads(self: Any) -> None:
        """Start no dispatcher threads: every action runs inside ``assert_fact``."""

    host_class = type("RecordingHost", (engine.Host,),
                      {"get_action": get_action, "_run": run_no_threads})
    return host_class()


class DurableRunner:
    """The rulesets of one export, registered on their own durable_rules host.

    Not thread-safe: use one runner per thread.

    Args:
        export: an export document (``DurableExport.to_dict()``, or the JSON the command line
            writes, parsed).

    Raises:
        DurableUnavailableError: durable_rules cannot be imported.
        InputError: ``export`` is not an export document.
    """

    def __init__(self, export: Mapping[str, Any]) -> None:
        engine = _engine()
        if export.get("format") != FORMAT:
            raise InputError(f"not a durable_rules export (its 'format' is not {FORMAT!r})")
        try:
            self._shapes = {name: FactShape.from_dict(shape, f"facts[{name!r}]")
                            for name, shape in export["facts"].items()}
            self._marker = dict(export["fact"]["marker"])
            self._rules = {name: (rule_id, outcome) for rule_id, entry in export["rules"].items()
                           for outcome in ("fail", "warn")
                           if isinstance(name := entry[outcome], str)}
            rulesets = copy.deepcopy(dict(export["rulesets"]))
        except (KeyError, TypeError, AttributeError) as err:
            raise InputError(f"a durable_rules export without a valid {err}") from None
        self._fired: list[str] = []
        self._host = _recording_host(engine, self._fired)
        self._host.set_rulesets(rulesets)
        self._sids = itertools.count(1)
        self._broken: str | None = None

    def facts(self, dossier: Dossier) -> dict[str, dict[str, Any]]:
        """The fact to assert into each ruleset for ``dossier`` (before marker and sid).

        Raises:
            FactEncodingError: a dossier value durable_rules cannot be given.
        """
        return {name: dossier_fact(dossier, shape) for name, shape in self._shapes.items()}

    def fired(self, dossier: Dossier) -> frozenset[str]:
        """The durable_rules rules (``RULE/fail``, ``RULE/warn``) that fired for ``dossier``.

        Raises:
            FactEncodingError: a dossier value durable_rules cannot be given (nothing asserted).
            DurableRunError: durable_rules refused a fact (and the runner stops working).
        """
        return self.fired_for(self.facts(dossier), dossier.id)

    def fired_for(self, facts: Mapping[str, dict[str, Any]], label: str) -> frozenset[str]:
        """The rules that fired for ready-made ``facts`` (see :meth:`facts`); ``label`` names them.

        Raises:
            DurableRunError: durable_rules refused a fact (and the runner stops working).
        """
        if self._broken is not None:
            raise DurableRunError(f"this runner stopped after an error: {self._broken}")
        self._fired.clear()
        for name, fact in facts.items():
            sid = str(next(self._sids))
            fact = {**fact, **self._marker, "sid": sid}
            try:
                self._host.assert_fact(name, fact)
            except Exception as err:  # noqa: BLE001 - durable_rules raises bare Exceptions
                self._broken = f"ruleset {name}, dossier {label}: {err}"
                raise DurableRunError(f"durable_rules refused the fact of dossier {label} "
                                      f"in ruleset {name}: {err}") from None
            self._host.delete_state(name, sid)
        return frozenset(self._fired) - {CATCH_ALL}

    def outcomes(self, dossier: Dossier) -> dict[str, str]:
        """``{rule id: "fail" or "warn"}`` for the exported rules that fired for ``dossier``."""
        return dict(sorted(self._rules[name] for name in self.fired(dossier)))
