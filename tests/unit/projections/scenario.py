"""A tiny history builder for hand-computed figure scenarios, run through the pure projections."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from helpers import event
from events.codec import validate_object
from projections.facts import fact_from_json
from projections.ledger import fold_all, visible
from projections.periods import parse_as_of, parse_period
from projections.report import Query, explain, report
from services.log.store import to_micros

LOCAL = ZoneInfo("Asia/Shanghai")
REGION = "140522"


def pid(n: int) -> str:
    return f"2501-140522-04-01-{n:06d}"


class History:
    def __init__(self) -> None:
        self.events: list[dict] = []

    def add(self, event_type: str, project: int | None = 1, on: str = "2025-01-10",
            at: str | None = None, **payload) -> dict:
        """`at`: recorded time (default: the business date, noon)."""
        recorded = at or f"{on}T12:00:00+08:00"
        if "T" not in recorded:
            recorded = f"{recorded}T12:00:00+08:00"
        project_id = pid(project) if project is not None else None
        obj = event(event_type, project_id=project_id, occurred_on=on, recorded_at=recorded, **payload)
        validate_object(obj)  # every scenario event is a valid contract event
        self.events.append(obj)
        return obj

    def retract(self, target: dict, at: str) -> dict:
        return self.add("EventRetracted", project=None if target["project_id"] is None else int(
            target["project_id"][-6:]), on=at[:10], at=at,
            retracted_event_id=target["event_id"], reason="录入错误")

    # a registered project in the 2025 plan ---------------------------------------------------
    def planned(self, n: int, construction: str = "new", planned: str = "100.00", *, region: str = REGION,
                township: str = "凤城镇", total: str = "1000.00", legal_entity: bool = True,
                required: list[str] | None = None, year: int = 2025, registered_on: str = "2024-11-01") -> None:
        self.add("ProjectRegistered", n, on=registered_on, region=region, township=township,
                 total_investment=total, legal_entity=legal_entity,
                 required_procedures=required if required is not None else ["approval_filing", "eia"])
        self.add("AnnualPlanAdopted", n, on=f"{year}-01-05", year=year, construction=construction,
                 planned_investment=planned)

    # reading ---------------------------------------------------------------------------------
    def facts(self, order: list[int] | None = None):
        ordered = self.events if order is None else [self.events[i] for i in order]
        return [fact_from_json(i + 1, obj, to_micros(datetime.fromisoformat(obj["recorded_at"])))
                for i, obj in enumerate(ordered)]

    def query(self, period: str = "2025Q1", as_of: str | None = "2030-01-01", region: str = REGION,
              level: str | None = None) -> Query:
        return Query(region, parse_period(period), parse_as_of(as_of), level)

    def visible(self, query: Query, order=None):
        return list(visible(fold_all(self.facts(order)), to_micros(query.as_of)))

    def report(self, order=None, **kw) -> dict:
        query = self.query(**kw)
        return report(self.visible(query, order), query)

    def figure(self, figure_id: str, **kw) -> tuple:
        f = self.report(**kw)["figures"][figure_id]
        return f["numerator"], f["denominator"], f["value"]

    def explain(self, figure_id: str, **kw) -> dict:
        query = self.query(**kw)
        return explain(self.visible(query), figure_id, query)
