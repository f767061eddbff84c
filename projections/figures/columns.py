"""The figure columns: every fact a figure can look at, as one row of typed numbers.

A province holds tens of thousands of projects and over a million such facts; evaluating them one
Python object at a time takes seconds. Kept as columns (numpy arrays, one entry per fact), the
figures of `projections.figures.catalog` are computed for every project at once, as of any
recorded time (`projections.figures.vocabulary`).

`PARTS` says, for each event type a figure reads, which payload fields fill which columns — the
one place where a figure's inputs are declared. Text that a figure compares or groups by
(project id, township, problem id) is stored as an integer key from a dictionary the caller keeps
(`key(text) -> int`, stable for the life of the read model). Amounts are integer cents (exact);
days are proleptic ordinals; a retraction names the log position of the fact it withdraws
(`retracted(event_id) -> position`, which the caller looks up in the log).
"""
from __future__ import annotations

import calendar
import struct
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from itertools import starmap
from operator import itemgetter
from typing import Callable, Iterable, Sequence

import numpy as np

from events.types import Category, Construction, FundingChannel, KeyLevel, Procedure

# The types a figure reads, by code (a code never changes meaning: chunks store it).
KINDS = {
    "ProjectRegistered": 1, "KeyProjectDesignated": 2, "AnnualPlanAdopted": 3, "AgreementSigned": 4,
    "ProcedureApproved": 5, "ConstructionStarted": 6, "ConstructionResumed": 7, "InvestmentReported": 8,
    "StatsEntryApproved": 9, "ProblemAssigned": 10, "ProblemFollowedUp": 11, "EventRetracted": 12,
    "ProjectLanded": 13, "ProductionStarted": 14, "DesignOutputReached": 15, "FundingSecured": 16,
}
REGISTERED, DESIGNATED, PLANNED, SIGNED, APPROVED, STARTED, RESUMED, INVESTED, STATS_APPROVED, \
    ASSIGNED, FOLLOWED_UP, RETRACTED, LANDED, PRODUCTION, OUTPUT, FUNDED = range(1, 17)

CONSTRUCTION = {c.value: i for i, c in enumerate(Construction, start=1)}
LEVEL = {lv.value: i for i, lv in enumerate(KeyLevel, start=1)}
CHANNEL = {c.value: i for i, c in enumerate(FundingChannel, start=1)}
PROCEDURE_BIT = {p.value: 1 << i for i, p in enumerate(Procedure)}  # codes are appended: bits never shift
CATEGORY_BIT = {c.value: 1 << i for i, c in enumerate(Category)}

PROJECT, TOWNSHIP, PROBLEM = "project:", "township:", "problem:"

DTYPES = {
    "position": np.int64,   # log position
    "project": np.int32,    # key of the project id
    "kind": np.int8,        # KINDS
    "occurred": np.int32,   # occurred_on as a day ordinal
    "recorded": np.int64,   # recorded_at in µs
    "year": np.int16,       # payload year (plans, designations, resumptions, investment), else 0
    "month": np.int8,       # payload month (investment), else 0
    "cents": np.int64,      # an amount (registration: total; plan: planned; investment; agreement; funding);
                            # retraction: the log position of the retracted fact
    "code": np.int32,       # registration: region code; plan: construction; designation: level;
                            # approval: procedure bit; funding: channel; problem rows: problem key
    "flag": np.int32,       # registration: legal entity (1/0); follow-up: satisfied (1/0);
                            # assignment: due_on ordinal; plan: planned start due (ordinal, 0: none)
    "required": np.int32,   # registration: required procedures (bits)
    "township": np.int32,   # registration: township key (0: none)
    "categories": np.int32,  # registration: categories (bits)
}
NAMES = tuple(DTYPES)
PAYLOAD_COLUMNS = NAMES[5:]  # the columns a payload fills (the first five come from the envelope)
# One row packed little-endian, no padding: how `Columns.from_rows` turns tuples into arrays quickly.
_ROW = struct.Struct("<" + "".join("bhiq"[np.dtype(t).itemsize.bit_length() - 1] for t in DTYPES.values()))
_RECORD = np.dtype([(name, np.dtype(t).newbyteorder("<")) for name, t in DTYPES.items()])
assert _ROW.size == _RECORD.itemsize


def cents(amount: str) -> int:
    """A decimal amount (canonical: two places) as integer cents, exactly."""
    if amount[-3:-2] == ".":
        return int(amount[:-3] + amount[-2:])
    return int(Decimal(amount).scaleb(2))


