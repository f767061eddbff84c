"""Valid contract events (CONTRACT.md §1-2) as JSON dicts, with sensible defaults.

    event("InvestmentReported", project_id=P, occurred_on="2025-03-31", amount="120.00")

Keyword arguments that are not envelope fields are merged into the type's default payload;
`payload=` replaces it whole. `recorded_at=None` (the default) leaves the field out.
"""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Iterable

import orjson

PROJECT = "2501-140522-04-01-000123"
REGION = "140522"
_UNSET: Any = object()

DEFAULT_PAYLOADS: dict[str, dict] = {
    "ProjectRegistered": {
        "name": "阳城县新能源产业园", "region": REGION, "township": "凤城镇", "total_investment": "52000.00",
        "owner": "阳城县发展投资集团", "legal_entity": True, "origin": "government",
        "categories": ["industrial"], "required_procedures": ["approval_filing", "land_approval", "eia"],
    },
    "AnnualPlanAdopted": {"year": 2025, "construction": "new", "planned_investment": "8000.00"},
    "KeyProjectDesignated": {"year": 2025, "level": "province"},
    "AgreementSigned": {"investor": "晋能控股集团", "agreed_investment": "30000.00"},
    "ProjectLanded": {},
    "ProcedureApproved": {"procedure": "approval_filing", "document_no": "阳发改备〔2025〕12号",
                          "authority": "阳城县发展和改革局"},
    "ConstructionStarted": {},
    "ConstructionResumed": {"year": 2025},
    "InvestmentReported": {"year": 2025, "month": 3, "amount": "1234.50"},
    "StatsEntrySubmitted": {},
    "StatsEntryApproved": {},
    "StatsEntryReturned": {"reason": "资料不全"},
    "ProjectCompleted": {},
    "ProductionStarted": {},
    "DesignOutputReached": {},
    "LeaderAssigned": {"leader_id": "L-001", "leader_name": "张伟", "title": "副县长"},
    "LeaderReleased": {"leader_id": "L-001"},
    "SiteVisitRecorded": {"leader_id": "L-001"},
    "ProblemRaised": {"problem_id": "PRB-001", "category": "用地", "description": "征地拆迁未完成"},
    "ProblemAssigned": {"problem_id": "PRB-001", "unit": "阳城县自然资源局", "due_on": "2025-04-30"},
    "ProblemResolved": {"problem_id": "PRB-001"},
    "ProblemFollowedUp": {"problem_id": "PRB-001", "satisfied": True},
    "ProblemEscalated": {"problem_id": "PRB-001", "level": "city"},
    "TargetSet": {"region": REGION, "year": 2025, "figure": "new_start_rate", "by": "Y", "target": "0.8500"},
    "EventRetracted": {"retracted_event_id": "00000000-0000-4000-8000-000000000000", "reason": "录入错误"},
    # CONTRACT §5's new types (schema_version 1)
    "ProcedurePlanned": {"procedure": "land_approval", "level": "province", "due_on": "2025-05-31",
                         "unit": "阳城县自然资源局", "leader": "王建军", "officer": "李晓燕"},
    "FundingSecured": {"channel": "special_bond", "amount": "8000.00", "document_no": "晋财债〔2025〕21号"},
}

DEFAULT_DEPARTMENTS = {
    "AgreementSigned": "investment_promotion", "ProjectLanded": "investment_promotion",
    "ProcedureApproved": "approval", "ConstructionStarted": "project_center",
    "ConstructionResumed": "project_center", "InvestmentReported": "project_center",
    "StatsEntrySubmitted": "stats", "StatsEntryApproved": "stats", "StatsEntryReturned": "stats",
    "SiteVisitRecorded": "project_center", "ProblemRaised": "project_center",
    "ProblemAssigned": "project_center", "ProblemResolved": "natural_resources",
    "ProblemFollowedUp": "project_center", "ProblemEscalated": "supervision",
    "ProcedurePlanned": "approval", "FundingSecured": "finance",
}


