"""Cross-record checks that need places: name + owner + location matches, boundary overlaps.

Names are blocked on their normalised key (records with the same key form a group; only groups
are compared), sites on an R-tree of points (shapely ``STRtree``), boundaries on an R-tree of
polygons; exact tests (great-circle distance, intersection area) run only on the candidate
pairs the index returns. Records already linked by a shared identifier are left to the
identifier check.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.affinity import scale
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from cvcm_rules.registry.checks import Components
from cvcm_rules.registry.data import (
    Conflict,
    Focus,
    RecordInfo,
    RegistryData,
    ShapeRow,
    in_focus,
    make_pair,
)
from cvcm_rules.registry.names import haversine_km

__all__ = ["NameRules", "boundary_overlaps", "boundary_pair", "name_matches", "name_pair",
           "site_pair"]

_KM_PER_DEGREE = 111.19  # along a meridian, on the mean Earth radius
_M_PER_DEGREE = _KM_PER_DEGREE * 1000


@dataclass(frozen=True, slots=True)
class NameRules:
    """The distances that decide a name or site match (rule parameters)."""

    same_place_km: float
    same_site_km: float


def _location(a: RecordInfo, b: RecordInfo, near_km: float) -> tuple[str, float | None]:
    """``near``/``far`` by distance when both have coordinates, else by country, else unknown."""
    if None not in (a.latitude, a.longitude, b.latitude, b.longitude):
        assert a.latitude is not None and a.longitude is not None
        assert b.latitude is not None and b.longitude is not None
        distance = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
        return ("near" if distance <= near_km else "far"), round(distance, 3)
    if a.country_code and b.country_code:
        return ("same_country" if a.country_code == b.country_code else "far"), None
    return "unknown", None


def _owners(a: RecordInfo, b: RecordInfo) -> str:
    if a.owner_id and b.owner_id:
        return "same" if a.owner_id == b.owner_id else "different"
    if a.owner_key and b.owner_key:
        return "same" if a.owner_key == b.owner_key else "different"
    return "unknown"


def _name_variant(owners: str, location: str) -> str | None:
    if location in ("near", "same_country"):
        return {"same": "same_project", "unknown": "owner_unknown"}.get(owners) \
            or ("other_owner_near" if location == "near" else None)
    return None


def _side(record: RecordInfo) -> dict[str, Any]:
    return {"path": "project", "name": record.name_en if record.name is None else record.name,
            "name_en": record.name_en, "owner": record.owner, "owner_id": record.owner_id,
            "country": record.country_code, "latitude": record.latitude,
            "longitude": record.longitude}


def name_matches(data: RegistryData, rules: NameRules, focus: Focus = None,
                 components: Components | None = None) -> Iterator[Conflict]:
    """Different projects with the same name, owner and place; one owner's two names on a site.

    Also reported for a reviewer: same name and place with an owner missing on one side, and
    same name within ``same_place_km`` under different owners.
    """
    components = components or Components(data.idents)
    seen: set[tuple[int, int]] = set()
    groups: dict[str, list[RecordInfo]] = defaultdict(list)
    for record in data.records.values():
        for key in {record.name_key, record.name_en_key} - {None}:
            assert key is not None
            groups[key].append(record)
    for key in sorted(groups):
        group = sorted(groups[key], key=lambda r: r.order)
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if (a.id, b.id) in seen or not _candidates(a, b, focus, components):
                    continue
                seen.add((a.id, b.id))
                conflict = name_pair(a, b, key, rules)
                if conflict is not None:
                    yield conflict
    yield from _same_site(data, rules, focus, components, seen)


def name_pair(a: RecordInfo, b: RecordInfo, key: str, rules: NameRules) -> Conflict | None:
    """The verdict on two records whose names share ``key`` (None: no match)."""
    location, distance = _location(a, b, rules.same_place_km)
    variant = _name_variant(_owners(a, b), location)
    if variant is None:
        return None
    shared = {"name_key": key, "distance_km": distance, "location": location}
    return make_pair("name_location", variant, a, b, (_side(a), _side(b)), shared, ("", ""))


def _candidates(a: RecordInfo, b: RecordInfo, focus: Focus, components: Components) -> bool:
    return (a.id != b.id and in_focus(focus, a.id, b.id)
            and components.find(a.id) != components.find(b.id))


def _same_site(data: RegistryData, rules: NameRules, focus: Focus, components: Components,
               seen: set[tuple[int, int]]) -> Iterator[Conflict]:
    """One owner, two names, one site: a point R-tree gives the pairs within the distance."""
    placed = sorted((r for r in data.records.values()
                     if r.latitude is not None and r.longitude is not None
                     and (r.owner_id or r.owner_key)), key=lambda r: r.order)
    if len(placed) < 2:
        return
    points = [Point(r.longitude or 0.0, r.latitude or 0.0) for r in placed]  # both set here
    tree = shapely.STRtree(points)
    queried = range(len(placed)) if focus is None else \
        [i for i, r in enumerate(placed) if r.id in focus]
    for i in queried:
        record = placed[i]
        assert record.latitude is not None
        # degrees of longitude shrink with latitude: widen the search box to stay conservative
        reach = rules.same_site_km / _KM_PER_DEGREE / max(math.cos(math.radians(
            min(abs(record.latitude) + 1, 89.0))), 0.01)
        for j in sorted(int(k) for k in tree.query(points[i], predicate="dwithin",
                                                   distance=reach)):
            other = placed[j]
            pair = (record.id, other.id) if record.order <= other.order else \
                (other.id, record.id)
            if j == i or pair in seen or (focus is None and j < i):
                continue
            seen.add(pair)
            if components.find(record.id) == components.find(other.id):
                continue
            conflict = site_pair(record, other, rules)
            if conflict is not None:
                yield conflict


def site_pair(a: RecordInfo, b: RecordInfo, rules: NameRules) -> Conflict | None:
    """The verdict on two records of possibly one owner on one site (None: no match)."""
    if _owners(a, b) != "same":
        return None
    location, distance = _location(a, b, rules.same_site_km)
    if location != "near":
        return None
    shared = {"name_key": None, "distance_km": distance, "location": location}
    return make_pair("name_location", "owner_same_site", a, b, (_side(a), _side(b)), shared,
                     ("", ""))


# -- boundaries ------------------------------------------------------------------------------
def _area_m2(geometry: BaseGeometry) -> float:
    """Area in square metres on a local equirectangular projection (project-sized areas).

    The error against the spherical area stays far below 1% for areas a few km across.
    """
    if geometry.is_empty:
        return 0.0
    latitude = geometry.centroid.y
    flat = scale(geometry, xfact=_M_PER_DEGREE * math.cos(math.radians(latitude)),
                 yfact=_M_PER_DEGREE, origin=(0, 0))
    return float(flat.area)


def boundary_overlaps(data: RegistryData, min_overlap_m2: float,
                      focus: Focus = None) -> Iterator[Conflict]:
    """Project boundaries that share more than ``min_overlap_m2`` of area (touching is not)."""
    records = data.records
    for shape in data.shapes:
        if shape.geometry is None and in_focus(focus, shape.record_id):
            record = records[shape.record_id]
            yield Conflict("boundary_overlap", "invalid", record.id, None,
                           {"record": record.label, "path": shape.path,
                            "problem": shape.problem}, {}, {})
    shapes = sorted((s for s in data.shapes if s.geometry is not None),
                    key=lambda s: records[s.record_id].order)
    if len(shapes) < 2:
        return
    geometries = [s.geometry for s in shapes if s.geometry is not None]
    tree = shapely.STRtree(geometries)
    pairs = tree.query(geometries, predicate="intersects")
    for i, j in sorted(zip(pairs[0].tolist(), pairs[1].tolist(), strict=True)):
        a, b = shapes[i], shapes[j]
        if i >= j or a.record_id == b.record_id or not in_focus(focus, a.record_id, b.record_id):
            continue
        conflict = boundary_pair(records[a.record_id], records[b.record_id], a, b,
                                 min_overlap_m2)
        if conflict is not None:
            yield conflict


def boundary_pair(ra: RecordInfo, rb: RecordInfo, a: ShapeRow, b: ShapeRow,
                  min_overlap_m2: float) -> Conflict | None:
    """The verdict on two boundaries (None: they share no more than ``min_overlap_m2``)."""
    assert a.geometry is not None and b.geometry is not None
    overlap = _area_m2(shapely.intersection(a.geometry, b.geometry))
    if overlap <= min_overlap_m2:
        return None
    area_a, area_b = _area_m2(a.geometry), _area_m2(b.geometry)
    sides = ({"path": a.path, "area_ha": round(area_a / 1e4, 4),
              "share_pct": round(100 * overlap / area_a, 2)},
             {"path": b.path, "area_ha": round(area_b / 1e4, 4),
              "share_pct": round(100 * overlap / area_b, 2)})
    return make_pair("boundary_overlap", "overlap", ra, rb, sides,
                     {"overlap_ha": round(overlap / 1e4, 4)}, (a.path, b.path))

