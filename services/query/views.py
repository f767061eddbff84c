"""Query glue for the views (入库纳统, 领导包联, 问题闭环, 一项一档, stages), used by the CLI and
the HTTP API, read-only: load the facts visible as of the asked recorded time and hand them to the
pure folds in `projections.views`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import orjson
from sqlalchemy import Engine, or_, select

from projections.facts import Fact
from projections.ledger import fold_all, visible
from projections.periods import LOCAL, parse_as_of
from projections.views.dossier import dossier
from projections.views.leaders import leaders_view
from projections.views.problems import POLICIES, DeadlinePolicy, problems_view
from projections.views.stage import stage_view
from projections.views.stats_entry import stats_entry_view
from services.log.store import EventStore, to_micros
from services.readmodel.tables import facts, project_regions


@dataclass(frozen=True)
class ViewQuery:
    """A view for a region prefix on a business date `on`, as of a recorded time."""

    region: str
    on: date
    as_of: datetime

    @property
    def as_of_us(self) -> int:
        return to_micros(self.as_of)


def parse_on(text: str | None) -> date:
    """A business date YYYY-MM-DD; default today in Asia/Shanghai."""
    if text is None:
        return datetime.now(LOCAL).date()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"on must be a date YYYY-MM-DD, got {text!r}") from None


def check_region(region: str) -> str:
    if not isinstance(region, str) or not re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}", region):
        raise ValueError(f"region must be a 2-, 4- or 6-digit code prefix, got {region!r}")
    return region


def make_view_query(region: str, on: str | None = None, as_of: str | None = None) -> ViewQuery:
    return ViewQuery(check_region(region), parse_on(on), parse_as_of(as_of))


def deadline_policy(name: str = "default", remind_days: int | None = None) -> DeadlinePolicy:
    if name not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}, got {name!r}")
    policy = POLICIES[name]
    if remind_days is not None:
        if remind_days < 0:
            raise ValueError(f"remind days must be ≥ 0, got {remind_days}")
        policy = DeadlinePolicy(policy.name, remind_days, policy.ladder)
    return policy


# ---- loading ---------------------------------------------------------------------------------
def _fact(row) -> Fact:
    return Fact(row.position, row.event_id, row.event_type, row.project_id, date.fromisoformat(row.occurred_on),
                row.recorded_us, row.department, orjson.loads(row.payload))


def load_region(engine: Engine, region: str, as_of_us: int, year: int) -> list[Fact]:
    """Visible facts of every project ever registered in the region prefix (a superset: the views
    keep the projects whose registration in force lies in the region). Of the facts that belong
    to a year (plans, designations, investment), only `year`'s; every resumption (a stage)."""
    in_region = select(project_regions.c.project_id).where(project_regions.c.region.like(f"{region}%"))
    query = select(facts).where(
        facts.c.recorded_us <= as_of_us,
        facts.c.project_id.in_(in_region),
        or_(facts.c.year.is_(None), facts.c.year == year, facts.c.event_type == "ConstructionResumed"),
    ).order_by(facts.c.position)
    with engine.connect() as conn:
        rows = [_fact(r) for r in conn.execute(query)]
    return list(visible(fold_all(rows), as_of_us))


def load_project(engine: Engine, project_id: str, as_of_us: int) -> list[Fact]:
    """Every fact of one project recorded by `as_of_us`, retracted ones included."""
    query = select(facts).where(facts.c.recorded_us <= as_of_us, facts.c.project_id == project_id
                                ).order_by(facts.c.position)
    with engine.connect() as conn:
        return [_fact(r) for r in conn.execute(query)]


def _region_facts(store: EventStore, q: ViewQuery) -> list[Fact]:
    return load_region(store.engine, q.region, q.as_of_us, q.on.year)


def _stamped(result: dict, q: ViewQuery) -> dict:
    head = {k: result[k] for k in ("region", "project_id", "on") if k in result}
    return {**head, "as_of": q.as_of.isoformat(), **result}


# ---- the views -------------------------------------------------------------------------------
def stage_for(store: EventStore, q: ViewQuery) -> dict:
    return _stamped(stage_view(_region_facts(store, q), q.region, q.on), q)


def stats_entry_for(store: EventStore, q: ViewQuery) -> dict:
    return _stamped(stats_entry_view(_region_facts(store, q), q.region, q.on), q)


def leaders_for(store: EventStore, q: ViewQuery, policy: DeadlinePolicy = POLICIES["default"]) -> dict:
    return _stamped(leaders_view(_region_facts(store, q), q.region, q.on, policy), q)


def problems_for(store: EventStore, q: ViewQuery, policy: DeadlinePolicy = POLICIES["default"]) -> dict:
    return _stamped(problems_view(_region_facts(store, q), q.region, q.on, policy), q)


def dossier_for(store: EventStore, project_id: str, on: date, as_of: datetime) -> dict:
    result = dossier(load_project(store.engine, project_id, to_micros(as_of)), project_id, on, to_micros(as_of))
    return {"project_id": project_id, "on": result["on"], "as_of": as_of.isoformat(), **result}
