"""Run every detector over registry data, with the parameters the checks file gives them."""

from __future__ import annotations

from cvcm_rules.registry.checks import (
    Components,
    double_use,
    identifier_matches,
    issued_above_verified,
    period_overlaps,
    serial_overlaps,
)
from cvcm_rules.registry.data import Conflict, Focus, RegistryData
from cvcm_rules.registry.rules import CheckSet
from cvcm_rules.registry.spatial import NameRules, boundary_overlaps, name_matches

__all__ = ["find_conflicts", "name_rules", "sort_key"]


def name_rules(checks: CheckSet) -> NameRules:
    """The distances of the name/location check."""
    check = checks.find("name_location")
    return NameRules(float(check.parameter("same_place_km")),
                     float(check.parameter("same_site_km")))


def find_conflicts(data: RegistryData, checks: CheckSet, focus: Focus = None) -> list[Conflict]:
    """Every conflict in ``data`` (involving ``focus`` records, if given), in a stable order."""
    components = Components(data.idents)
    inactive = frozenset(str(s).casefold()
                         for s in checks.find("identifier").parameter("inactive_statuses"))
    min_overlap = float(checks.find("boundary_overlap").parameter("min_overlap_m2"))
    found = [
        *identifier_matches(data, focus, inactive),
        *name_matches(data, name_rules(checks), focus, components),
        *serial_overlaps(data, focus),
        *double_use(data, focus),
        *issued_above_verified(data, focus),
        *period_overlaps(data, focus, components),
        *boundary_overlaps(data, min_overlap, focus),
    ]
    return sorted(found, key=lambda c: sort_key(data, c))


def sort_key(data: RegistryData, conflict: Conflict) -> tuple[object, ...]:
    """Order by detector, then the records (by source, not by row id), then the items."""
    a = data.records[conflict.a].order[:3]
    b = data.records[conflict.b].order[:3] if conflict.b is not None else ("", "", 0)
    return (conflict.detector, a, b, str(conflict.a_side.get("path")),
            str(conflict.b_side.get("path")), conflict.variant, repr(sorted(
                conflict.shared.items())))
