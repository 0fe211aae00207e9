"""What the registry keeps of a project, whether it comes from a dossier or an export row.

A :class:`ProjectRecord` is the one shape both ingest paths produce and the checks read: its
identity and matching keys, identifiers, serial blocks, periods and boundary. Dossiers are turned
into records by :func:`record_from_dossier`; export rows by :mod:`cvcm_rules.registry.external`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import shapely
from shapely.geometry import Polygon
from shapely.validation import explain_validity

from cvcm_rules.model import Dossier
from cvcm_rules.registry.names import country_code, name_key, owner_key, project_key
from cvcm_rules.registry.serials import SerialRange, parse_block, parse_range

__all__ = [
    "Block",
    "Ident",
    "Period",
    "ProjectRecord",
    "Shape",
    "block_from_export",
    "doc_ident",
    "record_from_dossier",
]


@dataclass(frozen=True, slots=True)
class Ident:
    """An identifier a record holds: ``self`` (its own id), ``declared`` or ``asset``."""

    ident: str
    role: str
    status: str | None
    path: str


@dataclass(frozen=True, slots=True)
class Block:
    """A serial range issued or retired (``kind``), with what the source says about it."""

    kind: str
    item: str
    path: str
    serial_start: str
    serial_end: str
    range: SerialRange | None
    quantity: float | None = None
    on_date: str | None = None
    purpose: str | None = None
    beneficiary: str | None = None


@dataclass(frozen=True, slots=True)
class Period:
    """A monitoring (or vintage) period and the tonnage verified and issued for it."""

    item: str
    path: str
    start: str
    end: str
    issued: float | None = None
    verified: float | None = None
    serial_count: int | None = None
    serials: str | None = None


@dataclass(frozen=True, slots=True)
class Shape:
    """A project boundary; ``problem`` says why it cannot be compared (then no geometry)."""

    path: str
    geometry: Polygon | None
    problem: str | None


@dataclass(slots=True)
class ProjectRecord:
    """One project as one source describes it."""

    row_no: int
    programme: str
    project_id: str
    name: str | None = None
    name_en: str | None = None
    owner: str | None = None
    owner_id: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    methodology: str | None = None
    status: str | None = None
    idents: list[Ident] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)

    @property
    def self_key(self) -> str:
        """``PROGRAMME:id`` of the project in its own programme."""
        return project_key(self.programme, self.project_id)

    def keys(self) -> tuple[str | None, str | None, str | None, str | None]:
        """Matching keys: name, English name, owner and country code."""
        return (name_key(self.name), name_key(self.name_en), owner_key(self.owner),
                country_code(self.country))


def doc_ident(number: str) -> str:
    """The identifier of an administrative document number (approval, filing, certificate).

    Example:
        >>> doc_ident(" 苏发改能源〔2019〕1123号 ") == doc_ident("苏发改能源〔2019〕1123号")
        True
    """
    text = unicodedata.normalize("NFKC", number).casefold()
    return "DOC:" + "".join(text.split())


def record_from_dossier(dossier: Dossier) -> ProjectRecord:
    """The registry's view of a dossier: identity, identifiers, serials, periods, boundary."""
    location = dossier.project.location
    registration = dossier.registration
    registry_id = registration.registry_id if registration else None
    owner = dossier.owner
    record = ProjectRecord(
        row_no=0, programme=dossier.programme, project_id=registry_id or dossier.id,
        name=dossier.project.name, name_en=dossier.project.name_en, owner=owner.name,
        owner_id=owner.branch_of or owner.uscc, country=location.country,
        latitude=location.latitude, longitude=location.longitude,
        methodology=dossier.methodology.code,
        status=registration.outcome if registration else None,
    )
    record.idents = _idents(dossier, record)
    record.blocks = _blocks(dossier)
    record.periods = _periods(dossier)
    record.shapes = _shapes(dossier)
    if record.latitude is None and record.shapes and record.shapes[0].geometry is not None:
        centre = record.shapes[0].geometry.centroid
        record.latitude, record.longitude = centre.y, centre.x
    return record