def new_id() -> str:
    return str(uuid.uuid4())


def event(event_type: str = "ProjectRegistered", *, project_id: str | None = _UNSET,
          occurred_on: str = "2025-03-01", recorded_at: str | None = None, payload: dict | None = None,
          event_id: str | None = None, schema_version: int = 1, source: dict | None = None,
          **payload_fields: Any) -> dict:
    """A valid event dict of `event_type`; project_id defaults to PROJECT (None for TargetSet)."""
    if project_id is _UNSET:
        project_id = None if event_type == "TargetSet" else PROJECT
    body = dict(DEFAULT_PAYLOADS[event_type] if payload is None else payload)
    body.update(payload_fields)
    obj = {
        "event_id": event_id or new_id(),
        "event_type": event_type,
        "schema_version": schema_version,
        "project_id": project_id,
        "occurred_on": occurred_on,
        "source": source or {"department": DEFAULT_DEPARTMENTS.get(event_type, "ndrc"), "system": "test"},
        "payload": body,
    }
    if recorded_at is not None:
        obj["recorded_at"] = recorded_at
    return obj


def retraction(target: dict, **overrides: Any) -> dict:
    """An EventRetracted of `target`, in its project."""
    overrides.setdefault("project_id", target["project_id"])
    return event("EventRetracted", retracted_event_id=target["event_id"], reason="录入错误", **overrides)


def line(obj: Any) -> bytes:
    return orjson.dumps(obj)


def write_jsonl(path: Path, rows: Iterable[dict | bytes | str]) -> Path:
    """One line per row: dicts as JSON, bytes/str verbatim (for bad lines and blanks)."""
    with open(path, "wb") as out:
        for row in rows:
            data = row if isinstance(row, bytes) else row.encode() if isinstance(row, str) else orjson.dumps(row)
            out.write(data + b"\n")
    return path



def assert_physical_schema(engine) -> None:
    """What alembic's compare_metadata does not compare: `ix_facts_retracts` is partial (retractions
    only), and PostgreSQL stores the figure chunks external and uncompressed (`e`)."""
    from sqlalchemy import text

    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            index = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ix_facts_retracts'")).scalar()
            assert "WHERE retracts IS NOT NULL" in index
            return
        index = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_facts_retracts' "
                                  "AND schemaname = current_schema()")).scalar()
        assert "WHERE (retracts IS NOT NULL)" in index
        for table in ("figure_chunks", "figure_chunks_shadow"):
            assert conn.execute(text(f"SELECT attstorage FROM pg_attribute WHERE attname = 'data' "
                                     f"AND attrelid = '{table}'::regclass")).scalar() == "e", table


# ---- stores for tests: written through the accept path, projected by the in-process bus ------------
def writer_for(url: str):
    """The composition root's writer on `url` (created and migrated; in-process bus)."""
    from services.entry.bootstrap import Settings, open_writer

    return open_writer(Settings(url))


def reader_for(url: str):
    from services.entry.bootstrap import Settings, open_reader

    return open_reader(Settings(url))


def append_history(writer, objs: Iterable[dict]):
    """Events as the history import appends them (recorded_at kept, no authorisation), then projected."""
    from events.codec import validate_object
    from services.log.store import prepare

    return writer.acceptor.import_prepared([prepare(validate_object(o)) for o in objs])


def reader_headers(store, role: str = "admin", territory: str | None = None, township: str | None = None) -> dict:
    """`Authorization` for a fresh reader token (issue 17: every HTTP read needs one); `store` is an
    EventStore or a URL of a migrated store. Default: an admin of every region."""
    from services.ingest.readers import create_reader
    from services.log import EventStore

    opened = EventStore(store) if isinstance(store, str) else store
    try:
        token = create_reader(opened, role, territory, township, label="test")[1]
    finally:
        if opened is not store:
            opened.engine.dispose()
    return {"Authorization": f"Bearer {token}"}


