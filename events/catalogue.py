"""The event catalogue, schema_version 1 (CONTRACT.md §2): one frozen payload model per type.

A published version's model never changes (its Avro file would differ): v1 models use the frozen
v1 enums (`CategoryV1`, …), which keep their published Avro names.
Every string is limited (events/limits.py): names by `Name`/`OrgName`/…, free text by `Text`.
"""
from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from events import limits
from events.types import (
    Amount,
    CategoryV1,
    Code,
    Construction,
    DocumentNo,
    EscalationLevel,
    FigureIdV1,
    KeyLevel,
    LocalDate,
    MilestoneV1,
    Name,
    OrgName,
    Origin,
    ProcedureV1,
    ProjectName,
    RegionCode,
    RegionPrefix,
    Target,
    Text,
    Timestamp,
    pattern_type,
)

Year = Annotated[StrictInt, Field(ge=limits.YEAR_MIN, le=limits.YEAR_MAX)]
Month = Annotated[StrictInt, Field(ge=1, le=12)]
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


class AnnualPlanAdopted(Payload):
    """年度建设计划: the project is in year Y's plan as new (新建) or continuing (续建)."""

    year: Year
    construction: Construction
    planned_investment: Amount


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


# event_type -> payload model, schema_version 1
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
}

# The department that owns each type (DOMAIN.md); None: the issuing or assigned unit.
OWNERS: dict[str, tuple[str, ...]] = {
    "ProjectRegistered": ("ndrc",),
    "AnnualPlanAdopted": ("ndrc",),
    "KeyProjectDesignated": ("ndrc",),
    "AgreementSigned": ("investment_promotion",),
    "ProjectLanded": ("investment_promotion",),
    "ProcedureApproved": ("approval", "natural_resources", "ecology", "energy", "water", "housing"),
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
}
