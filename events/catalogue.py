"""The event catalogue (CONTRACT.md §2 and §5): one frozen payload model per type and version.

schema_version 1 is §2's catalogue plus §5's new types; §5's new versions of existing types are
schema_version 2, each with an upcaster from v1. A published version's model never changes (its
Avro file would differ): v1 models use the frozen v1 enums (`CategoryV1`, …), v2 models the latest.
Every string is limited (events/limits.py): names by `Name`/`OrgName`/…, free text by `Text`.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Literal, Annotated, Any, Callable
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_serializer,
    field_validator,
)

from events import limits
from events.types import (
    FIGURE_KINDS,
    Amount,
    AnyTarget,
    Category,
    CategoryV1,
    Code,
    Construction,
    DocumentNo,
    EscalationLevel,
    FigureId,
    FigureIdV1,
    FundingChannel,
    KeyLevel,
    Latitude,
    LeaderRole,
    LocalDate,
    Longitude,
    Milestone,
    MilestoneV1,
    Name,
    OrgName,
    Origin,
    Procedure,
    ProcedureLevel,
    ProcedureV1,
    ProjectName,
    RegionCode,
    RegionPrefix,
    Target,
    Text,
    Timestamp,
    format_figure_target,
    parse_figure_target,
    pattern_type,
)

Year = Annotated[StrictInt, Field(ge=limits.YEAR_MIN, le=limits.YEAR_MAX)]
Month = Annotated[StrictInt, Field(ge=1, le=12)]
Dekad = Annotated[StrictInt, Field(ge=1, le=3)]
PeriodLabel = pattern_type(r"^[0-9]{4}(?:H[12]|Q[1-4]|-(?:0[1-9]|1[0-2]))?$")
Sha256 = pattern_type(r"^[0-9a-f]{64}$")


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Empty(Payload):
    """A fact whose whole meaning is its type and its dates."""


CodeList = Field(default_factory=list, max_length=limits.CODE_LIST_MAX)


class ProjectRegistered(Payload):
    """项目入库: the project in the project database (amendable)."""

    name: ProjectName
    region: RegionCode
    township: Name | None = None
    total_investment: Amount
    owner: OrgName
    legal_entity: StrictBool
    origin: Origin
    categories: list[CategoryV1] = CodeList
    required_procedures: list[ProcedureV1] = CodeList


class Location(BaseModel):
    """Where the project is: WGS-84 longitude east and latitude north, in degrees (≤ 6 places)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    lng: Longitude
    lat: Latitude


class ProjectRegisteredV2(Payload):
    """项目入库 (v2): categories may hold industry (产业项目), procedures the v2 codes; location and
    village (行政村, only with a township) may be given."""

    name: ProjectName
    region: RegionCode
    township: Name | None = None
    total_investment: Amount
    owner: OrgName
    legal_entity: StrictBool
    origin: Origin
    categories: list[Category] = CodeList
    required_procedures: list[Procedure] = CodeList
    location: Location | None = None
    village: Name | None = None

    @field_validator("village")
    @classmethod
    def _village_within_a_township(cls, village: str | None, info: ValidationInfo) -> str | None:
        if village is not None and "township" in info.data and info.data["township"] is None:
            raise ValueError("a village may be given only with its township")
        return village


class AnnualPlanAdopted(Payload):
    """年度建设计划: the project is in year Y's plan as new (新建) or continuing (续建)."""

    year: Year
    construction: Construction
    planned_investment: Amount


class AnnualPlanAdoptedV2(Payload):
    """年度建设计划 (v2): and when the project is planned to start (new) or resume (continuing) in
    the plan's year: a month (开复工计划到月), and a dekad of it (到旬: 1 上旬, 2 中旬, 3 下旬)."""

    year: Year
    construction: Construction
    planned_investment: Amount
    planned_start_month: Month | None = None
    planned_start_dekad: Dekad | None = None

    @field_validator("planned_start_dekad")
    @classmethod
    def _dekad_only_with_a_month(cls, dekad: int | None, info: ValidationInfo) -> int | None:
        if dekad is not None and "planned_start_month" in info.data and info.data["planned_start_month"] is None:
            raise ValueError("planned_start_dekad may be given only with planned_start_month")
        return dekad


