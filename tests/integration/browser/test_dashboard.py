"""The desk (驾驶舱) at `/` in headless Chromium against the demo county: the KPI cards show what
GET /v1/report answers for the same region, period and as-of; the charts are drawn; the 红黄绿灯 and
滞后项目 panels show what /v1/desk/lights and /v1/desk/lagging answer; the pickers move the numbers;
no request leaves loopback; a screenshot is kept."""
from __future__ import annotations

import os
import re
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.browser

REGION, PERIOD = "140522", "2024-06"
CENT = Decimal("0.01")
# where a copy of the screenshot goes for people to look at (if that folder exists)
SCREENSHOT_DIR = Path(os.environ.get("PROJFACTS_SCREENSHOT_DIR", "/work/scratch"))


def api_report(base: str, region: str, period: str, as_of: str | None = None, level: str | None = None) -> dict:
    params = {"region": region, "period": period, **({"as_of": as_of} if as_of else {}),
              **({"level": level} if level else {})}
    response = httpx.get(f"{base}/v1/report", params=params, timeout=30, headers=base.auth)
    assert response.status_code == 200, response.text
    return response.json()


def wait_ready(page, region: str, period: str, as_of_day: str | None = None) -> None:
    """Poll the DOM (with Playwright's deadline) until the page shows this region and period."""
    page.wait_for_function(
        """([region, period, day]) => document.body.dataset.state === 'ready'
             && document.body.dataset.region === region && document.body.dataset.period === period
             && (day === null || (document.body.dataset.asOf || '').startsWith(day))""",
        arg=[region, period, as_of_day], timeout=30_000, polling=100)


# ---- what a person reads, parsed back --------------------------------------------------------
def kpi(page, key: str) -> tuple[str, str]:
    card = page.locator(f'.kpi[data-kpi="{key}"]')
    return card.locator(".num").inner_text().strip(), card.locator(".unit").inner_text().strip()


def shown_money(wan: str) -> tuple[Decimal, str]:
    """How a 万元 amount must be shown: 亿元 from 1亿 up, else 万元; 2 places, half-up."""
    amount = Decimal(wan)
    if abs(amount) >= 10000:
        return (amount / 10000).quantize(CENT, ROUND_HALF_UP), "亿元"
    return amount.quantize(CENT, ROUND_HALF_UP), "万元"


def shown_percent(fraction: str | None) -> Decimal | None:
    return None if fraction is None else (Decimal(fraction) * 100).quantize(CENT, ROUND_HALF_UP)


def parse_percent(text: str) -> Decimal | None:
    return None if text == "—" else Decimal(text)


def assert_kpis_match(page, report: dict) -> None:
    figures = report["figures"]
    plan = figures["start_or_resume_rate"]
    investment = figures["investment_completion_rate"]

    number, unit = kpi(page, "projects")
    assert (int(number), unit) == (plan["denominator"], "个")

    number, unit = kpi(page, "planned")
    assert (Decimal(number), unit) == shown_money(investment["denominator"])
    assert page.locator('.kpi[data-kpi="planned"]').get_attribute("title") == f"{investment['denominator']} 万元"

    number, unit = kpi(page, "completed")
    assert (Decimal(number), unit) == shown_money(investment["numerator"])
    month = int(report["through"][5:7])
    label = page.locator('.kpi[data-kpi="completed"] .name').inner_text()
    assert label == ("1月完成投资" if month == 1 else f"1–{month}月完成投资")

    number, unit = kpi(page, "completion")
    assert (parse_percent(number), unit) == (shown_percent(investment["value"]), "%")

    number, unit = kpi(page, "pace")
    assert (Decimal(number), unit) == (shown_percent(report["pace"]), "%")
    gap_text = page.locator('.kpi[data-kpi="pace"] .sub').inner_text().strip()
    if investment["value"] is None:
        assert gap_text == ""
    else:
        match = re.fullmatch(r"(超|欠)序时 (\d+\.\d{2}) 个百分点", gap_text)
        assert match, gap_text
        points = Decimal(match[2]) * (1 if match[1] == "超" else -1)
        assert points == ((Decimal(investment["value"]) - Decimal(report["pace"])) * 100).quantize(CENT)

    new, continuing = figures["new_start_rate"], figures["resume_rate"]
    legend = {item.get_attribute("data-part"): int(item.locator("b").inner_text())
              for item in page.locator("#starts-legend li").all()}
    assert legend == {"新建已开工": new["numerator"], "新建未开工": new["denominator"] - new["numerator"],
                      "续建已复工": continuing["numerator"],
                      "续建未复工": continuing["denominator"] - continuing["numerator"]}


