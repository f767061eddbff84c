"""Is a region or a project in the store at all? A query for one the store has never heard of
is an error for people ("unknown region 140599"), not a report of zeros: the CLI says it in one
line and exits 1, HTTP answers 404. A known region or project asked about as of a time before
its first fact still gives zeros (or an empty dossier): that is an answer, not a mistake.

Known = in the read model, whatever the as-of time: a region prefix is known when a project was
ever registered in a region under it (`project_regions`); a project when the store holds any fact
about it (`facts.project_id`).
"""
from __future__ import annotations

from sqlalchemy import exists, select

from projections.names import region_name
from services.log.store import EventStore
from services.readmodel.tables import facts, project_regions


class NotFound(LookupError):
    """A region or project the store holds nothing about; `field` names the parameter."""

    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field, self.reason = field, reason


def require_region(store: EventStore, region: str) -> str:
    """`region` (a checked 2-, 4- or 6-digit prefix) if some project was registered under it."""
    low, high = region.ljust(6, "0"), region.ljust(6, "9")  # an index range, not LIKE
    query = select(exists().where(project_regions.c.region >= low, project_regions.c.region <= high))
    with store.engine.connect() as conn:
        if not conn.execute(query).scalar():
            place = region_name(region)
            raise NotFound("region", f"unknown region {region}: no project of the store is registered in it "
                                     f"(库中没有在{place or '该地区'}登记的项目)")
    return region


def require_project(store: EventStore, project_id: str) -> str:
    """`project_id` if the store holds a fact about it."""
    with store.engine.connect() as conn:
        if not conn.execute(select(exists().where(facts.c.project_id == project_id))).scalar():
            raise NotFound("project_id", f"unknown project {project_id}: the store holds no fact about it "
                                         f"(库中没有该项目)")
    return project_id
