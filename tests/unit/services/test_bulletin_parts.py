"""The bulletin's rules where the contract is silent (previous period, lights, bottom N) and its
wording (amounts in 亿元/万元, 超/欠序时), and the CSV exports' shape."""
from __future__ import annotations

from decimal import Decimal

import pytest

from projections.periods import parse_period
from services.entry.render import bulletin_doc as doc
from services.entry.render import csvs
from projections.views.lights import Lights
from services.query.bulletin import pace_light, previous_period, ranking, sub_level


@pytest.mark.parametrize("period, previous", [
    ("2025-05", "2025-04"), ("2025-01", "2024-12"), ("2025Q3", "2025Q2"), ("2025Q1", "2024Q4"),
    ("2025H2", "2025H1"), ("2025H1", "2024H2"), ("2025", "2024"),
])
def test_the_previous_period_is_the_one_of_the_same_length_before(period, previous):
    assert previous_period(parse_period(period)).label == previous


def test_sub_levels():
    assert (sub_level("140522"), sub_level("1405"), sub_level("14")) == ("township", "county", "county")


@pytest.mark.parametrize("value, light", [("0.4167", "green"), ("0.5000", "green"), ("0.3200", "green"),
                                          ("0.3167", "yellow"), ("0.1167", "yellow"), ("0.1166", "red"), (None, None)])
def test_pace_lights_are_the_desks(value, light):
    """序时 0.4167: yellow from 10 points behind, red beyond 30 (services/query/lights.toml)."""
    assert pace_light(Lights(), value, "0.4167") == light


def rank_rows(values):
    rows, place = [], 0
    ordered = sorted(values.items(), key=lambda kv: (kv[1] is None, -(Decimal(kv[1]) if kv[1] else 0)))
    for i, (name, value) in enumerate(ordered):
        if value is not None and (i == 0 or value != ordered[i - 1][1]):
            place = i + 1
        rows.append({"rank": place if value is not None else None, "region": "140522", "region_name": "阳城县",
                     "township": name, "numerator": 1, "denominator": 2, "value": value, "target": None,
                     "behind": None})
    return {"rows": rows}


def test_bottom_n_includes_ties_and_needs_more_rows_than_n():
    now = rank_rows({"甲": "0.9000", "乙": "0.8000", "丙": "0.5000", "丁": "0.5000", "戊": "0.4000", "己": None})
    found = ranking("new_start_rate", now, rank_rows({}), "0.4167", 3)
    assert [r.township for r in found.rows if r.bottom] == ["丙", "丁", "戊"]
    found = ranking("new_start_rate", now, rank_rows({}), "0.4167", 2)
    assert [r.township for r in found.rows if r.bottom] == ["丙", "丁", "戊"]  # 丙 ties 丁, the 2nd from last
    few = rank_rows({"甲": "0.9000", "乙": "0.8000"})
    assert not any(r.bottom for r in ranking("new_start_rate", few, few, "0.4167", 3).rows)


def test_changes_since_the_previous_period():
    now = rank_rows({"甲": "0.6000", "乙": "0.3500", "丙": "0.2000"})
    then = rank_rows({"甲": "0.1000", "乙": "0.3500"})
    rows = {r.township: r for r in ranking("investment_completion_rate", now, then, "0.4167", 3).rows}
    assert (rows["甲"].rank, rows["甲"].previous_rank, rows["甲"].rank_change) == (1, 2, 1)
    assert (rows["乙"].rank_change, rows["乙"].value_change) == (-1, Decimal("0"))
    assert rows["丙"].previous_rank is None and rows["丙"].rank_change is None
    # 序时 41.67%: 甲 ahead, 乙 6.67 points behind (under 10: green), 丙 21.67 behind (10–30: yellow)
    assert rows["甲"].light == "green" and rows["乙"].light == "green" and rows["丙"].light == "yellow"


@pytest.mark.parametrize("wan, text", [("235138.52", "23.51亿元"), ("10000.00", "1.00亿元"), ("9999.99", "9999.99万元"),
                                       ("9735.00", "9735万元"), ("520.50", "520.5万元"), ("0.00", "0万元")])
def test_amounts_in_the_text(wan, text):
    assert doc.amount_text(wan) == text


def test_pace_wording():
    assert doc.pace_clause("0.1794", "0.4167") == "欠序时进度23.73个百分点"
    assert doc.pace_clause("0.5200", "0.5000") == "超序时进度2.00个百分点"
    assert doc.pace_clause("0.5000", "0.5000") == "与序时进度持平"


def test_period_words():
    assert doc.period_phrase(parse_period("2025-05")) == "2025年5月"
    assert doc.period_phrase(parse_period("2025Q1")) == "2025年一季度"
    assert doc.period_phrase(parse_period("2025H1")) == "2025年上半年"
    assert doc.months_phrase(1) == "1月" and doc.months_phrase(5) == "1—5月"
    assert [doc.chinese_number(n) for n in (1, 10, 11, 17, 20, 23)] == ["一", "十", "十一", "十七", "二十", "二十三"]


REPORT = {"region": "140522", "region_name": "阳城县", "period": "2025Q1", "through": "2025-03-31",
          "as_of": "2025-04-10T23:59:59.999999+08:00", "pace": "0.2500",
          "figures": {"new_start_rate": {"kind": "rate", "numerator": 3, "denominator": 8, "value": "0.3750",
                                         "target": "0.5000", "behind": True},
                      "investment_total": {"kind": "amount", "numerator": "1234.50", "denominator": None,
                                           "value": "1234.50"},
                      "reserve_multiple": {"kind": "rate", "numerator": "5000.00", "denominator": "1000.00",
                                           "value": "5.0000"}}}


def test_report_csv():
    data = csvs.report_csv(REPORT)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "地区,行政区划代码,期间,截至日期,数据截至,指标,指标代码,类型,分子,分母,值,目标,是否落后于目标"
    assert lines[1].endswith("新建项目开工率,new_start_rate,比率,3,8,37.50%,50.00%,是")
    assert lines[2].endswith("固定资产投资完成额,investment_total,金额,1234.50,,1234.50,,")
    assert lines[3].endswith("储备规模倍数,reserve_multiple,比率,5000.00,1000.00,5.0000,,")
    assert lines[4].endswith("序时进度,pace,比率,,,25.00%,,")


def test_explain_table_shows_the_events():
    result = {"figure": "new_start_rate", "formula": "新建项目开工率: …",
              "numerator": {"value": 1, "items": [{"project_id": "P1", "amount": 1, "events": ["e1", "e2"]}]},
              "denominator": {"value": 1, "items": [{"project_id": "P1", "amount": 1, "events": ["e1"]}]}}
    summaries = {"e1": ("AnnualPlanAdopted", "2025-01-10", "ndrc", "ndrc-projects", "t"),
                 "e2": ("ConstructionStarted", "2025-03-02", "project_center", "dispatch", "t")}
    text = csvs.explain_table(result, summaries)
    assert "年度计划" in text and "开工" in text and "项目推进中心" in text and "2025-03-02" in text
    rows = csvs.explain_rows(result, summaries)
    assert rows[1] == ["新建项目开工率", "new_start_rate", "分子", "P1", "1", "e2", "开工", "2025-03-02", "项目推进中心",
                       "dispatch"]