def chart_texts(page, chart_id: str) -> list[str]:
    return [t.strip() for t in page.locator(f"#{chart_id} svg text").all_text_contents()]


def desk_view(base: str, path: str, region: str, period: str, as_of: str | None = None) -> dict:
    params = {"region": region, "period": period, **({"as_of": as_of} if as_of else {})}
    response = httpx.get(f"{base}/v1/desk/{path}", params=params, timeout=60, headers=base.auth)
    assert response.status_code == 200, response.text
    return response.json()


def assert_desk_panels_match(page, base: str, region: str, period: str, as_of: str | None = None) -> None:
    """The 红黄绿灯 and 滞后项目 panels show what /v1/desk/lights and /v1/desk/lagging answer — whatever
    the data gives (the demo may hold few catalogue v2 facts), "暂无数据" when it gives nothing."""
    lights = desk_view(base, "lights", region, period, as_of)
    kinds = list(lights["kinds"])
    lit = any(lights["totals"][k][c] for k in kinds for c in ("red", "yellow", "green"))
    panel = page.locator("#panel-lights")
    if not lit:
        assert panel.locator(".empty").inner_text() == "暂无数据"
    else:
        assert panel.locator(".empty").count() == 0
        table = page.locator("#lights-table")
        for kind in kinds:
            for light in ("red", "yellow", "green"):
                cell = table.locator(f'tr[data-row="合计"] td[data-kind="{kind}"][data-light="{light}"]')
                assert int(cell.inner_text()) == lights["totals"][kind][light], (kind, light)
        shown = table.locator("tbody tr:not(.total)")
        assert shown.count() == len(lights["rows"])
        for i, row in enumerate(lights["rows"]):
            for kind in kinds:
                cell = shown.nth(i).locator(f'td[data-kind="{kind}"][data-light="red"]')
                assert int(cell.inner_text()) == row[kind]["red"]
    lagging = desk_view(base, "lagging", region, period, as_of)
    panel = page.locator("#panel-lagging")
    if not lagging["projects"]:
        assert panel.locator(".empty").inner_text() == "暂无数据"
        return
    rows = page.locator("#lagging-table tbody tr")
    assert rows.count() == min(30, lagging["count"])
    for i, project in enumerate(lagging["projects"][:rows.count()]):
        row = rows.nth(i)
        assert row.get_attribute("data-project") == project["project_id"]
        assert row.get_attribute("data-light") == project["light"]
        cells = [t.strip() for t in row.locator("td").all_inner_texts()]
        assert cells[1] == project["name"]
        assert cells[3] == "、".join(r["label"] for r in project["reasons"])
        assert cells[4] == ("、".join(project["leaders"]) or "—")
        assert cells[5] == ("、".join(project["lead_units"]) or "—")
    assert str(lagging["count"]) in page.locator("#lagging-scope").inner_text()


