"""The spreadsheet writer the 台账 use: display rows in, number cells out, re-opened with openpyxl."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone
from decimal import Decimal

import openpyxl
import pytest

from services.entry.render import xlsx

HEADERS = ["项目代码", "项目名称", "年度计划投资", "完成率", "项目数", "倍数", "亮灯", "开工日期", "备注"]
ROWS = [
    ["2501-140522-04-01-000123", "阳城县新能源产业园", "1,234.50 万元", "56.98%", "12 个", "2.52倍", "红", "2025-03-01", "—"],
    ["2501-140522-04-01-000124", "阳城县东冶精细化工项目", Decimal("88.00"), Decimal("0.1794"), 3, "0.50倍", "黄", None, ""],
    ["140522", "凤城镇 & 北留镇", "—", "—", "0 个", "—", "绿", "2025-05-10", "未开工"],
]
AS_OF = datetime(2025, 6, 10, 23, 59, 59, tzinfo=timezone.utc)


def written(**extra) -> bytes:
    out = io.BytesIO()
    xlsx.write_table(out, "开复工台账", "阳城县 2025年1—5月 · 数据截至 2025-06-10", HEADERS, ROWS, light_column="亮灯",
                     number_formats={"完成率": "percent", 4: "count"}, created=AS_OF, **extra)
    return out.getvalue()


@pytest.fixture(scope="module")
def sheet():
    return openpyxl.load_workbook(io.BytesIO(written())).active


def test_numbers_are_number_cells_with_their_formats(sheet):
    row = [sheet.cell(4, c) for c in range(1, 10)]
    assert row[0].value == "2501-140522-04-01-000123" and row[0].data_type == "s"
    assert row[2].value == pytest.approx(1234.50) and row[2].number_format == "#,##0.00"
    assert row[3].value == pytest.approx(0.5698) and row[3].number_format == "0.00%"
    assert row[4].value == 12 and row[4].number_format == "0"
    assert row[5].value == pytest.approx(2.52) and row[5].number_format == '0.00"倍"'
    assert row[7].value == "2025-03-01" and row[7].data_type == "s"  # dates and codes stay text
    second = [sheet.cell(5, c).value for c in range(1, 10)]
    assert second[2] == pytest.approx(88.0) and second[3] == pytest.approx(0.1794) and second[4] == 3
    third = [sheet.cell(6, c).value for c in range(1, 10)]
    assert third[0] == "140522" and third[2] == "—" and third[4] == 0  # a code is not a number


def test_lights_are_coloured_cells(sheet):
    colours = {sheet.cell(r, 7).value: sheet.cell(r, 7).fill.fgColor.rgb for r in (4, 5, 6)}
    assert colours == {"红": "FFE53935", "黄": "FFFDD835", "绿": "FF43A047"}


def test_title_header_print_setup(sheet):
    assert sheet["A1"].value == "开复工台账" and "A1:I1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [sheet.cell(3, c).value for c in range(1, 10)] == HEADERS
    assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref == "A3:I6"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    assert "凤城镇 && 北留镇" not in sheet.oddHeader.center.text  # the title, with & escaped, is the header
    widths = [sheet.column_dimensions[c].width for c in "ABCDEFGHI"]
    assert widths[1] >= 2 * len("阳城县东冶精细化工项目") - 2  # CJK counts double


def test_the_same_rows_give_the_same_bytes():
    first, again = written(), written()
    assert first == again
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        core = archive.read("docProps/core.xml").decode()
        assert "2025-06-10T23:59:59Z" in core
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_without_a_date_the_document_keeps_a_fixed_one(tmp_path):
    path = tmp_path / "台账.xlsx"
    xlsx.write_table(path, "台账", "", ["a"], [[1]])
    with zipfile.ZipFile(path) as archive:
        assert "2000-01-01T00:00:00Z" in archive.read("docProps/core.xml").decode()


@pytest.mark.parametrize("value, kind, expected", [
    ("1,234.50 万元", None, (Decimal("1234.50"), "wan")),
    ("3.5 亿元", None, (Decimal("3.5"), "yi")),
    ("56.98%", None, (Decimal("0.5698"), "percent")),
    ("12 个", None, (12, "count")),
    ("7项", None, (7, "count")),
    ("2.52倍", None, (Decimal("2.52"), "multiple")),
    ("0.1794", "percent", (Decimal("0.1794"), "percent")),
    ("1234.5", "wan", (Decimal("1234.5"), "wan")),
    ("140522", None, (None, None)),
    ("2025-03-01", None, (None, None)),
    ("—", "wan", (None, None)),
    (True, None, (None, None)),
    (5, None, (5, "count")),
])
def test_number_of(value, kind, expected):
    assert xlsx.number_of(value, kind) == expected
