"""项目阶段: known answers, including a continuing project that never resumed and a retracted start."""
from __future__ import annotations

from projections.views.stage import stage_view
from views_history import REGION, History, day, pid


def by_id(view: dict) -> dict:
    return {p["project_id"]: p for p in view["projects"]}


def test_each_stage_is_the_furthest_the_facts_reach():
    h = History()
    h.registered(1)                                        # 谋划
    h.registered(2)
    h.add("ProcedureApproved", 2, on="2025-01-20")         # 储备
    h.registered(3)
    h.add("AgreementSigned", 3, on="2025-02-01")           # 已签约
    h.registered(4)
    h.add("AgreementSigned", 4, on="2025-02-01")
    h.add("ProjectLanded", 4, on="2025-02-10")             # 已落地
    h.registered(5)
    h.add("ConstructionStarted", 5, on="2025-03-01")       # 在建
    h.add("ProjectCompleted", 5, on="2025-04-01")          # 竣工 (after `on`: not yet)
    h.registered(6)
    for kind, on in (("ConstructionStarted", "2024-03-01"), ("ProjectCompleted", "2024-12-01"),
                     ("ProductionStarted", "2025-01-15"), ("DesignOutputReached", "2025-03-01")):
        h.add(kind, 6, on=on)                              # 达效
    view = stage_view(h.visible(), REGION, day("2025-03-15"))
    stages = {k[-1]: v["stage"] for k, v in by_id(view).items()}
    assert stages == {"1": "conceived", "2": "reserve", "3": "signed", "4": "landed",
                      "5": "under_construction", "6": "output_reached"}
    assert by_id(view)[pid(6)]["label"] == "达效" and by_id(view)[pid(6)]["since"] == "2025-03-01"
    assert [s["stage"] for s in by_id(view)[pid(6)]["timeline"]] == [
        "conceived", "under_construction", "completed", "in_production", "output_reached"]
    assert view["counts"]["under_construction"] == 1 and view["counts"]["completed"] == 0


def test_continuing_project_that_never_resumed_is_flagged():
    h = History()
    h.planned(1, "continuing")
    h.add("ConstructionStarted", 1, on="2023-05-01")
    h.add("ConstructionResumed", 1, on="2024-02-20", year=2024)   # resumed last year, not this one
    h.planned(2, "continuing")
    h.add("ConstructionStarted", 2, on="2023-05-01")
    h.add("ConstructionResumed", 2, on="2025-02-20", year=2025)
    h.planned(3, "new")                                            # new, not started
    view = stage_view(h.visible(), REGION, day("2025-03-31"))
    rows = by_id(view)
    assert rows[pid(1)]["stage"] == "under_construction"
    assert rows[pid(1)]["flags"] == ["not_resumed"] and rows[pid(1)]["flag_labels"] == ["续建未复工"]
    assert rows[pid(2)]["flags"] == []
    assert (rows[pid(3)]["stage"], rows[pid(3)]["flags"]) == ("conceived", ["not_started"])
    assert view["flagged"] == {"not_resumed": 1, "not_started": 1}
    # before the 2025 resumption, project 2 too was a continuing project not yet resumed
    assert by_id(stage_view(h.visible(), REGION, day("2025-02-01")))[pid(2)]["flags"] == ["not_resumed"]


def test_a_retracted_start_counts_until_the_retraction_is_recorded():
    h = History()
    h.planned(1, "new")
    h.add("ProcedureApproved", 1, on="2025-01-20")
    start = h.add("ConstructionStarted", 1, on="2025-03-12", at="2025-03-13T09:00:00+08:00")
    h.retract(start, at="2025-05-08T10:00:00+08:00")
    on = day("2025-03-31")
    before = by_id(stage_view(h.visible("2025-04-10"), REGION, on))[pid(1)]
    after = by_id(stage_view(h.visible("2025-05-09"), REGION, on))[pid(1)]
    assert (before["stage"], before["flags"]) == ("under_construction", [])
    assert (after["stage"], after["flags"]) == ("reserve", ["not_started"])
    assert start["event_id"] not in [s["event_id"] for s in after["timeline"]]


def test_business_date_and_region_select_projects():
    h = History()
    h.registered(1, on="2025-04-01")                  # registered after `on`: nowhere yet
    h.registered(2, region="140521")                  # another county
    h.add("ConstructionStarted", 3, on="2025-01-01")  # never registered: counts nowhere
    h.registered(4, on="2024-01-01", region="140521")
    h.registered(4, on="2025-02-01")                  # moved into 140522 in February
    view = stage_view(h.visible(), REGION, day("2025-03-01"))
    assert list(by_id(view)) == [pid(4)]
    assert stage_view(h.visible(), "1405", day("2025-03-01"))["counts"]["conceived"] == 2
