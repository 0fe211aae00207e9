"""The dossier of one carbon-credit project, as a frozen pydantic model.

Field names follow the field dictionary of the requirements ledger (appendix A). Every field that
rules read is optional unless a dossier without it would be meaningless: a missing fact must give
an ``indeterminate`` finding that names the path, not a validation error.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

__all__ = [
    "Additionality",
    "Application",
    "Approval",
    "Attributes",
    "Baseline",
    "BaselineVersion",
    "Batch",
    "CalibrationFault",
    "ChangeEvent",
    "ClockStop",
    "Conclusions",
    "CorrectiveAction",
    "CreditingPeriod",
    "Deviation",
    "Dossier",
    "Engagement",
    "Ets",
    "Evidence",
    "Gec",
    "Grouped",
    "GroupedUnit",
    "Issuance",
    "LegacyFiling",
    "Location",
    "Meter",
    "Methodology",
    "Misstatement",
    "OtherRegistration",
    "Owner",
    "Parcel",
    "Party",
    "Period",
    "Permanence",
    "Project",
    "Publicity",
    "RecognisedCredit",
    "Records",
    "Registration",
    "Retirement",
    "Reversal",
    "Safeguards",
    "Site",
    "TeamMember",
    "Verification",
    "Vertex",
]

NonEmptyStr = Annotated[str, Field(min_length=1)]
Tonnes = Annotated[float, Field(ge=0, description="tonnes of CO2 equivalent (tCO2e)")]


class _Model(BaseModel):
    """Base of every dossier model: immutable, unknown keys refused, strict types."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Party(_Model):
    """An organisation, identified by its legal identity rather than by a name string."""

    name: NonEmptyStr
    uscc: str | None = Field(
        default=None, description="Unified social credit code (统一社会信用代码), 18 characters"
    )
    affiliates: tuple[str, ...] = Field(
        default=(), description="USCCs of parent, subsidiary or sister entities"
    )
    branch_of: str | None = Field(
        default=None,
        description="USCC of the legal person this branch (分公司) belongs to: a branch is not a "
        "separate legal person (Civil Code Art. 74), so it is identified with that legal person",
    )


class ChangeEvent(_Model):
    """A change of the owner's registered details (registry rules Art. 8)."""

    field: NonEmptyStr
    effective_date: dt.date
    request_date: dt.date | None = None

    @property
    def natural_key(self) -> str:
        """What identifies this entry across dossier revisions (a finding's item key)."""
        return f"{self.field}@{self.effective_date.isoformat()}"


class Owner(Party):
    """The project owner (项目业主), the applicant under Order 31 Art. 4 and 11."""

    jurisdiction: str | None = Field(default=None, description="ISO 3166-1 alpha-2 country code")
    entity_type: Literal["legal_person", "other_organisation", "natural_person"] | None = None
    is_asset_owner: bool | None = None
    authorisation_doc: str | None = None
    registry_account_id: str | None = None
    account_application_date: dt.date | None = None
    account_open_date: dt.date | None = None
    change_events: tuple[ChangeEvent, ...] = ()


class Methodology(_Model):
    """The methodology applied: id and version, e.g. CCER-01-002 and V01."""

    id: NonEmptyStr
    version: NonEmptyStr

    @computed_field  # type: ignore[prop-decorator]
    @property
    def code(self) -> str:
        """The full code as published, e.g. ``CCER-01-002-V01``."""
        return f"{self.id}-{self.version}"


class Location(_Model):
    """Where the project is."""

    country: str = Field(description="ISO 3166-1 alpha-2 country code")
    province: str | None = None
    county_code: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class Project(_Model):
    """Identity, type and key dates of the project."""

    name: NonEmptyStr
    name_en: str | None = None
    sector: str | None = None
    activity_type: str | None = Field(
        default=None, description="e.g. offshore_wind, solar_thermal, afforestation, mangrove"
    )
    mitigation_type: Literal["avoidance", "reduction", "removal"] | None = None
    technology: str | None = None
    capacity_mw: float | None = Field(default=None, ge=0)
    is_hybrid: bool | None = None
    csp_export_separately_metered: bool | None = None
    forest_type: str | None = None
    forest_category: Literal["public_welfare", "commercial"] | None = None
    category: str | None = Field(default=None, description="ICVCM category, where assessed")
    location: Location
    construction_start_date: dt.date | None = None
    start_date: dt.date | None = Field(default=None, description="project start (planting start)")
    operation_start_date: dt.date | None = Field(default=None, description="grid connection date")
    decommission_date: dt.date | None = Field(
        default=None, description="planned end of lifetime (from the feasibility study)"
    )
    legal_reduction_obligation: bool | None = Field(
        default=None, description="a law, regulation or national policy imposes a GHG duty"
    )
    fuels: tuple[str, ...] = ()