# ---- a history at the limits (issue 15.1: every value validation accepts, every path takes) -------
LIMITS_PROJECT = "2501-140522-04-01-000001"
CJK = "凤城镇北留镇润城镇町店镇芹池镇西河乡"


def at_the_limits() -> list[dict]:
    """A history whose every string sits at its limit (CJK where names are meant)."""
    from events import limits

    P, township = LIMITS_PROJECT, (CJK * 10)[:limits.NAME_MAX]
    return [
        event("ProjectRegistered", project_id=P, occurred_on="2025-01-02", recorded_at="2025-01-02T10:00:00.123456+05:45",
              name=(CJK * 30)[:limits.PROJECT_NAME_MAX], township=township, owner=(CJK * 30)[:limits.ORG_NAME_MAX],
              total_investment="9" * limits.AMOUNT_DIGITS + ".99",
              source={"department": "ndrc", "system": "s" * limits.SYSTEM_MAX}),
        event("AnnualPlanAdopted", project_id=P, occurred_on="2025-01-05", recorded_at="2025-01-05T10:00:00-14:00"),
        event("ProblemRaised", project_id=P, occurred_on="2025-02-01", recorded_at="2025-02-01T10:00:00+14:00",
              problem_id="Q" * limits.CODE_MAX, category=(CJK * 10)[:limits.NAME_MAX],
              description=("征地\n拆迁\t未完成" * 400)[:limits.TEXT_MAX]),
        event("ProblemAssigned", project_id=P, occurred_on="2025-02-02", recorded_at="2025-02-02T10:00:00+08:00",
              problem_id="Q" * limits.CODE_MAX, unit=(CJK * 30)[:limits.ORG_NAME_MAX], due_on="2025-03-01"),
        event("ConstructionStarted", project_id=P, occurred_on="2025-03-01", recorded_at="2025-03-01T10:00:00+08:00"),
    ]


def read_models(store) -> dict[str, list[tuple]]:
    """The read models' rows in a stable order: facts, project regions, figure columns."""
    from sqlalchemy import select

    from services.readmodel.tables import facts, project_regions

    with store.engine.connect() as conn:
        return {
            "facts": [tuple(r) for r in conn.execute(select(facts).order_by(facts.c.position))],
            "project_regions": [tuple(r) for r in conn.execute(
                select(project_regions).order_by(project_regions.c.project_id, project_regions.c.region))],
            "figure columns": figure_rows(store),
        }


def figure_rows(store) -> list[tuple]:
    """The figure columns as rows in log order (chunking differs between a replay and the live projector)."""
    from projections.figures.columns import NAMES
    from services.readmodel import columns as figure_index

    columns = figure_index.load(store.engine)
    order = columns.position.argsort()
    return sorted(zip(*(getattr(columns, name)[order].tolist() for name in NAMES)))


def children(pid: int) -> set[int]:
    """The pids of a process's children (Linux: /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _spawned(pid: int) -> bool:
    try:
        return "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    except OSError:  # ended meanwhile
        return False


def assert_spawned_die_with(process, at_least: int, what: str, forked: bool = False) -> None:
    """Wait for `at_least` spawned children of `process` (a subprocess.Popen) — `forked`: any child
    — SIGKILL it, and assert that its children end with it (polling /proc: the kernel ends them, no
    sleep guesses)."""
    import os
    import signal
    import time

    try:
        deadline, spawned = time.monotonic() + 60, set()
        while len(spawned) < at_least and time.monotonic() < deadline and process.poll() is None:
            spawned = {c for c in children(process.pid) if forked or _spawned(c)}
        assert len(spawned) >= at_least, f"the {what} never appeared"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 15
        while any(alive(p) for p in spawned) and time.monotonic() < deadline:
            time.sleep(0.05)  # polling for the kernel to end them
        assert not [p for p in spawned if alive(p)], f"orphaned: the {what}"
    finally:
        if process.poll() is None:
            process.kill()