class KeyProjectDesignated(Payload):
    """省/市/县重点工程 designation for a year."""

    year: Year
    level: KeyLevel


class AgreementSigned(Payload):
    """招商引资签约."""

    investor: OrgName
    agreed_investment: Amount


class ProcedureApproved(Payload):
    """前期手续 approved by the department that issues it."""

    procedure: ProcedureV1
    document_no: DocumentNo
    authority: OrgName


class ProcedureApprovedV2(Payload):
    """前期手续 approved by the department that issues it (v2: also 产能置换, 取水许可, 文物保护, 消防验收)."""

    procedure: Procedure
    document_no: DocumentNo
    authority: OrgName


class ProcedurePlanned(Payload):
    """前期手续清单 item: a procedure the project still needs, the level that grants it (办理层级), the
    deadline, the unit that carries it (承办单位), the responsible leader (责任领导) and the officer
    (承办人). Amendable per (project, procedure)."""

    procedure: Procedure
    level: ProcedureLevel
    due_on: LocalDate
    unit: OrgName
    leader: Name
    officer: Name


class FundingSecured(Payload):
    """争取资金: money secured for the project through a channel, by a document (文号)."""

    channel: FundingChannel
    amount: Amount
    document_no: DocumentNo


class ConstructionResumed(Payload):
    """复工 of a continuing project in a year."""

    year: Year


class InvestmentReported(Payload):
    """月度完成投资: completed in that month; a later report for the same month supersedes."""

    year: Year
    month: Month
    amount: Amount


class StatsEntryReturned(Payload):
    """入库纳统 submission returned by the statistics bureau."""

    reason: Text


class LeaderAssigned(Payload):
    """领导包联."""

    leader_id: Code
    leader_name: Name
    title: Name


class LeaderAssignedV2(Payload):
    """包联 (v2): a leader (包联领导, the default), the lead unit (牵头部门: leader_id is the unit's code,
    leader_name its name) or a supporting unit (帮办部门). 双包联 is a leader and a lead unit."""

    leader_id: Code
    leader_name: Name
    title: Name
    role: LeaderRole = LeaderRole.leader


class LeaderReleased(Payload):
    leader_id: Code


class SiteVisitRecorded(Payload):
    leader_id: Code


class ProblemRaised(Payload):
    """问题收集."""

    problem_id: Code
    category: Name
    description: Text


class ProblemAssigned(Payload):
    """交办: to a unit with a deadline."""

    problem_id: Code
    unit: OrgName
    due_on: LocalDate


class ProblemResolved(Payload):
    """限时办结."""

    problem_id: Code


class ProblemFollowedUp(Payload):
    """回访: satisfied closes the problem (销号), unsatisfied reopens it."""

    problem_id: Code
    satisfied: StrictBool


class ProblemEscalated(Payload):
    """督办."""

    problem_id: Code
    level: EscalationLevel


class TargetSet(Payload):
    """A region's target for a figure, year and milestone."""

    region: RegionPrefix
    year: Year
    figure: FigureIdV1
    by: MilestoneV1
    target: Target