# ---- tests -----------------------------------------------------------------------------------
def test_kpi_cards_show_the_report_and_the_charts_are_drawn(page, demo_server, tmp_path):
    page.goto(f"{demo_server}/?region={REGION}&period={PERIOD}")
    wait_ready(page, REGION, PERIOD)
    report = api_report(demo_server, REGION, PERIOD)
    assert report["figures"]["start_or_resume_rate"]["denominator"] > 100  # the demo county's plan is loaded
    assert_kpis_match(page, report)
    assert page.locator("#scope").inner_text().startswith(f"{report.get('region_name') or REGION} · 2024年1–6月")

    for chart_id in ("chart-starts", "chart-monthly", "chart-rank"):
        assert page.locator(f"#{chart_id} svg path").count() > 3, f"{chart_id} drew nothing"
    # monthly: a bar label per month 1..6 equal to that month's report, and the 12 month ticks
    monthly = chart_texts(page, "chart-monthly")
    assert [f"{m}月" for m in range(1, 13)] == [t for t in monthly if re.fullmatch(r"\d+月", t)]
    for month in (1, 6):
        value = api_report(demo_server, REGION, f"2024-{month:02d}")["figures"]["investment_completion_rate"]["value"]
        assert f"{shown_percent(value)}%" in monthly
    # ranking: the townships /v1/rank gives, each with its rate
    ranked = httpx.get(f"{demo_server}/v1/rank/start_or_resume_rate",
                       params={"region": REGION, "period": PERIOD, "by": "township"}, timeout=30,
                       headers=demo_server.auth).json()
    rows = ranked if isinstance(ranked, list) else ranked["rows"]
    texts = chart_texts(page, "chart-rank")
    for row in rows:
        assert row["township"] in texts
        assert f"{shown_percent(row['value'])}%" in texts
    assert_desk_panels_match(page, demo_server, REGION, PERIOD)
    assert page.blocked == [] and page.errors == []

    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if SCREENSHOT_DIR.is_dir():
        shutil.copyfile(shot, SCREENSHOT_DIR / "dashboard.png")


def test_the_pickers_move_the_numbers(page, demo_server):
    page.goto(f"{demo_server}/?region={REGION}&period={PERIOD}")
    wait_ready(page, REGION, PERIOD)
    before = page.locator('.kpi[data-kpi="completed"] .num').inner_text()

    page.select_option('select[name="month"]', "3")  # 1–3月
    wait_ready(page, REGION, "2024-03")
    assert_kpis_match(page, api_report(demo_server, REGION, "2024-03"))
    assert page.locator('.kpi[data-kpi="completed"] .num').inner_text() != before
    assert "period=2024-03" in page.url  # the view is linkable

    page.select_option('select[name="year"]', "2023")
    wait_ready(page, REGION, "2023-03")
    assert_kpis_match(page, api_report(demo_server, REGION, "2023-03"))

    page.select_option('select[name="year"]', "2024")
    wait_ready(page, REGION, "2024-03")
    everything = kpi(page, "projects")
    page.select_option('select[name="level"]', "county")  # 县级重点 only
    page.wait_for_function("document.body.dataset.state === 'ready' && location.search.includes('level=county')")
    county_level = api_report(demo_server, REGION, "2024-03", level="county")
    assert_kpis_match(page, county_level)
    assert kpi(page, "projects") != everything
    page.select_option('select[name="level"]', "")
    page.wait_for_function("document.body.dataset.state === 'ready' && !location.search.includes('level=')")
    now = page.locator('.kpi[data-kpi="completed"] .num').inner_text()
    page.fill('input[name="as_of"]', "2024-04-05")  # 数据截至: what had been recorded by then
    wait_ready(page, REGION, "2024-03", "2024-04-05")
    published = api_report(demo_server, REGION, "2024-03", "2024-04-05")
    assert_kpis_match(page, published)
    assert page.locator('.kpi[data-kpi="completed"] .num').inner_text() != now  # late reports came after
    assert page.locator("#scope").inner_text().endswith("数据截至 2024-04-05 23:59:59")
    assert_desk_panels_match(page, demo_server, REGION, "2024-03", "2024-04-05")

    page.fill('input[name="region"]', "140521")  # a county with no projects in the demo
    page.press('input[name="region"]', "Enter")
    page.locator('input[name="region"]').blur()
    page.wait_for_function("document.body.dataset.state === 'error'", timeout=30_000, polling=100)
    # no project is registered there: said so (404), never a page of made-up zeros
    assert "404" in page.locator("#status").inner_text()
    assert "库中没有在沁水县登记的项目" in page.locator("#status").inner_text()
    expected = [e for e in page.errors if "status of 404" in e]
    assert len(expected) >= 1  # the browser logs the refused request; nothing else went wrong
    page.errors[:] = [e for e in page.errors if e not in expected]

    page.fill('input[name="region"]', "1405")  # the city: here the same projects as 阳城
    page.locator('input[name="region"]').blur()
    wait_ready(page, "1405", "2024-03", "2024-04-05")
    assert_kpis_match(page, api_report(demo_server, "1405", "2024-03", "2024-04-05"))
    assert kpi(page, "projects")[0] == str(published["figures"]["start_or_resume_rate"]["denominator"])
    assert page.blocked == [] and page.errors == []