def _idents(dossier: Dossier, record: ProjectRecord) -> list[Ident]:
    self_path = "registration.registry_id" if record.project_id != dossier.id else "id"
    found = [Ident(record.self_key, "self", record.status, self_path)]
    for i, other in enumerate(dossier.other_registrations):
        found.append(Ident(project_key(other.programme, other.project_id), "declared",
                           other.status, f"other_registrations[{i}]"))
    if dossier.legacy is not None:
        found.append(Ident(project_key("CCER-LEGACY", dossier.legacy.project_id), "declared",
                           "legacy", "legacy.project_id"))
    for i, approval in enumerate(dossier.approvals):
        if approval.type != "other":
            found.append(Ident(doc_ident(approval.number), "asset", None,
                               f"approvals[{i}].number"))
    evidence = dossier.evidence
    if evidence is not None:
        for name in ("project_approval", "eia_approval", "sea_use_approval"):
            number = getattr(evidence, name)
            if number:
                found.append(Ident(doc_ident(number), "asset", None, f"evidence.{name}"))
        for i, number in enumerate(evidence.land_tenure):
            found.append(Ident(doc_ident(number), "asset", None, f"evidence.land_tenure[{i}]"))
    unique: dict[str, Ident] = {}
    for ident in found:  # the same number cited twice in one dossier is one identifier
        unique.setdefault(ident.ident, ident)
    return list(unique.values())


def _blocks(dossier: Dossier) -> list[Block]:
    blocks = []
    for i, batch in enumerate(dossier.batches):
        issued = batch.issuance
        if issued is not None:
            blocks.append(Block(
                "issuance", batch.id, f"batches[{i}].issuance", issued.serial_start,
                issued.serial_end, parse_range(issued.serial_start, issued.serial_end),
                issued.quantity_tco2e, issued.date.isoformat()))
    for i, retired in enumerate(dossier.retirements):
        blocks.append(Block(
            "retirement", retired.certificate_no or f"retirements[{i}]", f"retirements[{i}]",
            retired.serial_start, retired.serial_end,
            parse_range(retired.serial_start, retired.serial_end), retired.quantity_tco2e,
            retired.date.isoformat(), retired.purpose, retired.beneficiary))
    return blocks


def _periods(dossier: Dossier) -> list[Period]:
    periods = []
    for i, batch in enumerate(dossier.batches):
        issued = batch.issuance
        serials = parse_range(issued.serial_start, issued.serial_end) if issued else None
        verification = batch.verification
        periods.append(Period(
            batch.id, f"batches[{i}]", batch.period.start.isoformat(),
            batch.period.end.isoformat(),
            issued.quantity_tco2e if issued else None,
            verification.verified_er_tco2e if verification else None,
            serials.count if serials else None,
            f"{issued.serial_start} – {issued.serial_end}" if issued else None))
    return periods


def _shapes(dossier: Dossier) -> list[Shape]:
    if not dossier.boundary:
        return []
    points = [(float(v.lon), float(v.lat)) for v in dossier.boundary]
    if len(set(points)) < 3:
        return [Shape("boundary", None, f"{len(set(points))} distinct vertices; a boundary "
                                        "needs at least 3")]
    polygon = Polygon(points)
    if not polygon.is_valid:
        return [Shape("boundary", None, f"not a valid polygon: {explain_validity(polygon)}")]
    return [Shape("boundary", shapely.normalize(polygon), None)]


def block_from_export(kind: str, item: str, path: str, serial: str, *,
                      quantity: float | None = None, on_date: str | None = None,
                      purpose: str | None = None, beneficiary: str | None = None) -> Block:
    """A block from an export cell that holds a whole serial block (``A - B`` included)."""
    first, _, last = serial.partition(" - ")
    return Block(kind, item, path, first.strip(), (last or first).strip(), parse_block(serial),
                 quantity, on_date, purpose, beneficiary)
