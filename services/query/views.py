"""Query glue for the views (入库纳统, 领导包联, 问题闭环, 一项一档, stages), used by the CLI and
the HTTP API, read-only: load the facts visible as of the asked recorded time and hand them to the
pure folds in `projections.views`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime


from projections.periods import LOCAL, parse_as_of, parse_day
from projections.standing import ByProject
from projections.views.dossier import dossier
from projections.views.lights import Lights
from projections.views.leaders import leaders_view
from projections.views.reads import VIEWS as READS
from projections.views.problems import POLICIES, DeadlinePolicy, problems_view
from projections.views.stage import stage_view
from projections.views.stats_entry import stats_entry_view
from services.gcpause import without_gc
from services.log.store import EventStore, to_micros
from services.query.lights import load_lights
from services.readmodel.sql import project_facts, region_projects


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
    return parse_day(text, "on")


def check_region(region: str) -> str:
    if not isinstance(region, str) or not re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}", region):
        raise ValueError(f"region must be a 2-, 4- or 6-digit code prefix, got {region!r}")
    return region


def check_project_id(project_id: str) -> str:
    """A project code as the envelope allows it (events.envelope.ProjectId)."""
    from events import limits

    if not isinstance(project_id, str) or not 0 < len(project_id) <= limits.PROJECT_ID_MAX \
            or not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z_.\-]*", project_id):
        raise ValueError(f"project_id must be 1–{limits.PROJECT_ID_MAX} ASCII letters, digits and _ . -, "
                         f"starting with a letter or digit, got {project_id[:80]!r}")
    return project_id


def make_view_query(region: str, on: str | None = None, as_of: str | None = None) -> ViewQuery:
    return ViewQuery(check_region(region), parse_on(on), parse_as_of(as_of))


def deadline_policy(name: str = "default", remind_days: int | None = None) -> DeadlinePolicy:
    if name not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}, got {name!r}")
    policy = POLICIES[name]
    if remind_days is not None:
        if remind_days < 0:
            raise ValueError(f"remind days must be ≥ 0, got {remind_days}")
        policy = DeadlinePolicy(policy.name, remind_days, policy.ladder, policy.handling)
    return policy


# ---- loading ---------------------------------------------------------------------------------
def _region_facts(store: EventStore, q: ViewQuery, view: str) -> ByProject:
    """The region's facts of the types `view` reads (projections/views/reads.py), as of q.as_of,
    streamed project by project."""
    return ByProject(region_projects(store.engine, q.region, q.as_of_us, q.on.year, READS[view]))


def leaders_facts(store: EventStore, region: str, as_of_us: int, on: date) -> ByProject:
    """领导包联's facts: the region's of the types it reads, but of the site visits only those it
    can show (each leader's latest to each project by `on`, and the month's: `shown_visits`)."""
    return ByProject(region_projects(store.engine, region, as_of_us, on.year, READS["leaders"], visits_on=on))


def _stamped(result: dict, q: ViewQuery) -> dict:
    head = {k: result[k] for k in ("region", "project_id", "on") if k in result}
    return {**head, "as_of": q.as_of.isoformat(), **result}


# ---- the views -------------------------------------------------------------------------------
@without_gc
def stage_for(store: EventStore, q: ViewQuery) -> dict:
    return _stamped(stage_view(_region_facts(store, q, "stage"), q.region, q.on), q)


def _lights(lights: Lights | None) -> Lights:
    return lights if lights is not None else load_lights()


@without_gc
def stats_entry_for(store: EventStore, q: ViewQuery, lights: Lights | None = None) -> dict:
    return _stamped(stats_entry_view(_region_facts(store, q, "stats-entry"), q.region, q.on, _lights(lights)), q)


@without_gc
def leaders_for(store: EventStore, q: ViewQuery, policy: DeadlinePolicy = POLICIES["default"],
                lights: Lights | None = None) -> dict:
    return _stamped(leaders_view(leaders_facts(store, q.region, q.as_of_us, q.on), q.region, q.on, policy,
                                 _lights(lights)), q)


@without_gc
def problems_for(store: EventStore, q: ViewQuery, policy: DeadlinePolicy = POLICIES["default"],
                 lights: Lights | None = None) -> dict:
    return _stamped(problems_view(_region_facts(store, q, "problems"), q.region, q.on, policy, _lights(lights)), q)


def dossier_for(store: EventStore, project_id: str, on: date, as_of: datetime) -> dict:
    result = dossier(project_facts(store.engine, project_id, to_micros(as_of)), project_id, on, to_micros(as_of))
    return {"project_id": project_id, "on": result["on"], "as_of": as_of.isoformat(), **result}