class _Days(dict):
    """ISO date → proleptic ordinal, remembered (a history has a few thousand days)."""

    def __missing__(self, text: str) -> int:
        number = self[text] = date.fromisoformat(text).toordinal()
        return number


day_number = _Days().__getitem__

Key = Callable[[str], int]
Extract = Callable[[dict, Key], int]  # one payload → one column's number


def plain(name: str) -> Extract:
    return lambda p, key: p[name]


def amount(name: str) -> Extract:
    return lambda p, key: cents(p[name])


def mapped(name: str, table: dict) -> Extract:
    return lambda p, key: table[p[name]]


def labelled(name: str, prefix: str) -> Extract:
    return lambda p, key: key(prefix + p[name])


def day(name: str) -> Extract:
    return lambda p, key: day_number(p[name])


def truth(name: str) -> Extract:
    return lambda p, key: 1 if p[name] is True else 0


def bits(name: str, table: dict) -> Extract:
    def extract(p, key):
        found = 0
        for code in p.get(name) or ():
            found |= table[code]
        return found
    return extract


def planned_start_due(p: dict, key: Key) -> int:
    """按计划开复工: the day a planned start falls due — the last day of the planned 旬 (上旬 1–10,
    中旬 11–20, 下旬 21–end), or of the planned month without one; 0 when the plan names no month."""
    month = p.get("planned_start_month")
    if not month:
        return 0
    last = calendar.monthrange(p["year"], month)[1]
    dekad = p.get("planned_start_dekad")
    return date(p["year"], month, {1: 10, 2: 20}.get(dekad, last)).toordinal()


@dataclass(frozen=True)
class Part:
    """Which payload fields fill one kind's columns, and how each becomes a number."""

    kind: int
    extract: dict[str, Extract]

    def row(self, p: dict, key: Key) -> tuple:
        """The payload columns (PAYLOAD_COLUMNS order) of one payload."""
        return tuple(self.extract[c](p, key) if c in self.extract else 0 for c in PAYLOAD_COLUMNS)

    def values(self, payloads: Sequence[dict], key: Key) -> dict[str, list[int]]:
        """Column by column, what `row` gives payload by payload (absent: all zero)."""
        return {column: [get(p, key) for p in payloads] for column, get in self.extract.items()}


PARTS: dict[str, Part] = {
    "ProjectRegistered": Part(REGISTERED, {
        "cents": amount("total_investment"), "code": lambda p, key: int(p["region"]),
        "flag": truth("legal_entity"), "required": bits("required_procedures", PROCEDURE_BIT),
        "township": lambda p, key: key(TOWNSHIP + p["township"]) if p.get("township") is not None else 0,
        "categories": bits("categories", CATEGORY_BIT)}),
    "InvestmentReported": Part(INVESTED, {"year": plain("year"), "month": plain("month"), "cents": amount("amount")}),
    "AnnualPlanAdopted": Part(PLANNED, {"year": plain("year"), "cents": amount("planned_investment"),
                                        "code": mapped("construction", CONSTRUCTION), "flag": planned_start_due}),
    "KeyProjectDesignated": Part(DESIGNATED, {"year": plain("year"), "code": mapped("level", LEVEL)}),
    "AgreementSigned": Part(SIGNED, {"cents": amount("agreed_investment")}),
    "ProcedureApproved": Part(APPROVED, {"code": mapped("procedure", PROCEDURE_BIT)}),
    "ConstructionStarted": Part(STARTED, {}),
    "ConstructionResumed": Part(RESUMED, {"year": plain("year")}),
    "StatsEntryApproved": Part(STATS_APPROVED, {}),
    "ProblemAssigned": Part(ASSIGNED, {"code": labelled("problem_id", PROBLEM), "flag": day("due_on")}),
    "ProblemFollowedUp": Part(FOLLOWED_UP, {"code": labelled("problem_id", PROBLEM), "flag": truth("satisfied")}),
    "ProjectLanded": Part(LANDED, {}),
    "ProductionStarted": Part(PRODUCTION, {}),
    "DesignOutputReached": Part(OUTPUT, {}),
    "FundingSecured": Part(FUNDED, {"cents": amount("amount"), "code": mapped("channel", CHANNEL)}),
}
assert set(PARTS) | {"EventRetracted"} == set(KINDS) and all(KINDS[t] == part.kind for t, part in PARTS.items())
_RETRACTION = ("EventRetracted",)


