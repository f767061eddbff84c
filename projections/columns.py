"""The figure columns: every fact a figure can look at, as one row of typed numbers.

`projections/figures.py` defines the figures over facts, project by project. A province holds
tens of thousands of projects and over a million such facts; evaluating them one Python object
at a time takes seconds. The same facts kept as columns (numpy arrays, one entry per fact) let
`projections/figure_arrays.py` compute every figure for every project at once, as of any
recorded time: visibility, versions in force and sums become array operations.

A row keeps only what some figure reads (see `column_row`); text that a figure compares or
groups by (project id, township, problem id) is stored as an integer key from a dictionary the
caller keeps (`key(text) -> int`, stable for the life of the read model). Amounts are integer
cents (exact); days are proleptic ordinals; a retraction names the log position of the fact it
withdraws (`retracted(event_id) -> position`, which the caller looks up in the log).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, fields
from itertools import starmap
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Callable, Iterable, Sequence

import numpy as np

from events.types import Construction, KeyLevel, Procedure

# The types a figure reads (projections/figures.py, standing.py, ledger.py), by code.
KINDS = {
    "ProjectRegistered": 1, "KeyProjectDesignated": 2, "AnnualPlanAdopted": 3, "AgreementSigned": 4,
    "ProcedureApproved": 5, "ConstructionStarted": 6, "ConstructionResumed": 7, "InvestmentReported": 8,
    "StatsEntryApproved": 9, "ProblemAssigned": 10, "ProblemFollowedUp": 11, "EventRetracted": 12,
}
REGISTERED, DESIGNATED, PLANNED, SIGNED, APPROVED, STARTED, RESUMED, INVESTED, STATS_APPROVED, \
    ASSIGNED, FOLLOWED_UP, RETRACTED = range(1, 13)

CONSTRUCTION = {c.value: i for i, c in enumerate(Construction, start=1)}
LEVEL = {lv.value: i for i, lv in enumerate(KeyLevel, start=1)}
PROCEDURE_BIT = {p.value: 1 << i for i, p in enumerate(Procedure)}

PROJECT, TOWNSHIP, PROBLEM = "project:", "township:", "problem:"

DTYPES = {
    "position": np.int64,   # log position
    "project": np.int32,    # key of the project id
    "kind": np.int8,        # KINDS
    "occurred": np.int32,   # occurred_on as a day ordinal
    "recorded": np.int64,   # recorded_at in µs
    "year": np.int16,       # payload year (plans, designations, resumptions, investment), else 0
    "month": np.int8,       # payload month (investment), else 0
    "cents": np.int64,      # registration: total investment; plan: planned; investment: amount;
                            # retraction: the log position of the retracted fact
    "code": np.int32,       # registration: region code; plan: construction; designation: level;
                            # approval: procedure bit; problem rows: problem key
    "flag": np.int32,       # registration: legal entity (1/0); follow-up: satisfied (1/0);
                            # assignment: due_on ordinal
    "required": np.int16,   # registration: required procedures (bits)
    "township": np.int32,   # registration: township key (0: none)
}
NAMES = tuple(DTYPES)
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


@dataclass(frozen=True)
class Mapped:
    """A payload text that stands for a small number (an enum's code)."""

    table: dict

    def __call__(self, value, key) -> int:
        return self.table[value]


@dataclass(frozen=True)
class Labelled:
    """A payload text kept as the key of its label (prefix + text)."""

    prefix: str

    def __call__(self, value, key) -> int:
        return key(self.prefix + value)


class Day:
    """An ISO date as its day ordinal."""

    def __call__(self, value, key) -> int:
        return day_number(value)


class Truth:
    """A JSON boolean as 1/0."""

    def __call__(self, value, key) -> int:
        return 1 if value is True else 0


@dataclass(frozen=True)
class Part:
    """Which payload fields fill one kind's columns (year, month, cents, code, flag), and how the
    code and flag fields become numbers. `row` reads one payload (the incremental projector);
    `values` reads the same fields column by column over many payloads (the rebuild)."""

    kind: int
    year: str | None = None
    month: str | None = None
    cents: str | None = None
    code: tuple[str, Mapped | Labelled] | None = None
    flag: tuple[str, Day | Truth] | None = None

    def values(self, payloads: Sequence[dict], key: Callable[[str], int]) -> list[list[int] | None]:
        """Column by column, what `row` gives payload by payload: year, month, cents, code, flag
        (None: all zero)."""
        year, month, amount = self.year, self.month, self.cents
        return [list(map(itemgetter(year), payloads)) if year else None,
                list(map(itemgetter(month), payloads)) if month else None,
                list(map(cents, map(itemgetter(amount), payloads))) if amount else None,
                [self.code[1](p[self.code[0]], key) for p in payloads] if self.code else None,
                [self.flag[1](p[self.flag[0]], key) for p in payloads] if self.flag else None]

    def row(self, p: dict, key: Callable[[str], int]) -> tuple:
        """(year, month, cents, code, flag, required, township) of one payload."""
        return (p[self.year] if self.year else 0, p[self.month] if self.month else 0,
                cents(p[self.cents]) if self.cents else 0,
                self.code[1](p[self.code[0]], key) if self.code else 0,
                self.flag[1](p[self.flag[0]], key) if self.flag else 0, 0, 0)


# The kinds whose columns are payload fields as they stand; registrations and retractions below.
PARTS: dict[str, Part] = {
    "InvestmentReported": Part(INVESTED, year="year", month="month", cents="amount"),
    "AnnualPlanAdopted": Part(PLANNED, year="year", cents="planned_investment",
                              code=("construction", Mapped(CONSTRUCTION))),
    "KeyProjectDesignated": Part(DESIGNATED, year="year", code=("level", Mapped(LEVEL))),
    "AgreementSigned": Part(SIGNED),
    "ProcedureApproved": Part(APPROVED, code=("procedure", Mapped(PROCEDURE_BIT))),
    "ConstructionStarted": Part(STARTED),
    "ConstructionResumed": Part(RESUMED, year="year"),
    "StatsEntryApproved": Part(STATS_APPROVED),
    "ProblemAssigned": Part(ASSIGNED, code=("problem_id", Labelled(PROBLEM)), flag=("due_on", Day())),
    "ProblemFollowedUp": Part(FOLLOWED_UP, code=("problem_id", Labelled(PROBLEM)), flag=("satisfied", Truth())),
}


def _registered(p: dict, key) -> tuple:
    required = 0
    for procedure in p.get("required_procedures") or ():
        required |= PROCEDURE_BIT[procedure]
    township = key(TOWNSHIP + p["township"]) if p.get("township") is not None else 0
    return 0, 0, cents(p["total_investment"]), int(p["region"]), int(p["legal_entity"]), required, township


assert set(PARTS) | {"ProjectRegistered", "EventRetracted"} == set(KINDS) \
    and all(KINDS[t] == part.kind for t, part in PARTS.items())


def column_row(position: int, event_type: str, project_id: str | None, occurred_on: str, recorded_us: int,
               payload: dict, key: Callable[[str], int], retracted: Callable[[str], int]) -> tuple | None:
    """Pure: the columns of one fact (payload at its latest version), or None if no figure reads it —
    (position, project, kind, occurred, recorded, year, month, cents, code, flag, required, township)."""
    if project_id is None:  # targets (project-less) are read from SQL, not here
        return None
    part = PARTS.get(event_type)
    if part is not None:
        rest = part.row(payload, key)
    elif event_type == "ProjectRegistered":
        rest = _registered(payload, key)
    elif event_type == "EventRetracted":
        rest = (0, 0, retracted(payload["retracted_event_id"]), 0, 0, 0, 0)
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


def kind_columns(event_type: str, facts: FactColumns, key: Callable[[str], int],
                 retracted: Callable[[str], int]) -> "Columns":
    """Pure: the columns of many facts of one type, equal row for row to `column_row`'s, but read
    field by field over all of them (what a rebuild of a million facts needs)."""
    part = PARTS.get(event_type)
    if part is None or not len(facts):
        return Columns.from_rows([
            column_row(position, event_type, project, occurred, recorded, payload, key, retracted)
            for position, project, occurred, recorded, payload in
            zip(facts.positions, facts.projects, facts.occurred, facts.recorded, facts.payloads)])
    count = len(facts)

    def column(name: str, values) -> np.ndarray:
        if values is None:
            return np.zeros(count, dtype=DTYPES[name])
        return np.array(values, dtype=DTYPES[name])

    projects = {project: key(PROJECT + project) for project in set(facts.projects)}
    year, month, amount, code, flag = part.values(facts.payloads, key)
    return Columns(
        position=np.array(facts.positions, dtype=DTYPES["position"]),
        project=np.array(list(map(projects.__getitem__, facts.projects)), dtype=DTYPES["project"]),
        kind=np.full(count, part.kind, dtype=DTYPES["kind"]),
        occurred=np.array(list(map(day_number, facts.occurred)), dtype=DTYPES["occurred"]),
        recorded=np.array(facts.recorded, dtype=DTYPES["recorded"]),
        year=column("year", year), month=column("month", month), cents=column("cents", amount),
        code=column("code", code), flag=column("flag", flag),
        required=column("required", None), township=column("township", None))


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
    def concat(cls, parts: list["Columns"]) -> "Columns":
        """One set of columns. Rows keep no particular order: every choice among rows
        (`figure_arrays`) breaks its ties by log position, as the pure projections do."""
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        return cls(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)})

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


def from_facts(facts: Iterable, key: Callable[[str], int]) -> Columns:
    """Pure: the columns of `projections.facts.Fact`s (as the ledger holds them; a retraction of a
    fact not among them retracts nothing)."""
    facts = list(facts)
    positions = {f.event_id: f.position for f in facts}
    rows = (column_row(f.position, f.event_type, f.project_id, f.occurred_on.isoformat(), f.recorded_us, f.data,
                       key, lambda event_id: positions.get(event_id, -1)) for f in facts)
    return Columns.from_rows(r for r in rows if r is not None)