def test_a_bad_region_is_refused_in_the_page_not_sent(page, demo_server):
    page.goto(f"{demo_server}/?region={REGION}&period={PERIOD}")
    wait_ready(page, REGION, PERIOD)
    page.fill('input[name="region"]', "14x")
    page.locator('input[name="region"]').blur()
    page.wait_for_function("document.getElementById('status').classList.contains('error')", timeout=10_000)
    assert "行政区划代码" in page.locator("#status").inner_text()


def test_an_exact_as_of_in_the_link_is_kept(page, demo_server):
    stamp = "2024-04-05T12:00:00+08:00"
    page.goto(f"{demo_server}/?region={REGION}&period=2024-03&as_of={stamp.replace('+', '%2B')}")
    wait_ready(page, REGION, "2024-03", "2024-04-05T12:00:00")
    assert_kpis_match(page, api_report(demo_server, REGION, "2024-03", stamp))


def test_the_ranking_follows_its_figure_and_unit(page, demo_server):
    page.goto(f"{demo_server}/?region={REGION}&period={PERIOD}")
    wait_ready(page, REGION, PERIOD)
    page.select_option("#rank-figure", "investment_completion_rate")
    page.wait_for_function("document.body.dataset.state === 'ready'"
                           " && document.getElementById('rank-scope').textContent.startsWith('年度投资完成率')")
    ranked = httpx.get(f"{demo_server}/v1/rank/investment_completion_rate",
                       params={"region": REGION, "period": PERIOD, "by": "township"}, timeout=30,
                       headers=demo_server.auth).json()
    rows = ranked if isinstance(ranked, list) else ranked["rows"]
    page.wait_for_function("([name, label]) => { const texts = [...document.querySelectorAll('#chart-rank svg text')]"
                           ".map(t => t.textContent.trim()); return texts.includes(name) && texts.includes(label); }",
                           arg=[rows[0]["township"], f"{shown_percent(rows[0]['value'])}%"])
    texts = chart_texts(page, "chart-rank")
    assert all(f"{shown_percent(row['value'])}%" in texts for row in rows)

    page.select_option("#rank-by", "county")
    page.wait_for_function("document.body.dataset.state === 'ready'"
                           " && document.getElementById('rank-scope').textContent.includes('按县')")
    by_county = httpx.get(f"{demo_server}/v1/rank/investment_completion_rate",
                          params={"region": REGION, "period": PERIOD, "by": "county"}, timeout=30,
                          headers=demo_server.auth).json()
    row = (by_county if isinstance(by_county, list) else by_county["rows"])[0]
    page.wait_for_function("(label) => [...document.querySelectorAll('#chart-rank svg text')]"
                           ".some(t => t.textContent.trim() === label)", arg=f"{shown_percent(row['value'])}%")
    assert (row.get("region_name") or row.get("county") or row.get("region")) in chart_texts(page, "chart-rank")
    assert page.blocked == [] and page.errors == []