Retracted = Callable[[str, int, str], int]  # (retracted event id, the retraction's position, its project) → target's position, or -1


def column_row(position: int, event_type: str, project_id: str | None, occurred_on: str, recorded_us: int,
               payload: dict, key: Key, retracted: Retracted) -> tuple | None:
    """Pure: the columns of one fact (payload at its latest version), or None if no figure reads it —
    (position, project, kind, occurred, recorded, *PAYLOAD_COLUMNS). A retraction's row names the log
    position of what it withdraws (`retracted`: -1 when it withdraws nothing yet, or nothing at all)."""
    if project_id is None:  # targets (project-less) are read from SQL, not here
        return None
    part = PARTS.get(event_type)
    if part is not None:
        rest = part.row(payload, key)
    elif event_type == "EventRetracted":
        rest = (0, 0, retracted(payload["retracted_event_id"], position, project_id)) + (0,) * (len(PAYLOAD_COLUMNS) - 3)
    else:
        return None
    return (position, key(PROJECT + project_id), KINDS[event_type], day_number(occurred_on), recorded_us) + rest


@dataclass(frozen=True)
class FactColumns:
    """Many facts of one type, field by field (each fact with a project; payloads at their latest
    version): how a rebuild reads a window of the log."""

    positions: Sequence[int]
    projects: Sequence[str]
    occurred: Sequence[str]
    recorded: Sequence[int]
    payloads: Sequence[dict]

    @classmethod
    def of_rows(cls, rows: Iterable[tuple]) -> "FactColumns":
        """From (position, project_id, occurred_on, recorded_us, payload) rows."""
        columns = tuple(zip(*rows))
        return cls(*columns) if columns else cls((), (), (), (), ())

    def __len__(self) -> int:
        return len(self.positions)


def kind_columns(event_type: str, facts: FactColumns, key: Key, retracted: Retracted) -> "Columns":
    """Pure: the columns of many facts of one type, equal row for row to `column_row`'s, but read
    field by field over all of them (what a rebuild of a million facts needs)."""
    part = PARTS.get(event_type)
    if part is None or not len(facts):
        return Columns.from_rows([
            column_row(position, event_type, project, occurred, recorded, payload, key, retracted)
            for position, project, occurred, recorded, payload in
            zip(facts.positions, facts.projects, facts.occurred, facts.recorded, facts.payloads)])
    count = len(facts)
    projects = {project: key(PROJECT + project) for project in set(facts.projects)}
    values = part.values(facts.payloads, key)
    payload_columns = {name: np.array(values[name], dtype=DTYPES[name]) if name in values
                       else np.zeros(count, dtype=DTYPES[name]) for name in PAYLOAD_COLUMNS}
    return Columns(
        position=np.array(facts.positions, dtype=DTYPES["position"]),
        project=np.array(list(map(projects.__getitem__, facts.projects)), dtype=DTYPES["project"]),
        kind=np.full(count, part.kind, dtype=DTYPES["kind"]),
        occurred=np.array(list(map(day_number, facts.occurred)), dtype=DTYPES["occurred"]),
        recorded=np.array(facts.recorded, dtype=DTYPES["recorded"]),
        **payload_columns)


def labels_of(event_type: str, project_id: str | None, payload: dict) -> list[str]:
    """The dictionary texts `column_row` will ask keys for (so a caller can create them first)."""
    kind = KINDS.get(event_type)
    if kind is None or project_id is None:
        return []
    texts = [PROJECT + project_id]
    if kind == REGISTERED and payload.get("township") is not None:
        texts.append(TOWNSHIP + payload["township"])
    elif kind in (ASSIGNED, FOLLOWED_UP):
        texts.append(PROBLEM + payload["problem_id"])
    return texts


LABELLED = ("ProjectRegistered", "ProblemAssigned", "ProblemFollowedUp")  # labels beyond the project's


