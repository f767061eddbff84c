"""One valid contract JSON object per event type and schema_version, for tests and docs.

    example_event("InvestmentReported", project_id="2501-140522-04-01-000999", payload={"month": 4})
    example_event("TargetSet", schema_version=2)          # the v2 example

Keyword overrides replace envelope fields; a `payload` override is merged into the example's
payload. A `schema_version` override picks that version's example when there is one (else the v1
example, with the version changed). Every call returns a fresh copy, free to change. The examples
are canonical: validating one and dumping it back (`Event.to_json`) gives the same object.
`EXAMPLES` holds the v1 examples (every type has one); `EXAMPLES_BY_VERSION` every version's.
"""
from __future__ import annotations

import copy
import uuid
from typing import Any

PROJECT_ID = "2501-140522-04-01-000123"
PROBLEM_ID = "P-2025-031"

SYSTEMS = {
    "ndrc": "project-database",
    "approval": "approval-service",
    "finance": "budget-management",
    "water": "water-permit",
    "ecology": "eia-approval",
    "investment_promotion": "investment-promotion-platform",
    "natural_resources": "land-approval",
    "project_center": "project-dispatch",
    "stats": "fixed-asset-investment-db",
    "supervision": "supervision-office",
}


def _example_id(event_type: str, version: int = 1) -> str:
    name = f"projfacts:example:{event_type}" if version == 1 else f"projfacts:example:{event_type}:v{version}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


# event_type -> (department, occurred_on, payload)
_FACTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "ProjectRegistered": ("ndrc", "2025-01-08", {
        "name": "阳城县年产10万吨新型建材项目",
        "region": "140522",
        "township": "凤城镇",
        "total_investment": "12000.00",
        "owner": "阳城县晟达建材有限公司",
        "legal_entity": True,
        "origin": "investment_attraction",
        "categories": ["industrial", "private"],
        "required_procedures": ["approval_filing", "land_approval", "eia", "construction_permit"],
    }),
    "AnnualPlanAdopted": ("ndrc", "2025-01-20", {"year": 2025, "construction": "new", "planned_investment": "5000.00"}),
    "KeyProjectDesignated": ("ndrc", "2025-02-10", {"year": 2025, "level": "city"}),
    "AgreementSigned": ("investment_promotion", "2024-11-18", {
        "investor": "山西晟达投资集团",
        "agreed_investment": "12000.00",
    }),
    "ProjectLanded": ("investment_promotion", "2024-12-20", {}),
    "ProcedureApproved": ("ecology", "2025-02-26", {
        "procedure": "eia",
        "document_no": "阳环审〔2025〕12号",
        "authority": "晋城市阳城生态环境局",
    }),
    "ConstructionStarted": ("project_center", "2025-03-18", {}),
    "ConstructionResumed": ("project_center", "2025-02-15", {"year": 2025}),
    "InvestmentReported": ("project_center", "2025-04-05", {"year": 2025, "month": 3, "amount": "850.50"}),
    "StatsEntrySubmitted": ("stats", "2025-04-10", {}),
    "StatsEntryApproved": ("stats", "2025-04-22", {}),
    "StatsEntryReturned": ("stats", "2025-04-15", {"reason": "缺少施工合同及发票"}),
    "ProjectCompleted": ("ndrc", "2026-10-30", {}),
    "ProductionStarted": ("ndrc", "2026-12-01", {}),
    "DesignOutputReached": ("ndrc", "2027-06-30", {}),
    "LeaderAssigned": ("ndrc", "2025-02-12", {"leader_id": "L-007", "leader_name": "张卫东", "title": "副县长"}),
    "LeaderReleased": ("ndrc", "2025-12-31", {"leader_id": "L-007"}),
    "SiteVisitRecorded": ("project_center", "2025-03-25", {"leader_id": "L-007"}),
    "ProblemRaised": ("project_center", "2025-03-26", {
        "problem_id": PROBLEM_ID,
        "category": "用地",
        "description": "施工便道占用林地,需办理临时用地手续",
    }),
    "ProblemAssigned": ("project_center", "2025-03-27", {
        "problem_id": PROBLEM_ID,
        "unit": "natural_resources",
        "due_on": "2025-04-15",
    }),
    "ProblemResolved": ("natural_resources", "2025-04-11", {"problem_id": PROBLEM_ID}),
    "ProblemFollowedUp": ("project_center", "2025-04-14", {"problem_id": PROBLEM_ID, "satisfied": True}),
    "ProblemEscalated": ("supervision", "2025-04-16", {"problem_id": PROBLEM_ID, "level": "city"}),
    "TargetSet": ("ndrc", "2025-01-15", {
        "region": "140522",
        "year": 2025,
        "figure": "new_start_rate",
        "by": "H1",
        "target": "0.6000",
    }),
    "EventRetracted": ("project_center", "2025-04-07", {
        "retracted_event_id": _example_id("InvestmentReported"),
        "reason": "月报数字填错,以重报为准",
    }),
    "ReportPublished": ("ndrc", "2025-04-10", {
        "region": "140522",
        "period": "2025Q1",
        "as_of": "2025-04-10T17:00:00+08:00",
        "level": None,
        "content_sha256": "9f2c" * 16,
        "publisher": "阳城县重点工程项目总指挥部办公室",
    }),
    "ProcedurePlanned": ("approval", "2025-02-20", {
        "procedure": "land_approval",
        "level": "province",
        "due_on": "2025-05-31",
        "unit": "阳城县自然资源局",
        "leader": "王建军",
        "officer": "李晓燕",
    }),
    "FundingSecured": ("finance", "2025-03-12", {
        "channel": "special_bond",
        "amount": "8000.00",
        "document_no": "晋财债〔2025〕21号",
    }),
}