class TargetSetV2(Payload):
    """A region's target (v2) for a figure, year and milestone (also the end of a month, M01-M12),
    in the figure's kind: a rate (≤ 4 places), an amount in 万元 (≤ 2 places) or a count (an
    integer); for one township of a county when township is given."""

    region: RegionPrefix
    year: Year
    figure: FigureId
    by: Milestone
    target: AnyTarget
    township: Name | None = None

    @field_validator("target", mode="wrap")
    @classmethod
    def _target_of_its_kind(cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Decimal:
        figure = info.data.get("figure")
        if figure is None:  # the figure itself is refused; its error comes first
            return handler(value)
        checked = parse_figure_target(value, FIGURE_KINDS[figure.value])  # the kind's rules, on what was sent
        handler(checked)  # and the field's own type, which every kind fits
        return checked

    @field_validator("township")
    @classmethod
    def _township_of_a_county(cls, township: str | None, info: ValidationInfo) -> str | None:
        region = info.data.get("region")
        if township is not None and region is not None and len(region) != 6:
            raise ValueError(f"a township target needs the 6-digit code of its county as region, got {region!r}")
        return township

    @field_serializer("target", when_used="json")
    def _target_json(self, target: Decimal) -> str:
        return format_figure_target(target, FIGURE_KINDS[self.figure.value])


class EventRetracted(Payload):
    """A fact withdrawn by its owner; both stay in the log."""

    retracted_event_id: UUID
    reason: Text


class ReportPublished(Payload):
    """通报 published: a region's report for a period as of a recorded time, fixed by its SHA-256."""

    # content_sha256: of the exact bytes `projfacts report --format json` prints for it. Project-less.

    region: RegionPrefix
    period: PeriodLabel
    as_of: Timestamp
    level: KeyLevel | None = None
    content_sha256: Sha256
    publisher: OrgName


class ReportPublishedV2(Payload):
    """通报 published (v2): as v1, with the report's category (--category) and the format of the JSON
    its SHA-256 was taken of — 1: CONTRACT §4 before Part two (the eleven rates); 2: Part two (every
    figure with its kind, the region's name). A v1 publication is format 1."""

    region: RegionPrefix
    period: PeriodLabel
    as_of: Timestamp
    level: KeyLevel | None = None
    content_sha256: Sha256
    publisher: OrgName
    category: Category | None = None
    format: Literal[1, 2] = 1


# event_type -> payload model, schema_version 1 (§2, and §5's new types)
CATALOGUE_V1: dict[str, type[Payload]] = {
    "ProjectRegistered": ProjectRegistered,
    "AnnualPlanAdopted": AnnualPlanAdopted,
    "KeyProjectDesignated": KeyProjectDesignated,
    "AgreementSigned": AgreementSigned,
    "ProjectLanded": Empty,
    "ProcedureApproved": ProcedureApproved,
    "ConstructionStarted": Empty,
    "ConstructionResumed": ConstructionResumed,
    "InvestmentReported": InvestmentReported,
    "StatsEntrySubmitted": Empty,
    "StatsEntryApproved": Empty,
    "StatsEntryReturned": StatsEntryReturned,
    "ProjectCompleted": Empty,
    "ProductionStarted": Empty,
    "DesignOutputReached": Empty,
    "LeaderAssigned": LeaderAssigned,
    "LeaderReleased": LeaderReleased,
    "SiteVisitRecorded": SiteVisitRecorded,
    "ProblemRaised": ProblemRaised,
    "ProblemAssigned": ProblemAssigned,
    "ProblemResolved": ProblemResolved,
    "ProblemFollowedUp": ProblemFollowedUp,
    "ProblemEscalated": ProblemEscalated,
    "TargetSet": TargetSet,
    "EventRetracted": EventRetracted,
    "ReportPublished": ReportPublished,
    "ProcedurePlanned": ProcedurePlanned,
    "FundingSecured": FundingSecured,
}

# event_type -> payload model, schema_version 2 (§5)
CATALOGUE_V2: dict[str, type[Payload]] = {
    "ProjectRegistered": ProjectRegisteredV2,
    "ProcedureApproved": ProcedureApprovedV2,
    "AnnualPlanAdopted": AnnualPlanAdoptedV2,
    "LeaderAssigned": LeaderAssignedV2,
    "TargetSet": TargetSetV2,
    "ReportPublished": ReportPublishedV2,
}

# event_type -> the payload model of its latest version: what projections see after upcasting.
CATALOGUE_LATEST: dict[str, type[Payload]] = {**CATALOGUE_V1, **CATALOGUE_V2}


# v1 -> v2: the new optional fields absent (null), role `leader`. Each upcast only adds fields
# with these values (a reader that takes a missing field as its default may read a v1 payload as
# v2 as it is); the result is the v2 payload exactly as a v2 event of the same content dumps
# (`Event.to_json`), keys in the model's order.
UPCAST_DEFAULTS_V1: dict[str, dict[str, Any]] = {
    "ProjectRegistered": {"location": None, "village": None},
    "ProcedureApproved": {},
    "AnnualPlanAdopted": {"planned_start_month": None, "planned_start_dekad": None},
    "LeaderAssigned": {"role": LeaderRole.leader.value},
    "TargetSet": {"township": None},
    "ReportPublished": {"category": None, "format": 1},
}


class AddingFields:
    """An upcaster that only adds `fields` with these fixed values, after the payload's own keys (so
    that a rebuild may do it on the stored JSON text: services/readmodel/replay/window.py)."""

    def __init__(self, fields: dict[str, Any]):
        self.fields = dict(fields)

    def __call__(self, payload: dict) -> dict:
        return {**payload, **self.fields}


UPCASTERS_V1: dict[str, Callable[[dict], dict]] = {
    event_type: AddingFields(fields) for event_type, fields in UPCAST_DEFAULTS_V1.items()
}


# Department codes (DOMAIN.md) -> what they are. `finance` (§5) secures funding; `industry` and
# `culture` issue 产能置换 and 文物保护 (PROCEDURE_ISSUERS).
DEPARTMENTS: dict[str, str] = {
    "ndrc": "发展和改革局 development & reform",
    "approval": "行政审批服务管理局 administrative approval",
    "natural_resources": "自然资源局 natural resources",
    "ecology": "生态环境分局 ecology & environment",
    "energy": "能源局 energy",
    "water": "水利(水务)局 water",
    "housing": "住房和城乡建设局 housing & construction",
    "industry": "工业和信息化局 industry & information technology",
    "culture": "文化和旅游局(文物局) culture, tourism & cultural relics",
    "finance": "财政局 finance",
    "investment_promotion": "投资促进中心 investment promotion",
    "project_center": "项目推进中心 project promotion centre",
    "stats": "统计局 statistics",
    "supervision": "督查室 supervision office",
}

# procedure code -> the departments that may issue it (pure data; the policy may narrow it).
PROCEDURE_ISSUERS: dict[str, tuple[str, ...]] = {
    "approval_filing": ("approval", "ndrc"),             # 立项: 审批/核准/备案
    "land_pre_review": ("natural_resources",),           # 用地预审与选址
    "land_approval": ("natural_resources",),             # 用地批复
    "planning_permit": ("natural_resources",),           # 规划许可
    "eia": ("ecology",),                                 # 环评批复
    "energy_review": ("energy", "approval"),             # 节能审查 (in Shanxi often moved to 行政审批局)
    "soil_water": ("water", "approval"),                 # 水土保持方案 (likewise)
    "construction_permit": ("approval", "housing"),      # 施工许可
    "capacity_replacement": ("ndrc", "industry", "energy"),  # 产能置换: 钢铁/水泥/玻璃 工信, 煤炭 发改/能源
    "water_use": ("water", "approval"),                  # 取水许可 (likewise)
    "cultural_relics": ("culture",),                     # 文物保护 (考古勘探, 文物影响评估)
    "fire_acceptance": ("housing",),                     # 消防验收 (住建, since 2019)
}


def _issuers() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for departments in PROCEDURE_ISSUERS.values():
        seen.update(dict.fromkeys(departments))
    return tuple(seen)


# The department that owns each type (DOMAIN.md, CONTRACT §5); (): the issuing or assigned unit.
OWNERS: dict[str, tuple[str, ...]] = {
    "ProjectRegistered": ("ndrc",),
    "AnnualPlanAdopted": ("ndrc",),
    "KeyProjectDesignated": ("ndrc",),
    "AgreementSigned": ("investment_promotion",),
    "ProjectLanded": ("investment_promotion",),
    "ProcedureApproved": _issuers(),
    "ConstructionStarted": ("project_center",),
    "ConstructionResumed": ("project_center",),
    "InvestmentReported": ("project_center", "stats"),
    "StatsEntrySubmitted": ("stats",),
    "StatsEntryApproved": ("stats",),
    "StatsEntryReturned": ("stats",),
    "ProjectCompleted": ("ndrc",),
    "ProductionStarted": ("ndrc",),
    "DesignOutputReached": ("ndrc",),
    "LeaderAssigned": ("ndrc",),
    "LeaderReleased": ("ndrc",),
    "SiteVisitRecorded": ("project_center",),
    "ProblemRaised": ("project_center",),
    "ProblemAssigned": ("project_center",),
    "ProblemResolved": (),
    "ProblemFollowedUp": ("project_center",),
    "ProblemEscalated": ("supervision",),
    "TargetSet": ("ndrc",),
    "EventRetracted": (),
    "ReportPublished": ("ndrc",),
    "ProcedurePlanned": ("approval",),
    "FundingSecured": ("ndrc", "finance"),
}
