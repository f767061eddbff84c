"""争取资金台账 (by channel, project and document; totals agree with the funding_secured figure) and
the dashboard's light counts per county and township."""
from __future__ import annotations

from desk_history import plan
from projections.periods import parse_as_of, parse_period
from projections.report import Query, report
from projections.views.board import board_view
from projections.views.funding import funding_view
from views_history import REGION, History, day, pid

ON = day("2025-05-20")


def funding() -> History:
    h = History()
    h.registered(1)
    h.registered(2, township="北留镇")
    h.registered(3, region="140521")   # the neighbouring county
    h.add("FundingSecured", 1, on="2025-03-01", channel="special_bond", amount="8000.00", document_no="晋财债〔2025〕21号")
    h.add("FundingSecured", 2, on="2025-02-01", channel="special_bond", amount="1500.50", document_no="晋财债〔2025〕9号")
    h.add("FundingSecured", 2, on="2025-04-01", channel="central_budget", amount="300.00", document_no="发改投资〔2025〕5号")
    h.add("FundingSecured", 1, on="2024-12-30", channel="central_budget", amount="999.00", document_no="旧")
    h.add("FundingSecured", 1, on="2025-06-01", channel="provincial", amount="10.00", document_no="later")
    h.add("FundingSecured", 3, on="2025-03-01", channel="provincial", amount="77.00", document_no="other county")
    return h


def test_funding_by_channel_project_and_document():
    view = funding_view(funding().visible(), REGION, ON)
    assert [(r["channel_label"], r["project_id"], r["document_no"], r["amount"]) for r in view["items"]] == [
        ("中央预算内投资", pid(2), "发改投资〔2025〕5号", "300.00"),
        ("地方政府专项债券", pid(2), "晋财债〔2025〕9号", "1500.50"),
        ("地方政府专项债券", pid(1), "晋财债〔2025〕21号", "8000.00")]
    assert view["by_channel"] == [
        {"channel": "central_budget", "channel_label": "中央预算内投资", "count": 1, "amount": "300.00"},
        {"channel": "special_bond", "channel_label": "地方政府专项债券", "count": 2, "amount": "9500.50"}]
    assert (view["total"], view["count"], view["projects"]) == ("9800.50", 3, 2)


def test_funding_agrees_with_the_funding_secured_figure():
    h = funding()
    for through in ("2025-02", "2025Q1", "2025"):
        period = parse_period(through)
        figure = report(h.visible(), Query(REGION, period, parse_as_of("2030-01-01")))["figures"]["funding_secured"]
        assert figure["numerator"] == funding_view(h.visible(), REGION, period.through)["total"]


def test_board_counts_lights_per_township_and_county():
    h = History()
    plan(h, 1, "new", 2)                                  # overdue start: yellow
    plan(h, 2, "new", 9, township="北留镇")               # not yet due: green
    plan(h, 3, "continuing", 1, region="140521")          # another county, red
    h.add("ConstructionStarted", 2, on="2025-01-03")      # early start: green
    h.registered(4)                                       # not in the plan: counted nowhere
    by_township = board_view(h.visible(), "1405", ON, by="township")
    assert [(r["region_name"], r["township"], r["starts"]["red"], r["starts"]["yellow"], r["starts"]["green"])
            for r in by_township["rows"]] == [("沁水县", "凤城镇", 1, 0, 0), ("阳城县", "凤城镇", 0, 1, 0),
                                              ("阳城县", "北留镇", 0, 0, 1)]
    by_county = board_view(h.visible(), "1405", ON)
    assert [(r["region"], r["starts"]) for r in by_county["rows"]] == [
        ("140521", {"red": 1, "yellow": 0, "green": 0, "none": 0}),
        ("140522", {"red": 0, "yellow": 1, "green": 1, "none": 0})]
    assert by_county["totals"]["starts"] == {"red": 1, "yellow": 1, "green": 1, "none": 0}
    # procedures: two required each for new projects, none listed → no light; 入库: 2 started and eligible
    assert by_county["totals"]["procedures"] == {"red": 0, "yellow": 0, "green": 0, "none": 4}
    assert by_county["totals"]["stats_entry"]["red"] == 2