# event_type -> (department, occurred_on, payload) of its schema_version 2 (CONTRACT §5)
_FACTS_V2: dict[str, tuple[str, str, dict[str, Any]]] = {
    "ProjectRegistered": ("ndrc", "2025-01-08", {
        "name": "阳城县年产10万吨新型建材项目",
        "region": "140522",
        "township": "凤城镇",
        "total_investment": "12000.00",
        "owner": "阳城县晟达建材有限公司",
        "legal_entity": True,
        "origin": "investment_attraction",
        "categories": ["industrial", "private", "industry"],
        "required_procedures": ["approval_filing", "land_approval", "eia", "capacity_replacement",
                                "water_use", "construction_permit", "fire_acceptance"],
        "location": {"lng": "112.415310", "lat": "35.486420"},
        "village": "东关村",
    }),
    "ProcedureApproved": ("water", "2025-03-05", {
        "procedure": "water_use",
        "document_no": "阳水许〔2025〕8号",
        "authority": "阳城县水务局",
    }),
    "AnnualPlanAdopted": ("ndrc", "2025-01-20", {
        "year": 2025,
        "construction": "new",
        "planned_investment": "5000.00",
        "planned_start_month": 3,
        "planned_start_dekad": 2,
    }),
    "LeaderAssigned": ("ndrc", "2025-02-12", {
        "leader_id": "U-140522-FGJ",
        "leader_name": "阳城县发展和改革局",
        "title": "牵头部门",
        "role": "lead_unit",
    }),
    "TargetSet": ("ndrc", "2025-01-15", {
        "region": "140522",
        "year": 2025,
        "figure": "investment_total",
        "by": "M06",
        "target": "83750.00",
        "township": "凤城镇",
    }),
    "ReportPublished": ("ndrc", "2025-04-10", {
        "region": "140522",
        "period": "2025Q1",
        "as_of": "2025-04-10T17:00:00+08:00",
        "level": None,
        "content_sha256": "9f2c" * 16,
        "publisher": "阳城县重点工程项目总指挥部办公室",
        "category": "industry",
        "format": 2,
    }),
}
REGIONAL = frozenset({"TargetSet", "ReportPublished"})  # about a region, not a project: project_id null


def _example(event_type: str, version: int = 1) -> dict[str, Any]:
    department, occurred_on, payload = (_FACTS if version == 1 else _FACTS_V2)[event_type]
    return {
        "event_id": _example_id(event_type, version),
        "event_type": event_type,
        "schema_version": version,
        "project_id": None if event_type in REGIONAL else PROJECT_ID,
        "occurred_on": occurred_on,
        "recorded_at": f"{occurred_on}T09:30:00+08:00",
        "source": {"department": department, "system": SYSTEMS[department]},
        "payload": payload,
    }


EXAMPLES: dict[str, dict[str, Any]] = {event_type: _example(event_type) for event_type in _FACTS}
EXAMPLES_BY_VERSION: dict[tuple[str, int], dict[str, Any]] = {
    **{(event_type, 1): example for event_type, example in EXAMPLES.items()},
    **{(event_type, 2): _example(event_type, 2) for event_type in _FACTS_V2},
}


def example_event(event_type: str, /, **overrides: Any) -> dict[str, Any]:
    """A fresh valid JSON object of `event_type`, with `overrides` applied (see the module doc)."""
    version = overrides.get("schema_version", 1)
    obj = copy.deepcopy(EXAMPLES_BY_VERSION.get((event_type, version), EXAMPLES[event_type]))
    payload = overrides.pop("payload", {})
    obj.update(copy.deepcopy(overrides))
    obj["payload"].update(copy.deepcopy(payload))
    return obj
