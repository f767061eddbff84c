"""One county's small history with known answers for each view (阳城 140522, 2025), plus a
project in a neighbouring county (140521)."""
from __future__ import annotations

from helpers import event

REGION, OTHER = "140522", "140521"
ON = "2025-05-20"
BEFORE_RETRACTION = "2025-04-10"  # as of: the wrong start still counts


def pid(n: int, region: str = REGION) -> str:
    return f"2501-{region}-04-01-{n:06d}"


class Scenario:
    def __init__(self) -> None:
        self.events: list[dict] = []
        self.named: dict[str, dict] = {}

    def add(self, event_type: str, n: int, on: str, at: str | None = None, county: str = REGION,
            key: str | None = None, **payload) -> dict:
        obj = event(event_type, project_id=pid(n, county), occurred_on=on,
                    recorded_at=at or f"{on}T12:00:00+08:00", **payload)
        self.events.append(obj)
        if key:
            self.named[key] = obj
        return obj

    def planned(self, n: int, construction: str, region: str = REGION, planned: str = "1200.00") -> None:
        self.add("ProjectRegistered", n, "2024-11-01", county=region, region=region, key=f"reg{n}",
                 total_investment="2000.00", township="凤城镇", required_procedures=["approval_filing", "eia"],
                 name=f"项目{n}")
        self.add("AnnualPlanAdopted", n, "2025-01-05", county=region, year=2025, construction=construction,
                 planned_investment=planned)


def build() -> Scenario:
    s = Scenario()
    # 1: continuing, started in 2023, never resumed in 2025 (续建未复工)
    s.planned(1, "continuing")
    s.add("ConstructionStarted", 1, "2023-04-01")
    # 2: new; a start reported in March and retracted in May (开工误报)
    s.planned(2, "new")
    s.add("ProcedureApproved", 2, "2025-01-20")
    wrong = s.add("ConstructionStarted", 2, "2025-03-12", at="2025-03-13T09:00:00+08:00", key="wrong_start")
    s.add("EventRetracted", 2, "2025-05-08", at="2025-05-08T10:00:00+08:00", key="retraction",
          retracted_event_id=wrong["event_id"], reason="开工日期误报")
    # 3: new, started; 入库 submission returned; an overdue problem escalated to the city
    s.planned(3, "new")
    s.add("ConstructionStarted", 3, "2025-02-10")
    s.add("StatsEntrySubmitted", 3, "2025-03-01")
    s.add("StatsEntryReturned", 3, "2025-03-10", reason="缺少施工合同")
    s.add("ProblemRaised", 3, "2025-04-01", problem_id="P-ESC", category="用地", description="临时用地未批")
    s.add("ProblemAssigned", 3, "2025-04-01", problem_id="P-ESC", unit="县自然资源局", due_on="2025-04-30")
    s.add("ProblemEscalated", 3, "2025-05-08", problem_id="P-ESC", level="city")
    s.add("InvestmentReported", 3, "2025-04-30", year=2025, month=4, amount="300.00")
    # 李明 leads 1 and 3; visited 3 this month, 1 only in April (missed visit)
    for n in (1, 3):
        s.add("LeaderAssigned", n, "2025-01-10", leader_id="L-LI", leader_name="李明", title="副县长")
    s.add("SiteVisitRecorded", 1, "2025-04-18", leader_id="L-LI")
    s.add("SiteVisitRecorded", 3, "2025-05-06", leader_id="L-LI")
    # 9: the neighbouring county's project
    s.planned(9, "new", region=OTHER)
    return s
