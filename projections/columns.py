"""The figure columns: every fact a figure can look at, as one row of typed numbers.

`projections/figures.py` defines the figures over facts, project by project. A province holds
tens of thousands of projects and over a million such facts; evaluating them one Python object
at a time takes seconds. The same facts kept as columns (numpy arrays, one entry per fact) let
`projections/figure_arrays.py` compute every figure for every project at once, as of any
recorded time: visibility, versions in force and sums become array operations.

A row keeps only what some figure reads (see `column_row`); text that a figure compares or
groups by (project id, township, problem id) is stored as an integer key from a dictionary the
caller keeps (`key(text) -> int`, stable for the life of the read model). Amounts are integer
cents (exact); days are proleptic ordinals; an event id is its UUID as two 64-bit halves, so a
retraction can name the row it withdraws.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Callable, Iterable

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
    "id_hi": np.int64,      # the event id (for a retraction: the retracted event's id), 2 halves
    "id_lo": np.int64,
    "year": np.int16,       # payload year (plans, designations, resumptions, investment), else 0
    "month": np.int8,       # payload month (investment), else 0
    "cents": np.int64,      # registration: total investment; plan: planned; investment: amount
    "code": np.int32,       # registration: region code; plan: construction; designation: level;
                            # approval: procedure bit; problem rows: problem key
    "flag": np.int32,       # registration: legal entity (1/0); follow-up: satisfied (1/0);
                            # assignment: due_on ordinal
    "required": np.int16,   # registration: required procedures (bits)
    "township": np.int32,   # registration: township key (0: none)
}
NAMES = tuple(DTYPES)


def cents(amount: str) -> int:
    """A decimal amount (canonical: two places) as integer cents, exactly."""
    if amount[-3:-2] == ".":
        return int(amount[:-3] + amount[-2:])
    return int(Decimal(amount).scaleb(2))


def id_halves(event_id: str) -> tuple[int, int]:
    """A canonical UUID as two signed 64-bit halves."""
    value = int(event_id.replace("-", ""), 16)
    hi, lo = value >> 64, value & 0xFFFF_FFFF_FFFF_FFFF
    return hi - ((hi >> 63) << 64), lo - ((lo >> 63) << 64)


_DAYS: dict[str, int] = {}


def day_number(text: str) -> int:
    """An ISO date's proleptic ordinal (remembered: a history has a few thousand days)."""
    number = _DAYS.get(text)
    if number is None:
        number = _DAYS[text] = date.fromisoformat(text).toordinal()
    return number


def column_row(position: int, event_id: str, event_type: str, project_id: str | None, occurred_on: str,
               recorded_us: int, payload: dict, key: Callable[[str], int]) -> tuple | None:
    """Pure: the columns of one fact (payload at its latest version), or None if no figure reads it."""
    kind = KINDS.get(event_type)
    if kind is None or project_id is None:  # targets (project-less) are read from SQL, not here
        return None
    hi, lo = id_halves(payload["retracted_event_id"] if kind == RETRACTED else event_id)
    year, month, amount, code, flag, required, township = payload.get("year") or 0, payload.get("month") or 0, \
        0, 0, 0, 0, 0
    if kind == INVESTED:
        amount = cents(payload["amount"])
    elif kind == REGISTERED:
        amount, code, flag = cents(payload["total_investment"]), int(payload["region"]), int(payload["legal_entity"])
        for procedure in payload.get("required_procedures") or ():
            required |= PROCEDURE_BIT[procedure]
        if payload.get("township") is not None:
            township = key(TOWNSHIP + payload["township"])
    elif kind == PLANNED:
        amount, code = cents(payload["planned_investment"]), CONSTRUCTION[payload["construction"]]
    elif kind == DESIGNATED:
        code = LEVEL[payload["level"]]
    elif kind == APPROVED:
        code = PROCEDURE_BIT[payload["procedure"]]
    elif kind == ASSIGNED:
        code, flag = key(PROBLEM + payload["problem_id"]), day_number(payload["due_on"])
    elif kind == FOLLOWED_UP:
        code, flag = key(PROBLEM + payload["problem_id"]), int(payload["satisfied"])
    return (position, key(PROJECT + project_id), kind, day_number(occurred_on), recorded_us,
            hi, lo, year, month, amount, code, flag, required, township)


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
    id_hi: np.ndarray
    id_lo: np.ndarray
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
        table = np.array(list(rows), dtype=np.int64)
        if len(table) == 0:
            return cls.empty()
        return cls(**{name: table[:, i].astype(DTYPES[name]) for i, name in enumerate(NAMES)})

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
    """Pure: the columns of `projections.facts.Fact`s (as the ledger holds them)."""
    rows = (column_row(f.position, f.event_id, f.event_type, f.project_id, f.occurred_on.isoformat(),
                       f.recorded_us, f.data, key) for f in facts)
    return Columns.from_rows(r for r in rows if r is not None)
