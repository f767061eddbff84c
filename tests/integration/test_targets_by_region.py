"""A report or a bulletin reads only its region's targets and its sub-regions' (services/readmodel/sql.py
`load_targets(region=…)`, the prefix matched on the payload's region in SQL, on every backend): the
same targets the unfiltered read gives for that prefix, retractions and the as-of time applied."""
from __future__ import annotations

from datetime import datetime

from helpers import append_history, event, reader_for, retraction, writer_for
from services.log.store import to_micros
from services.readmodel.sql import load_targets

AS_OF = to_micros(datetime.fromisoformat("2025-12-31T23:59:59+08:00"))
REGIONS = ["14", "1405", "140522", "140581", "1406", "140602", "15"]


def _history() -> list[dict]:
    targets = [event("TargetSet", occurred_on="2025-01-05", recorded_at=f"2025-01-05T09:0{n}:00+08:00",
                     region=region, target=f"0.{80 + n}00")
               for n, region in enumerate(REGIONS)]
    later = event("TargetSet", occurred_on="2025-02-01", recorded_at="2026-02-01T09:00:00+08:00", region="140522")
    withdrawn = retraction(targets[2], project_id=None, occurred_on="2025-03-01",
                           recorded_at="2025-03-01T09:00:00+08:00")  # 140522's first target
    other_year = event("TargetSet", occurred_on="2025-01-05", recorded_at="2025-01-05T10:00:00+08:00",
                       region="140581", year=2024)
    return targets + [later, withdrawn, other_year]


def test_targets_of_a_region_are_its_own_and_its_sub_regions(store_url):
    append_history(writer_for(store_url), _history())
    engine = reader_for(store_url).events.engine
    every = load_targets(engine, 2025, AS_OF)
    assert sorted(t.data["region"] for t in every) == sorted(r for r in REGIONS if r != "140522")
    for region, expected in [("1405", {"1405", "140581"}), ("140522", set()), ("14", {"14", "1405", "140581", "1406",
                                                                                          "140602"}),
                             ("1406", {"1406", "140602"}), ("15", {"15"}), ("16", set())]:
        found = load_targets(engine, 2025, AS_OF, region=region)
        assert found == [t for t in every if t.data["region"].startswith(region)], region
        assert {t.data["region"] for t in found} == expected, region
