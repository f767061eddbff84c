"""Figure columns (projections/figures/columns.py): the row of a fact, and the bytes a chunk is stored as."""
from __future__ import annotations

import pytest

from projections.figures.columns import (
    ASSIGNED, NAMES, PROCEDURE_BIT, REGISTERED, RETRACTED, Columns, cents, column_row, labels_of,
)


def rows(columns: Columns) -> list[tuple]:
    return sorted(zip(*(getattr(columns, name).tolist() for name in NAMES)))


def test_amounts_are_exact_cents():
    assert [cents(a) for a in ("0.01", "500.00", "9999999999999999.99", "12.5", "7")] == \
        [1, 50000, 999999999999999999, 1250, 700]


def test_a_retraction_carries_the_log_position_of_its_target():
    target = "12345678-9abc-def0-1234-56789abcdef0"
    row = column_row(9, "EventRetracted", "P1", "2024-03-01", 5, {"retracted_event_id": target, "reason": "dup"},
                     {"project:P1": 1}.__getitem__, lambda event_id, position, project: {target: 4}[event_id])
    assert row[2] == RETRACTED and dict(zip(NAMES, row))["cents"] == 4


def test_a_registration_row_and_its_labels():
    payload = {"region": "140522", "township": "凤城镇", "total_investment": "500.00", "legal_entity": True,
               "required_procedures": ["eia", "land_approval"]}
    keys = {"project:P1": 3, "township:凤城镇": 4}
    assert labels_of("ProjectRegistered", "P1", payload) == list(keys)
    row = dict(zip(NAMES, column_row(1, "ProjectRegistered", "P1", "2024-01-02", 7, payload, keys.__getitem__,
                                     None)))
    assert row["kind"] == REGISTERED and row["project"] == 3 and row["code"] == 140522
    assert row["cents"] == 50000 and row["flag"] == 1 and row["township"] == 4
    assert row["required"] == PROCEDURE_BIT["eia"] | PROCEDURE_BIT["land_approval"]


def test_what_no_figure_reads_has_no_row():
    key = {"project:P1": 1, "problem:Q1": 2}.__getitem__
    assert column_row(1, "SiteVisitRecorded", "P1", "2024-01-02", 7, {"leader_id": "L1"}, key, None) is None
    assert column_row(1, "TargetSet", None, "2024-01-02", 7, {}, key, None) is None
    row = dict(zip(NAMES, column_row(2, "ProblemAssigned", "P1", "2024-01-02", 7,
                                     {"problem_id": "Q1", "unit": "x", "due_on": "2024-02-01"}, key, None)))
    assert row["kind"] == ASSIGNED and row["code"] == 2


def test_bytes_round_trip():
    columns = Columns.from_rows([(1, 2, 3, 738000, 10**15, 2024, 12, 2**63 - 1, 140522, 1, 4095, 7, 127),
                                 (2, 3, 8, 738001, 10**15 + 1, 2025, 1, -1, 0, 0, 0, 0, 0)])
    assert rows(Columns.from_bytes(columns.to_bytes())) == rows(columns)
    assert len(Columns.from_bytes(Columns.empty().to_bytes())) == 0
    with pytest.raises(ValueError, match="bytes for 2 rows"):
        Columns.from_bytes(columns.to_bytes()[:-1])




def test_a_type_read_column_by_column_equals_its_facts_read_one_by_one():
    """The rebuild's `kind_columns` and the incremental projector's `column_row`, on a generated province."""
    from collections import defaultdict
    from itertools import count

    from projections.figures.columns import KINDS, FactColumns, kind_columns, labels_of
    from tools.history import province

    keys, positions = defaultdict(count(1).__next__), {}
    by_type: dict[str, list[tuple]] = defaultdict(list)
    for position, event in enumerate(province(projects=200, years=(2024,)), start=1):
        positions[event["event_id"]] = position
        if event["event_type"] in KINDS and event["project_id"] is not None:
            by_type[event["event_type"]].append((position, event["project_id"], event["occurred_on"],
                                                 position * 10, event["payload"]))
            for label in labels_of(event["event_type"], event["project_id"], event["payload"]):
                keys[label]
    key, retracted = keys.__getitem__, (lambda event_id, position, project: positions.get(event_id, -1))
    assert len(by_type) == len(KINDS)  # every kind is exercised
    for event_type, facts in by_type.items():
        one_by_one = Columns.from_rows([column_row(f[0], event_type, *f[1:], key, retracted) for f in facts])
        assert rows(kind_columns(event_type, FactColumns.of_rows(facts), key, retracted)) == rows(one_by_one), \
            event_type
