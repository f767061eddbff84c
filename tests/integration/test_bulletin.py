"""`projfacts bulletin` as a person uses it, checked as an outside reader would: the demo county and
a small province imported with `projfacts import`, the bulletin written with the real console
script, re-opened with openpyxl (not the library that wrote it), and its numbers compared with what
`projfacts report --format json` and `projfacts rank --format json` print."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from projections.figures import FIGURES
from projections.names import FIGURE_LABELS
from services.entry.cli.main import main
from tools.history import demo_county, province, write_jsonl

PROJFACTS = Path(sys.executable).with_name("projfacts")
COUNTY, PERIOD, AS_OF = "140522", "2024Q1", "2024-04-10"  # the demo county has Q1 targets
RATES = [fid for fid, f in FIGURES.items() if f.kind.value == "rate"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PROJFACTS_DB"}
    env["XDG_DATA_HOME"] = str(cwd / "xdg")
    done = subprocess.run([str(PROJFACTS), *args], env=env, capture_output=True, timeout=600, cwd=cwd,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr.decode()
    return done


def cli(*args: str) -> bytes:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def as_json(*args: str) -> dict:
    return json.loads(cli(*args, "--format", "json"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("bulletin-demo")
    write_jsonl(demo_county(), folder / "demo.jsonl")
    url = f"sqlite:///{folder / 'demo.sqlite'}"
    run("import", str(folder / "demo.jsonl"), "--db", url, cwd=folder)
    return url, folder


@pytest.fixture(scope="module")
def shanxi(tmp_path_factory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("bulletin-province")
    write_jsonl(province(seed=14, projects=600, years=(2024, 2025)), folder / "province.jsonl")
    url = f"sqlite:///{folder / 'province.sqlite'}"
    run("import", str(folder / "province.jsonl"), "--db", url, cwd=folder)
    return url, folder


def bulletin(url: str, folder: Path, suffix: str, region: str = COUNTY, period: str = PERIOD, as_of: str = AS_OF,
             *extra: str) -> Path:
    out = folder / f"bulletin-{region}-{period}-{as_of}{'-'.join(extra)}.{suffix}"
    run("bulletin", "--region", region, "--period", period, "--as-of", as_of, "--out", str(out), "--db", url, *extra,
        cwd=folder)
    return out


@pytest.fixture(scope="module")
def workbook(demo) -> openpyxl.Workbook:
    url, folder = demo
    return openpyxl.load_workbook(bulletin(url, folder, "xlsx"))


# ---- reading the workbook as a person would ---------------------------------------------------------
def money(cell) -> str:
    return f"{Decimal(str(cell)):.2f}"


def same_number(cell, expected) -> bool:
    """A number cell against a JSON number (万元 string, int, or a rate with 4 places)."""
    if expected is None:
        return cell in (None, "—")
    if isinstance(expected, int):
        return cell == expected and isinstance(cell, int)
    places = len(expected.split(".")[1]) if "." in expected else 0
    return isinstance(cell, (int, float)) and Decimal(str(cell)).quantize(Decimal(1).scaleb(-places)) == Decimal(expected)


def table_rows(sheet, header: str, first_col: int = 1) -> tuple[int, list[tuple]]:
    """The rows under the first header row whose first cell is `header`, up to a blank first cell."""
    values = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(values) if row[first_col - 1] == header)
    out = []
    for row in values[start + 1:]:
        if all(v is None for v in row[1:3]):
            break
        out.append(row)
    return start + 1, out


def ranking_blocks(sheet) -> dict[str, list[tuple]]:
    """Ranking sheet: caption 一、开复工率 → its rows (the header row 名次 … after the caption)."""
    values = list(sheet.iter_rows(values_only=True))
    labels = {label: fid for fid, label in FIGURE_LABELS.items()}
    blocks, i = {}, 0
    while i < len(values):
        first = values[i][0]
        if isinstance(first, str) and "、" in first and first.split("、", 1)[1] in labels and \
                i + 1 < len(values) and values[i + 1][0] == "名次":
            rows, k = [], i + 2
            while k < len(values) and values[k][1] is not None:
                rows.append(values[k])
                k += 1
            blocks[labels[first.split("、", 1)[1]]] = rows
            i = k
        else:
            i += 1
    return blocks


# ---- the figures --------------------------------------------------------------------------------------
def test_every_figure_equals_report_json(demo, workbook):
    url, _ = demo
    report = as_json("report", "--region", COUNTY, "--period", PERIOD, "--as-of", AS_OF, "--db", url)
    sheet = workbook["主要指标"]
    _, rows = table_rows(sheet, "序号")
    by_code = {row[9]: row for row in rows}
    assert list(by_code)[:len(report["figures"])] == list(report["figures"])  # the report's order
    targets = 0
    for fid, figure in report["figures"].items():
        row = by_code[fid]
        assert row[1] == FIGURE_LABELS[fid]
        assert row[2] == {"rate": "比率", "amount": "金额", "count": "数量"}[figure["kind"]]
        assert same_number(row[3], figure["numerator"]), (fid, row)
        assert same_number(row[4], figure["denominator"]), (fid, row)
        assert same_number(row[6], figure["value"]), (fid, row)
        if "target" in figure:
            targets += 1
            assert same_number(row[7], figure["target"]), (fid, row)
            assert row[8] == ("预警" if figure["behind"] else "达标")
        else:
            assert row[7] == "—" and row[8] is None
    assert targets >= 2  # the demo county sets Q1 targets
    assert same_number(by_code["pace"][6], report["pace"])


def test_number_cells_and_formats(workbook):
    sheet = workbook["主要指标"]
    start, rows = table_rows(sheet, "序号")
    formats = {}
    for offset, row in enumerate(rows):
        fid = row[9]
        if fid == "pace":
            continue
        numerator, value = sheet.cell(start + 1 + offset, 4), sheet.cell(start + 1 + offset, 7)
        assert numerator.data_type == "n" and value.data_type in ("n",) or value.value == "—"
        formats[fid] = (numerator.number_format, value.number_format)
    assert formats["investment_completion_rate"] == ("#,##0.00", "0.00%")
    assert formats["new_start_rate"] == ("0", "0.00%")
    assert formats["reserve_multiple"] == ("#,##0.00", '0.00"倍"')
    assert formats["investment_total"][0] == "#,##0.00" and formats["started_count"][1] == "0"


# ---- rankings ----------------------------------------------------------------------------------------
def test_every_ranking_equals_rank_json_with_the_previous_period(demo, workbook):
    url, _ = demo
    blocks = ranking_blocks(workbook["比学赶超"])
    assert set(blocks) == set(RATES)
    for fid in RATES:
        now = as_json("rank", fid, "--region", COUNTY, "--period", PERIOD, "--as-of", AS_OF, "--by", "township",
                      "--db", url)
        then = as_json("rank", fid, "--region", COUNTY, "--period", "2023Q4", "--as-of", AS_OF, "--by", "township",
                       "--db", url)
        before = {r["township"]: r for r in then["rows"]}
        rows = blocks[fid]
        assert [row[1] for row in rows] == [r["township"] for r in now["rows"]], fid
        for row, r in zip(rows, now["rows"]):
            assert row[0] == r["rank"] or (row[0] == "—" and r["rank"] is None)
            assert same_number(row[2], r["numerator"]) and same_number(row[3], r["denominator"]), (fid, row, r)
            assert same_number(row[4], r["value"]), (fid, row, r)
            previous = before.get(r["township"], {})
            assert row[7] == previous.get("rank") or (row[7] == "—" and previous.get("rank") is None)
            if r["rank"] is not None and previous.get("rank") is not None:
                assert row[9] == previous["rank"] - r["rank"]


def test_the_bottom_three_are_marked(workbook):
    rows = ranking_blocks(workbook["比学赶超"])["investment_completion_rate"]
    ranked = [row for row in rows if isinstance(row[0], int)]
    marked = [row[1] for row in ranked if row[-1] == "排名靠后"]
    assert len(ranked) > 3 and len(marked) >= 3
    assert marked == [row[1] for row in ranked][-len(marked):]


# ---- tables by sub-region: 合计 = Σ rows ------------------------------------------------------------------
COLUMNS = {"start_or_resume_rate": (2, None), "new_start_rate": (4, 3), "resume_rate": (7, 6),
           "investment_completion_rate": (11, 10), "due_start_rate": (16, 15)}  # (numerator, denominator)


def check_breakdown(sheet, report: dict, ranks: dict[str, dict], key) -> list[tuple]:
    """合计 equals the report; each sub-region's row equals its `rank` row (rows in code order);
    合计 = Σ rows."""
    _, rows = table_rows(sheet, "计划项目数", first_col=3)
    total, members = rows[0], [r for r in rows[1:] if r[1] and not str(r[1]).endswith("小计")]
    in_rows = [r for r in members if r[1] not in ("未填报乡镇", "其他")]
    assert total[1] == "合计"
    for fid, (num, den) in COLUMNS.items():
        figure = report["figures"][fid]
        if den is not None:
            assert same_number(total[num], figure["numerator"]), fid
            assert same_number(total[den], figure["denominator"]), fid
            summed = sum(Decimal(str(r[num])) for r in members)
            assert Decimal(str(total[num])).quantize(Decimal("0.01")) == summed.quantize(Decimal("0.01")), fid
        rank_rows = sorted(ranks[fid]["rows"], key=lambda r: (r["region"], r["township"] or ""))
        assert len(rank_rows) == len(in_rows)
        for r, found in zip(in_rows, rank_rows):
            assert str(r[1]).strip("　") == key(found)
            if den is not None:
                assert same_number(r[num], found["numerator"]) and same_number(r[den], found["denominator"]), fid
    assert same_number(total[2], report["figures"]["start_or_resume_rate"]["denominator"])
    return rows


def test_the_township_table_adds_up_to_the_report(demo, workbook):
    url, _ = demo
    report = as_json("report", "--region", COUNTY, "--period", PERIOD, "--as-of", AS_OF, "--db", url)
    ranks = {fid: as_json("rank", fid, "--region", COUNTY, "--period", PERIOD, "--as-of", AS_OF, "--by", "township",
                          "--db", url) for fid in COLUMNS}
    rows = check_breakdown(workbook["分乡镇"], report, ranks, lambda r: r["township"])
    assert len(rows) == 1 + len(ranks["start_or_resume_rate"]["rows"])
    assert {row[14] for row in rows} <= {"红", "黄", "绿", None}


def test_a_province_has_city_subtotals(shanxi):
    url, folder = shanxi
    book = openpyxl.load_workbook(bulletin(url, folder, "xlsx", "14", "2025-05", "2025-06-10"))
    report = as_json("report", "--region", "14", "--period", "2025-05", "--as-of", "2025-06-10", "--db", url)
    ranks = {fid: as_json("rank", fid, "--region", "14", "--period", "2025-05", "--as-of", "2025-06-10", "--by",
                          "county", "--db", url) for fid in COLUMNS}
    sheet = book["分县（市、区）"]
    rows = check_breakdown(sheet, report, ranks, lambda r: r["region_name"] or r["region"])
    subtotals = [i for i, r in enumerate(rows) if str(r[1]).endswith("小计")]
    assert len(subtotals) >= 2
    for n, i in enumerate(subtotals):  # each 小计 = Σ of the counties under it
        end = subtotals[n + 1] if n + 1 < len(subtotals) else len(rows)
        members = rows[i + 1:end]
        assert members
        assert rows[i][2] == sum(r[2] for r in members)
        assert Decimal(str(rows[i][11])).quantize(Decimal("0.01")) == \
            sum(Decimal(str(r[11])) for r in members).quantize(Decimal("0.01"))
    assert sum(rows[i][2] for i in subtotals) == rows[0][2]


def test_a_city_is_broken_down_by_county(shanxi):
    url, folder = shanxi
    book = openpyxl.load_workbook(bulletin(url, folder, "xlsx", "1405", "2025-05", "2025-06-10"))
    report = as_json("report", "--region", "1405", "--period", "2025-05", "--as-of", "2025-06-10", "--db", url)
    ranks = {fid: as_json("rank", fid, "--region", "1405", "--period", "2025-05", "--as-of", "2025-06-10", "--by",
                          "county", "--db", url) for fid in COLUMNS}
    rows = check_breakdown(book["分县（市、区）"], report, ranks, lambda r: r["region_name"] or r["region"])
    assert "晋城市" in book["通报"]["A1"].value and not any(str(r[1]).endswith("小计") for r in rows)


# ---- the sheets as printed -------------------------------------------------------------------------------
def test_merges_print_setup_and_the_chart(demo, workbook):
    url, folder = demo
    overview = workbook["通报"]
    assert overview["A1"].value == "阳城县2024年一季度重大项目建设通报"
    merged = {str(r) for r in overview.merged_cells.ranges}
    assert any(r.startswith("A1:") for r in merged)
    lead = next(c.value for row in overview.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("截至2024年3月底"))
    assert "纳入年度计划重点项目" in lead and "序时进度" in lead and "个百分点" in lead and "已开工" in lead
    assert len(overview._charts) == 1
    breakdown = workbook["分乡镇"]
    assert "C6:J6" in {str(r) for r in breakdown.merged_cells.ranges}  # 开复工情况（个） over its columns
    assert breakdown["C6"].value == "开复工情况（个）"
    for sheet in workbook:
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9, sheet.title
        assert "&P" in sheet.oddFooter.center.text
    assert breakdown.print_title_rows == "$6:$7" and breakdown.freeze_panes == "C8"
    assert breakdown.sheet_properties.pageSetUpPr.fitToPage  # one page wide (fitToWidth 1 is the default), any tall
    assert breakdown.page_setup.fitToWidth in (None, 1) and breakdown.page_setup.fitToHeight == 0
    with zipfile.ZipFile(bulletin(url, folder, "xlsx")) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert charts
        xml = archive.read(charts[0]).decode()
        assert "序时进度" in xml and "累计完成率" in xml and "<c:barChart>" in xml and "<c:lineChart>" in xml


def test_the_monthly_table_is_each_months_report(demo, workbook):
    url, _ = demo
    _, rows = table_rows(workbook["通报"], "月份")
    assert [r[0] for r in rows] == ["1月", "2月", "3月"]
    for month, row in enumerate(rows, start=1):
        report = as_json("report", "--region", COUNTY, "--period", f"2024-{month:02d}", "--as-of", AS_OF, "--db", url)
        completion = report["figures"]["investment_completion_rate"]
        assert same_number(row[1], completion["numerator"]) and same_number(row[3], completion["value"])
        assert same_number(row[4], report["pace"])


def test_the_lagging_annex_is_projfacts_lagging_with_the_leaders(demo, workbook):
    url, _ = demo
    lagging = as_json("lagging", "--region", COUNTY, "--period", PERIOD, "--as-of", AS_OF, "--db", url)
    _, rows = table_rows(workbook["滞后项目"], "序号")
    assert [r[1] for r in rows] == [p["project_id"] for p in lagging["projects"]]
    assert [r[7] for r in rows] == [{"red": "红", "yellow": "黄", "green": "绿"}[p["light"]] for p in lagging["projects"]]
    assert any(r[8] and r[8] != "未明确" for r in rows)  # 包联领导 named where assigned


def test_the_same_query_gives_the_same_cells(demo):
    url, folder = demo
    first = bulletin(url, folder, "xlsx").read_bytes()
    cli("bulletin", "--region", COUNTY, "--period", PERIOD, "--as-of", AS_OF, "--out", str(folder / "again.xlsx"),
        "--db", url)  # in this process, not the console script
    again = (folder / "again.xlsx").read_bytes()
    assert first == again

    def cells(data: bytes) -> list:
        return [[[c.value for c in row] for row in sheet.iter_rows()] for sheet in openpyxl.load_workbook(io.BytesIO(data))]

    assert cells(first) == cells(again)


def test_markdown_and_html_say_the_same(demo, workbook):
    url, folder = demo
    md = bulletin(url, folder, "md").read_text(encoding="utf-8")
    page = bulletin(url, folder, "html").read_text(encoding="utf-8")
    lead = next(c.value for row in workbook["通报"].iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("截至"))
    for text in (md, page):
        assert lead in text and "阳城县2024年一季度重大项目建设通报" in text
        assert "合计" in text and "较上期" in text and "包联领导" in text and "数据截至" in text
    assert "| 合计 |" in md.replace("**", "") or "| **合计** |" in md
    assert page.startswith("<!DOCTYPE html>") and "@page" in page and page.count("<svg") >= 1
    assert "<table" in page and 'class="light red"' in page or 'class="light yellow"' in page
    assert "src=\"http" not in page and "href=\"http" not in page  # self-contained


def test_a_bad_suffix_is_refused(demo, tmp_path):
    url, _ = demo
    result = CliRunner().invoke(main, ["bulletin", "--region", COUNTY, "--period", PERIOD, "--out",
                                       str(tmp_path / "b.pdf"), "--db", url])
    assert result.exit_code == 2 and ".xlsx, .md or .html" in result.output


# ---- CSV as Excel and WPS read it --------------------------------------------------------------------------
def test_csv_exports_start_with_the_bom_and_speak_chinese(demo):
    url, _ = demo
    common = ["--region", COUNTY, "--period", PERIOD, "--as-of", AS_OF, "--db", url]
    report_csv = cli("report", *common, "--format", "csv")
    assert report_csv.startswith(b"\xef\xbb\xbf")
    text = report_csv.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0].startswith("地区,行政区划代码,期间") and "指标" in lines[0] and "是否落后于目标" in lines[0]
    assert lines[1].startswith("阳城县,140522,2024Q1") and ",新建项目开工率,new_start_rate,比率," in lines[1]
    assert any(",是" in line or ",否" in line for line in lines[1:])
    report = as_json("report", *common)
    completion = next(line for line in lines if ",investment_completion_rate," in line).split(",")
    figure = report["figures"]["investment_completion_rate"]
    assert completion[8:11] == [figure["numerator"], figure["denominator"], f"{Decimal(figure['value']) * 100:.2f}%"]

    rank_csv = cli("rank", "new_start_rate", *common, "--by", "township", "--format", "csv")
    assert rank_csv.startswith(b"\xef\xbb\xbf") and "名次,县（市、区）" in rank_csv.decode("utf-8-sig")

    explain_csv = cli("explain", "new_start_rate", *common, "--format", "csv").decode("utf-8-sig")
    header, first = explain_csv.split("\r\n")[:2]
    assert header == "指标,指标代码,部分,项目代码,贡献,事件编号,事件类型,发生日期,报送部门,来源系统"
    assert first.split(",")[6] in ("项目入库", "年度计划", "开工") and first.split(",")[8] in ("发改局", "项目推进中心")
    table = cli("explain", "new_start_rate", *common).decode()
    assert "事件类型" in table and "开工" in table and "项目推进中心" in table

    revisions_csv = cli("revisions", "--region", COUNTY, "--period", PERIOD, "--from", AS_OF, "--to", "2024-06-30",
                        "--db", url, "--format", "csv")
    assert revisions_csv.startswith(b"\xef\xbb\xbf")
    revised = revisions_csv.decode("utf-8-sig").split("\r\n")
    assert revised[0].startswith("指标,指标代码,修订前分子") and len(revised) > 2
    assert any(kind in revised[1] for kind in ("迟报", "更正", "撤回", "变更", "新增"))