class Site(_Model):
    """Technical facts about the site that methodologies test."""

    distance_to_shore_km: float | None = Field(default=None, ge=0)
    water_depth_m: float | None = Field(default=None, ge=0)
    mean_annual_precip_mm: float | None = Field(default=None, ge=0)
    in_key_ecological_function_zone: bool | None = None
    area_ha: float | None = Field(default=None, ge=0)


class Parcel(_Model):
    """A land or sea parcel of a sink project."""

    id: NonEmptyStr
    area_m2: float | None = Field(default=None, ge=0)
    land_class: str | None = None
    site_type: str | None = Field(
        default=None, description="mangrove: unvegetated_tidal_flat or retired_aquaculture_pond"
    )
    is_wetland: bool | None = None
    non_forest_years_before_start: float | None = Field(
        default=None, ge=0, description="years the parcel did not meet the forest definition"
    )
    shrub_removal_pct: float | None = Field(default=None, ge=0, le=100)
    scattered_trees_removed: bool | None = None
    habitat_suitable: bool | None = None
    tenure_doc: str | None = None
    tenure_issuer_level: Literal["county", "city", "province", "national"] | None = None


class Vertex(_Model):
    """A boundary vertex in decimal degrees, kept as written (the decimals are checked)."""

    lat: Annotated[str, Field(pattern=r"^-?\d{1,2}(\.\d+)?$")]
    lon: Annotated[str, Field(pattern=r"^-?\d{1,3}(\.\d+)?$")]

    @property
    def natural_key(self) -> str:
        """What identifies this entry across dossier revisions (a finding's item key)."""
        return f"{self.lat},{self.lon}"


class CalibrationFault(_Model):
    """A meter found out of tolerance or failed, and when it was recalibrated or replaced."""

    detected: dt.date
    recalibrated: dt.date | None = None


class Meter(_Model):
    """An electricity or fuel meter used for monitoring."""

    id: NonEmptyStr
    role: Literal["export", "import", "fuel", "other"]
    accuracy_class: str | None = None
    install_verified: bool | None = None
    calibration_dates: tuple[dt.date, ...] = ()
    faults: tuple[CalibrationFault, ...] = ()


class Ets(_Model):
    """Coverage by an emissions trading scheme (Order 31 Art. 10 ¶2)."""

    national_covered: bool | None = None
    local_pilot_covered: bool | None = None
    facility_ids: tuple[str, ...] = ()


class OtherRegistration(_Model):
    """A registration of the same project in another programme."""

    programme: Literal[
        "CDM", "VCS", "GS", "GCC", "FCER", "CCER", "I-REC", "LOCAL_PILOT", "PUHUI",
        "ACR", "CAR", "ART", "ISOMETRIC", "PURO", "OTHER",
    ]
    project_id: NonEmptyStr
    status: Literal["listed", "registered", "withdrawn", "deregistered", "rejected"]
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    @property
    def natural_key(self) -> str:
        """What identifies this entry across dossier revisions (a finding's item key)."""
        return f"{self.programme}:{self.project_id}"


class LegacyFiling(_Model):
    """A filing under the 2012 interim measures (legacy CCER, Order 31 Art. 49)."""

    project_id: NonEmptyStr
    filing_date: dt.date


