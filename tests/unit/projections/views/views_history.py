"""A small history builder for the view scenarios: contract events in, visible facts out."""
from __future__ import annotations

from datetime import date, datetime

from events.codec import validate_object
from helpers import event
from projections.facts import fact_from_json
from projections.ledger import fold_all, visible
from projections.periods import parse_as_of
from services.log.store import to_micros

REGION = "140522"
LATER = "2030-01-01"


def pid(n: int, region: str = REGION) -> str:
    return f"2501-{region}-04-01-{n:06d}"


class History:
    def __init__(self) -> None:
        self.events: list[dict] = []

    def add(self, event_type: str, project: int | str | None = 1, on: str = "2025-01-10",
            at: str | None = None, **payload) -> dict:
        """`at`: the recorded time (default: noon of the business date)."""
        recorded = at or f"{on}T12:00:00+08:00"
        if "T" not in recorded:
            recorded = f"{recorded}T12:00:00+08:00"
        project_id = pid(project) if isinstance(project, int) else project
        obj = event(event_type, project_id=project_id, occurred_on=on, recorded_at=recorded, **payload)
        validate_object(obj)
        self.events.append(obj)
        return obj

    def retract(self, target: dict, at: str, reason: str = "录入错误") -> dict:
        return self.add("EventRetracted", target["project_id"], on=at[:10], at=at,
                        retracted_event_id=target["event_id"], reason=reason)

    def registered(self, n: int, *, on: str = "2024-11-01", region: str = REGION, township: str = "凤城镇",
                   total: str = "1000.00", legal_entity: bool = True, name: str | None = None,
                   required: list[str] | None = None) -> dict:
        return self.add("ProjectRegistered", n, on=on, region=region, township=township, total_investment=total,
                        legal_entity=legal_entity, name=name or f"项目{n}",
                        required_procedures=["approval_filing", "eia"] if required is None else required)

    def planned(self, n: int, construction: str = "new", planned: str = "1200.00", year: int = 2025, **reg) -> None:
        self.registered(n, **reg)
        self.add("AnnualPlanAdopted", n, on=f"{year}-01-05", year=year, construction=construction,
                 planned_investment=planned)

    def facts(self):
        return [fact_from_json(i + 1, obj, to_micros(datetime.fromisoformat(obj["recorded_at"])))
                for i, obj in enumerate(self.events)]

    def visible(self, as_of: str = LATER):
        return list(visible(fold_all(self.facts()), to_micros(parse_as_of(as_of))))


def day(text: str) -> date:
    return date.fromisoformat(text)
