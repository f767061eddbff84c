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


def _registered(p: dict, key, retracted) -> tuple:
    required = 0
    for procedure in p.get("required_procedures") or ():
        required |= PROCEDURE_BIT[procedure]
    township = key(TOWNSHIP + p["township"]) if p.get("township") is not None else 0
    return 0, 0, cents(p["total_investment"]), int(p["region"]), int(p["legal_entity"]), required, township


# Per type: (kind, the payload's part of the row: year, month, cents, code, flag, required, township).
_PARTS: dict[str, tuple[int, Callable[[dict, Callable, Callable], tuple]]] = {
    "InvestmentReported": (INVESTED, lambda p, key, retracted: (p["year"], p["month"], cents(p["amount"]), 0, 0, 0, 0)),
    "ProjectRegistered": (REGISTERED, _registered),
    "AnnualPlanAdopted": (PLANNED, lambda p, key, retracted: (
        p["year"], 0, cents(p["planned_investment"]), CONSTRUCTION[p["construction"]], 0, 0, 0)),
    "KeyProjectDesignated": (DESIGNATED, lambda p, key, retracted: (p["year"], 0, 0, LEVEL[p["level"]], 0, 0, 0)),
    "AgreementSigned": (SIGNED, lambda p, key, retracted: (0, 0, 0, 0, 0, 0, 0)),
    "ProcedureApproved": (APPROVED, lambda p, key, retracted: (0, 0, 0, PROCEDURE_BIT[p["procedure"]], 0, 0, 0)),
    "ConstructionStarted": (STARTED, lambda p, key, retracted: (0, 0, 0, 0, 0, 0, 0)),
    "ConstructionResumed": (RESUMED, lambda p, key, retracted: (p["year"], 0, 0, 0, 0, 0, 0)),
    "StatsEntryApproved": (STATS_APPROVED, lambda p, key, retracted: (0, 0, 0, 0, 0, 0, 0)),
    "ProblemAssigned": (ASSIGNED, lambda p, key, retracted: (
        0, 0, 0, key(PROBLEM + p["problem_id"]), day_number(p["due_on"]), 0, 0)),
    "ProblemFollowedUp": (FOLLOWED_UP, lambda p, key, retracted: (
        0, 0, 0, key(PROBLEM + p["problem_id"]), int(p["satisfied"]), 0, 0)),
    "EventRetracted": (RETRACTED, lambda p, key, retracted: (0, 0, retracted(p["retracted_event_id"]), 0, 0, 0, 0)),
}
assert set(_PARTS) == set(KINDS) and all(KINDS[t] == kind for t, (kind, _) in _PARTS.items())


def column_row(position: int, event_type: str, project_id: str | None, occurred_on: str, recorded_us: int,
               payload: dict, key: Callable[[str], int], retracted: Callable[[str], int]) -> tuple | None:
    """Pure: the columns of one fact (payload at its latest version), or None if no figure reads it —
    (position, project, kind, occurred, recorded, year, month, cents, code, flag, required, township)."""
    found = _PARTS.get(event_type)
    if found is None or project_id is None:  # targets (project-less) are read from SQL, not here
        return None
    kind, part = found
    return (position, key(PROJECT + project_id), kind, day_number(occurred_on), recorded_us) + \
        part(payload, key, retracted)


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