class Period(_Model):
    """A closed interval of days, both ends included."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class CreditingPeriod(Period):
    """One crediting period (计入期)."""

    renewal: int = Field(default=0, ge=0, description="0 for the first period")

    @property
    def natural_key(self) -> str:
        """What identifies this entry across dossier revisions (a finding's item key)."""
        return f"renewal-{self.renewal}"


class Publicity(_Model):
    """A public-comment posting on the registry (公示)."""

    start_date: dt.date
    end_date: dt.date
    vvb: Party | None = Field(default=None, description="the VVB named in the posting")
    url: str | None = None
    comments_received: int | None = Field(default=None, ge=0)


class ClockStop(_Model):
    """A period excluded from a VVB's clock because the owner caused the delay."""

    start: dt.date
    end: dt.date
    reason: NonEmptyStr


class CorrectiveAction(_Model):
    """A corrective action request (CAR) or clarification request (CL) raised by a VVB."""

    id: NonEmptyStr
    kind: Literal["CAR", "CL", "OBS"]
    status: Literal["open", "closed"]


Verdict = Literal["positive", "negative"]


class Conclusions(_Model):
    """The conclusions a VVB report states, per Order 31 Art. 13 and 20."""

    legal_compliance: Verdict | None = None
    authenticity: Verdict | None = None
    uniqueness: Verdict | None = None
    additionality: Verdict | None = None
    sustainable_development: Verdict | None = None
    methodology_conformity: Verdict | None = None
    implemented_as_designed: Verdict | None = None
    conservativeness: Verdict | None = None


class TeamMember(_Model):
    """A member of a validation or verification team."""

    name: NonEmptyStr
    full_time: bool | None = None
    sector_competent: bool | None = None
    conflict_of_interest: bool | None = None


class Engagement(_Model):
    """Common facts of a validation or verification engagement."""

    vvb: Party
    vvb_links_to_owner: tuple[Literal["asset", "management", "consulting", "funding"], ...] = ()
    contract_date: dt.date | None = None
    report_date: dt.date | None = None
    clock_stops: tuple[ClockStop, ...] = ()
    findings: tuple[CorrectiveAction, ...] = ()
    conclusions: Conclusions | None = None
    team: tuple[TeamMember, ...] = ()
    reviewer: str | None = None
    decision_maker: str | None = None
    sites_total: int | None = Field(default=None, ge=0)
    sites_visited: int | None = Field(default=None, ge=0)
    sampling_plan: bool | None = None
    public_comment_handling: str | None = None


class Validation(Engagement):
    """Validation of the project (审定), Order 31 Art. 11-13."""

    conclusion: Literal["positive", "negative"] | None = None


class Registration(_Model):
    """Registration of the project (项目登记), Order 31 Art. 14-15."""

    application_date: dt.date | None = None
    receipt_date: dt.date | None = None
    decision_date: dt.date | None = None
    outcome: Literal["registered", "refused", "pending"] | None = None
    registry_id: str | None = None
    commitment_letter: bool | None = None


class Verification(Engagement):
    """Verification of one batch (核查), Order 31 Art. 18-20."""

    verified_er_tco2e: Tonnes | None = None
    standard: str | None = Field(default=None, description="standard verified against, e.g. FCER")


class Application(_Model):
    """Application to register a batch of reductions, Order 31 Art. 21-22."""

    date: dt.date
    receipt_date: dt.date | None = None
    er_tco2e: Tonnes | None = None
    commitment_letter: bool | None = None


class Issuance(_Model):
    """Credits issued for a batch, with their serial range."""

    date: dt.date
    serial_start: NonEmptyStr
    serial_end: NonEmptyStr
    quantity_tco2e: Tonnes


class Gec(_Model):
    """Green electricity certificates (绿证) on the same output."""

    issued_mwh: float = Field(default=0, ge=0)
    traded_mwh: float = Field(default=0, ge=0)


class Batch(_Model):
    """One monitoring/accounting period and everything that follows from it (每期)."""

    id: NonEmptyStr
    period: Period
    accounting_report_author: Party | None = None
    publicity: Publicity | None = None
    verification: Verification | None = None
    application: Application | None = None
    registration_date: dt.date | None = None
    issuance: Issuance | None = None
    claimed_er_tco2e: Tonnes | None = None
    generated_mwh: float | None = Field(default=None, ge=0)
    gec: Gec | None = None
    ets_covered: bool | None = Field(default=None, description="ETS coverage during the period")
    ex_ante: bool | None = Field(default=None, description="credits issued before the period")


class BaselineVersion(_Model):
    """A baseline determination in force from a date (FCER renews it every five years)."""

    effective_from: dt.date
    method_version: str | None = None

    @property
    def natural_key(self) -> str:
        """What identifies this entry across dossier revisions (a finding's item key)."""
        return self.effective_from.isoformat()


class Baseline(_Model):
    """Baseline scenario facts used by additionality and quantification rules."""

    alternatives: tuple[str, ...] = ()
    emissions_tco2e: float | None = None
    project_emissions_tco2e: float | None = None
    versions: tuple[BaselineVersion, ...] = ()
    review_dates: tuple[dt.date, ...] = ()
    leakage_assumption: str | None = None
    uncertainty_combined_pct: float | None = Field(default=None, ge=0)


class Additionality(_Model):
    """How additionality is demonstrated (Order 31 Art. 48)."""

    route: Literal["exempt", "investment", "barrier", "standardised"]
    exemption_basis: str | None = None
    irr_pct: float | None = None
    benchmark_pct: float | None = None
    barriers: tuple[str, ...] = ()
    carbon_revenue_overcomes_barrier: bool | None = None
    common_practice_test: bool | None = None
    standardised_basis: str | None = None
    regulatory_surplus_checked: bool | None = Field(
        default=None, description="the legal-requirement test was done and documented"
    )


class Reversal(_Model):
    """A loss of stored carbon (fire, pests, land-use change)."""

    date: dt.date
    cause: NonEmptyStr
    tco2e: Tonnes
    avoidable: bool | None = None
    compensated: bool | None = None


class Permanence(_Model):
    """Measures against reversal of removals."""

    monitoring_commitment_end: dt.date | None = None
    buffer_pct: float | None = Field(default=None, ge=0, le=100)
    risk_assessment: str | None = None
    reversals: tuple[Reversal, ...] = ()


class Retirement(_Model):
    """A cancellation (注销) of credits for a use."""

    serial_start: NonEmptyStr
    serial_end: NonEmptyStr
    quantity_tco2e: Tonnes
    date: dt.date
    purpose: Literal[
        "national_ets_compliance", "local_ets_compliance", "event_neutrality",
        "corporate_offset", "voluntary", "other",
    ]
    beneficiary: str | None = None
    certificate_no: str | None = None
    credit_regime: Literal["legacy", "order31"] = "order31"

    @property
    def natural_key(self) -> str:
        """What identifies this entry across dossier revisions (a finding's item key)."""
        return f"{self.serial_start}..{self.serial_end}"


class Records(_Model):
    """Record keeping commitments (Order 31 Art. 11 ¶2, 18 ¶2)."""

    retention_until: dt.date | None = None
    custodian: str | None = None


class Evidence(_Model):
    """Documents supplied with the dossier, by their reference numbers or file names."""

    feasibility_study: str | None = None
    project_approval: str | None = None
    eia_approval: str | None = None
    construction_start: str | None = None
    sea_use_approval: str | None = None
    land_tenure: tuple[str, ...] = ()


class Approval(_Model):
    """An administrative approval or filing (核准/备案)."""

    type: Literal["approval", "filing", "eia", "sea_use", "other"]
    number: NonEmptyStr
    date: dt.date | None = None


class Safeguards(_Model):
    """Environmental and social safeguards."""

    risk_assessment_date: dt.date | None = None
    topics_assessed: tuple[str, ...] = ()
    ip_lc_affected: bool | None = None
    fpic_date: dt.date | None = None
    no_net_harm: bool | None = None
    stakeholder_consultation_date: dt.date | None = None
    grievance_mechanism: bool | None = None
    sd_alignment_statement: str | None = None
    net_zero_alignment_statement: str | None = None


class GroupedUnit(_Model):
    """A unit added to a grouped project (项目集合) after its first registration."""

    id: NonEmptyStr
    inclusion_date: dt.date
    meets_criteria: bool | None = None


class Grouped(_Model):
    """A grouped project: inclusion criteria fixed at design, units added later (FCER 3.8)."""

    inclusion_criteria: tuple[str, ...] = ()
    first_registration_date: dt.date | None = None
    units: tuple[GroupedUnit, ...] = ()


class Deviation(_Model):
    """A declared deviation from the methodology (FCER 3.13)."""

    clause: NonEmptyStr
    description: NonEmptyStr
    justification: str | None = None

    @property
    def natural_key(self) -> str:
        """What identifies this entry across dossier revisions (a finding's item key)."""
        return self.clause


class Misstatement(_Model):
    """A misstatement found by a VVB, with its size (FCER 3.17, materiality)."""

    description: NonEmptyStr
    tco2e: float
    corrected: bool | None = None


class RecognisedCredit(_Model):
    """A credit of another programme recognised or relabelled by this one (FCER 6.4)."""

    source_programme: NonEmptyStr
    source_serial: NonEmptyStr
    source_status: Literal["cancelled", "locked", "active", "retired"]

    @property
    def natural_key(self) -> str:
        """What identifies this entry across dossier revisions (a finding's item key)."""
        return f"{self.source_programme}:{self.source_serial}"


class Attributes(_Model):
    """Optional CCP attributes (labels, not pass/fail)."""

    article6_authorisation: str | None = None
    share_of_proceeds_adaptation: bool | None = None
    sdg_quantified: tuple[int, ...] = ()


class Dossier(_Model):
    """One project, as submitted for checking."""

    schema_version: Literal[1] = 1
    id: NonEmptyStr = Field(description="stable id of the dossier (the project's own reference)")
    # ACR, CAR (Climate Action Reserve), ART (TREES), ISOMETRIC and PURO (Puro.earth): programmes
    # ICVCM has assessed, which the CCP label gate (rules/icvcm_ccp/rules/gate.yaml) must name.
    programme: Literal[
        "CCER", "FCER", "VCS", "GS", "CDM", "ACR", "CAR", "ART", "ISOMETRIC", "PURO", "OTHER",
    ]
    owner: Owner
    project: Project
    methodology: Methodology
    pdd_author: Party | None = None
    site: Site | None = None
    parcels: tuple[Parcel, ...] = ()
    ets: Ets | None = None
    other_registrations: tuple[OtherRegistration, ...] = ()
    legacy: LegacyFiling | None = None
    crediting_periods: tuple[CreditingPeriod, ...] = ()
    pdd_publicity: Publicity | None = None
    validation: Validation | None = None
    registration: Registration | None = None
    batches: tuple[Batch, ...] = ()
    additionality: Additionality | None = None
    baseline: Baseline | None = None
    permanence: Permanence | None = None
    retirements: tuple[Retirement, ...] = ()
    boundary: tuple[Vertex, ...] = ()
    meters: tuple[Meter, ...] = ()
    records: Records | None = None
    evidence: Evidence | None = None
    approvals: tuple[Approval, ...] = ()
    safeguards: Safeguards | None = None
    attributes: Attributes | None = None
    implementer: Party | None = Field(
        default=None, description="FCER 3.7: controls operation and owns the credits"
    )
    grouped: Grouped | None = None
    deviations: tuple[Deviation, ...] = ()
    misstatements: tuple[Misstatement, ...] = ()
    recognised_credits: tuple[RecognisedCredit, ...] = ()

    @functools.cached_property
    def digest(self) -> str:
        """SHA-256 of the dossier's JSON serialisation: the same facts give the same digest.

        pydantic writes fields in model order, so the bytes depend only on the facts (not on how
        the file was formatted, nor on YAML versus JSON). Serialising costs about as much as
        evaluating a few rules, and the model is frozen, so it is computed once per object (a
        registry checks one dossier against several packs, dates and pack versions).
        """
        return hashlib.sha256(self.__pydantic_serializer__.to_json(self)).hexdigest()

    def model_copy(self, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> Dossier:
        """A copy; with ``update`` its facts differ, so it must not keep this object's digest."""
        copy = super().model_copy(update=update, deep=deep)
        copy.__dict__.pop("digest", None)
        return copy