@dataclass(frozen=True)
class Columns:
    position: np.ndarray
    project: np.ndarray
    kind: np.ndarray
    occurred: np.ndarray
    recorded: np.ndarray
    year: np.ndarray
    month: np.ndarray
    cents: np.ndarray
    code: np.ndarray
    flag: np.ndarray
    required: np.ndarray
    township: np.ndarray
    categories: np.ndarray

    def __len__(self) -> int:
        return len(self.position)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple]) -> "Columns":
        packed = np.frombuffer(b"".join(starmap(_ROW.pack, rows)), dtype=_RECORD)
        return cls(**{name: packed[name].astype(dtype) for name, dtype in DTYPES.items()})

    @classmethod
    def empty(cls) -> "Columns":
        return cls(**{name: np.empty(0, dtype=dtype) for name, dtype in DTYPES.items()})

    @classmethod
    def allocate(cls, rows: int) -> "Columns":
        """Room for `rows` rows, to `fill` part by part (uninitialised until filled)."""
        return cls(**{name: np.empty(rows, dtype=dtype) for name, dtype in DTYPES.items()})

    def fill(self, at: int, part: "Columns") -> "Columns":
        """Copy `part` into rows [at, at + len(part)); those rows, as a view of these columns."""
        end = at + len(part)
        for name in NAMES:
            getattr(self, name)[at:end] = getattr(part, name)
        return self.rows(at, end)

    def rows(self, start: int, stop: int) -> "Columns":
        """Rows [start, stop) as a view (no copy)."""
        return Columns(**{name: getattr(self, name)[start:stop] for name in NAMES})

    @classmethod
    def concat(cls, parts: list["Columns"]) -> "Columns":
        """One set of columns. Rows keep no particular order: every choice among rows breaks its
        ties by log position, as the rules say."""
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        return cls(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)})

    def select(self, rows: np.ndarray) -> "Columns":
        """The rows chosen by a boolean mask or an index array."""
        return Columns(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})

    def by_year(self) -> dict[int, "Columns"]:
        """The rows split by their payload year (0: a fact that names no year), years ascending: a
        report reads the years its period needs and the year-less rows, not a decade of investment."""
        years = np.unique(self.year)
        if len(years) <= 1:
            return {int(years[0]): self} if len(years) else {}
        return {int(year): self.select(self.year == year) for year in years}

    def to_bytes(self) -> bytes:
        """The row count (8 bytes, little-endian), then each column's little-endian bytes in NAMES order."""
        parts = [len(self).to_bytes(8, "little")]
        parts += [getattr(self, name).astype(np.dtype(dtype).newbyteorder("<"), copy=False).tobytes()
                  for name, dtype in DTYPES.items()]
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Columns":
        count, offset, arrays = int.from_bytes(data[:8], "little"), 8, {}
        expected = 8 + count * sum(np.dtype(dtype).itemsize for dtype in DTYPES.values())
        if len(data) != expected:
            raise ValueError(f"figure columns: {len(data)} bytes for {count} rows, expected {expected}")
        for name, dtype in DTYPES.items():
            kind = np.dtype(dtype).newbyteorder("<")
            arrays[name] = np.frombuffer(data, dtype=kind, count=count, offset=offset).astype(dtype, copy=False)
            offset += count * kind.itemsize
        return cls(**arrays)


class MemoryLabels(dict):
    """`key(text)` for pure use (tests, a single project's facts): keys handed out as texts come."""

    def __missing__(self, text: str) -> int:
        number = self[text] = len(self) + 1
        return number

    def text(self, number: int) -> str:
        return {v: k for k, v in self.items()}[number]


def valid_target(retraction_project: str | None, target_type: str, target_project: str | None) -> bool:
    """A retraction withdraws only a fact of its own project, never another retraction
    (projections.ledger.retracts, on the fields the read model keeps)."""
    return target_type != "EventRetracted" and target_project == retraction_project


def retraction_row(position: int, project: int, recorded_us: int, target_position: int) -> tuple:
    """The row by which a retraction withdraws the fact at `target_position`: emitted when the later
    of the two is projected, whichever that is (log order need not be business order)."""
    return (position, project, RETRACTED, 0, recorded_us) + (0, 0, target_position) + (0,) * (len(PAYLOAD_COLUMNS) - 3)


def from_facts(facts: Iterable, key: Key) -> Columns:
    """Pure: the columns of `projections.facts.Fact`s (as the ledger holds them; a retraction of a
    fact not among them, or not validly, retracts nothing)."""
    facts = list(facts)
    by_id = {f.event_id: f for f in facts}

    def target_of(f) -> int:
        target = by_id.get(f.data["retracted_event_id"])
        return target.position if target is not None and valid_target(
            f.project_id, target.event_type, target.project_id) else -1

    rows = (column_row(f.position, f.event_type, f.project_id, f.occurred_on.isoformat(), f.recorded_us, f.data,
                       key, lambda event_id, position, project, f=f: target_of(f)) for f in facts)
    return Columns.from_rows(r for r in rows if r is not None)
