"""Response and request shapes for the OpenAPI description (documentation: the handlers return
the same JSON bytes the CLI prints with `--format json`)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from events.registry import REGISTRY


class ErrorBody(BaseModel):
    """A refused request: which event, which field, and why."""

    event_id: str | None = None
    field: str | None = None
    reason: str


class Accepted(BaseModel):
    event_id: str
    outcome: str = Field(description="`appended` (new) or `duplicate` (same id and content, a no-op)")
    position: int = Field(description="position of the event in the log")
    recorded_at: str = Field(description="when the system learned it (stamped on append)")


class FigureOut(BaseModel):
    kind: str = Field(description="rate, amount (万元) or count")
    numerator: int | str
    denominator: int | str | None
    value: int | str | None
    target: str | None = None
    behind: bool | None = None


class ReportOut(BaseModel):
    """CONTRACT.md §4 and §6 `projfacts report --format json`."""

    region: str
    region_name: str | None
    period: str
    through: str
    as_of: str
    figures: dict[str, FigureOut]
    pace: str


class ExplainItem(BaseModel):
    project_id: str
    amount: int | str
    events: list[str]


class ExplainSide(BaseModel):
    value: int | str | None
    items: list[ExplainItem]


class ExplainOut(BaseModel):
    figure: str
    formula: str
    numerator: ExplainSide
    denominator: ExplainSide


class RankRow(BaseModel):
    rank: int | None = Field(description="standard competition ranking; null: no value, unranked")
    region: str
    region_name: str | None
    township: str | None
    numerator: int | str
    denominator: int | str | None
    value: int | str | None
    target: str | None
    behind: bool | None


class RankOut(BaseModel):
    """CONTRACT.md §7 `projfacts rank --format json`."""

    figure: str
    region: str
    period: str
    through: str
    as_of: str
    rows: list[RankRow]


class ViewOut(BaseModel):
    """A view for a region on a business date `on`, as of a recorded time."""

    region: str
    on: str
    as_of: str

    model_config = {"extra": "allow"}


class StagesOut(ViewOut):
    """项目阶段: counts per stage, flagged projects (续建未复工, 新建未开工), each project with its timeline."""

    counts: dict[str, int]
    flagged: dict[str, int]
    projects: list[dict[str, Any]]


class StatsEntryOut(ViewOut):
    """入库纳统: every project's eligibility and status, the 应统未统 list, counts per region and township."""

    projects: list[dict[str, Any]]
    not_entered: list[dict[str, Any]]
    by_region: list[dict[str, Any]]
    by_township: list[dict[str, Any]]


class LeadersOut(ViewOut):
    """领导包联: each leader's projects, visits within the interval, leaders flagged for a missed visit, units
    (包联部门, 帮办部门) apart."""

    month: str
    leaders: list[dict[str, Any]]
    flagged: list[str]
    by_project: dict[str, list[dict[str, Any]]]


class ProblemsOut(ViewOut):
    """问题闭环: open problems grouped, near deadline (提醒), overdue (帮办/督办), closure."""

    policy: dict[str, Any]
    open: int
    open_by_region: dict[str, int]
    open_by_township: dict[str, int]
    open_by_unit: dict[str, int]
    open_by_category: dict[str, int]
    near_deadline: list[dict[str, Any]]
    overdue: list[dict[str, Any]]
    escalation_candidates: list[str]
    closure: dict[str, Any]
    problems: list[dict[str, Any]]


class DossierOut(BaseModel):
    """一项一档: every fact of the project with retractions and supersessions, and its stage."""

    project_id: str
    on: str
    as_of: str
    project: dict[str, Any] | None
    stage: dict[str, Any] | None
    leaders: list[dict[str, Any]]
    counts: dict[str, int]
    facts: list[dict[str, Any]]


EVENT_SCHEMA: dict = {
    "type": "object",
    "description": "One event (CONTRACT.md §1). `recorded_at` is stamped by the system; a value sent is ignored.",
    "required": ["event_id", "event_type", "schema_version", "project_id", "occurred_on", "source", "payload"],
    "properties": {
        "event_id": {"type": "string", "format": "uuid"},
        "event_type": {"type": "string", "enum": sorted(REGISTRY.latest)},
        "schema_version": {"type": "integer", "minimum": 1},
        "project_id": {"type": ["string", "null"], "description": "项目代码; null only for TargetSet"},
        "occurred_on": {"type": "string", "format": "date"},
        "recorded_at": {"type": "string", "format": "date-time"},
        "source": {"type": "object", "required": ["department", "system"],
                   "properties": {"department": {"type": "string"}, "system": {"type": "string"}}},
        "payload": {"type": "object", "description": "per event type (CONTRACT.md §2)"},
    },
}
