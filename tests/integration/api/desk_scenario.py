"""A county's 2025 in catalogue v2 with known answers for the desk (阳城 140522; on = 20 May 2025, a
Tuesday), plus a project in a neighbouring county (140521).

    P1 new, 3月中旬 (due 20 Mar), started 15 Mar: on time; key (county) with 李明 and 县发改局;
       eia listed for 30 April and not approved: 20 days overdue; not entered two months after
       its start; 100 of 1200 万元 done: 33.33 points behind 序时.
    P2 new, February (due 28 Feb), not started: 81 days overdue (yellow); key (city) with a leader
       and no lead unit; 专项债 8000 万元; its 立项 approved on 12 May (that week's 情况表).
    P3 continuing, 1月下旬 (due 31 Jan), resumed 10 Feb: 10 days late; key (county) with neither;
       entered; 600 of 1200 done; 中央预算内 300 万元; a 省级资金 500 retracted on 10 May.
    P4 continuing, no planned month, not resumed; a problem overdue since 30 April.
"""
from __future__ import annotations

from helpers import event

REGION, OTHER = "140522", "140521"
ON = "2025-05-20"
AS_OF = "2025-06-01T12:00:00+08:00"
BEFORE_RETRACTION = "2025-05-09"


def pid(n: int, region: str = REGION) -> str:
    return f"2501-{region}-04-01-{n:06d}"


class Scenario:
    def __init__(self) -> None:
        self.events: list[dict] = []

    def add(self, event_type: str, n: int, on: str, at: str | None = None, county: str = REGION,
            version: int = 1, **payload) -> dict:
        obj = event(event_type, project_id=pid(n, county), occurred_on=on, schema_version=version,
                    recorded_at=at or f"{on}T12:00:00+08:00", **payload)
        self.events.append(obj)
        return obj

    def planned(self, n: int, construction: str, month: int | None, dekad: int | None = None, *,
                township: str = "凤城镇", county: str = REGION, required: list[str] | None = None) -> None:
        self.add("ProjectRegistered", n, "2024-11-01", county=county, region=county, township=township,
                 total_investment="2000.00", name=f"项目{n}",
                 required_procedures=["approval_filing"] if required is None else required)
        self.add("AnnualPlanAdopted", n, "2025-01-05", county=county, version=2,
                 payload={"year": 2025, "construction": construction, "planned_investment": "1200.00",
                          "planned_start_month": month, "planned_start_dekad": dekad})

    def assign(self, n: int, who: str, name: str, role: str = "leader") -> None:
        self.add("LeaderAssigned", n, "2025-01-10", version=2, leader_id=who, leader_name=name,
                 title={"leader": "副县长", "lead_unit": "牵头部门", "support_unit": "帮办部门"}[role], role=role)


def build() -> Scenario:
    s = Scenario()
    s.planned(1, "new", 3, 2, required=["approval_filing", "eia"])
    s.add("ProcedureApproved", 1, "2025-02-01", procedure="approval_filing")
    s.add("ProcedurePlanned", 1, "2025-01-15", procedure="eia", level="city", due_on="2025-04-30",
          unit="晋城市生态环境局阳城分局", leader="王建军", officer="李晓燕")
    s.add("ConstructionStarted", 1, "2025-03-15")
    s.add("InvestmentReported", 1, "2025-04-30", year=2025, month=4, amount="100.00")
    s.add("KeyProjectDesignated", 1, "2025-01-05", year=2025, level="county")
    s.assign(1, "L-LI", "李明")
    s.assign(1, "U-FG", "阳城县发展和改革局", "lead_unit")
    s.add("SiteVisitRecorded", 1, "2025-05-06", leader_id="L-LI")

    s.planned(2, "new", 2)
    s.add("ProcedureApproved", 2, "2025-05-12", procedure="approval_filing", document_no="阳审批〔2025〕31号")
    s.add("KeyProjectDesignated", 2, "2025-01-05", year=2025, level="city")
    s.assign(2, "L-WANG", "王强")
    s.add("FundingSecured", 2, "2025-03-01", channel="special_bond", amount="8000.00", document_no="晋财债〔2025〕21号")

    s.planned(3, "continuing", 1, 3, township="北留镇", required=[])
    s.add("ConstructionResumed", 3, "2025-02-10", year=2025)
    s.add("StatsEntryApproved", 3, "2025-02-20")
    s.add("InvestmentReported", 3, "2025-04-30", year=2025, month=4, amount="600.00")
    s.add("KeyProjectDesignated", 3, "2025-01-05", year=2025, level="county")
    s.add("FundingSecured", 3, "2025-04-01", channel="central_budget", amount="300.00", document_no="发改投资〔2025〕5号")
    wrong = s.add("FundingSecured", 3, "2025-04-15", channel="provincial", amount="500.00", document_no="晋财建〔2025〕9号")
    s.add("EventRetracted", 3, "2025-05-10", at="2025-05-10T10:00:00+08:00",
          retracted_event_id=wrong["event_id"], reason="资金未到位")

    s.planned(4, "continuing", None, township="北留镇", required=[])
    s.add("ProblemRaised", 4, "2025-04-01", problem_id="P-LAND", category="用地", description="临时用地未批")
    s.add("ProblemAssigned", 4, "2025-04-01", problem_id="P-LAND", unit="阳城县自然资源局", due_on="2025-04-30")

    s.planned(9, "new", 1, county=OTHER)
    return s
