"""The 通报 as an Excel workbook (XlsxWriter): one sheet per section of the document
(services/entry/render/bulletin_doc.py) — 通报 (lead paragraph, completion by month and its native
chart), 主要指标, 分乡镇 / 分县（市、区）, 比学赶超, 滞后项目, 说明.

Every number is a number cell with its format (万元 `#,##0.00`, rates `0.00%`, 倍, counts, 百分点,
名次变化 as ↑/↓); lights are coloured cells; 合计 and 小计 rows are bold and shaded; the bottom N of a
ranking is shaded. Each sheet prints on A4 landscape, fitted to the page width, its header rows
repeated, page numbers in the footer. The document's date is the data's as-of time, so the same
query gives the same bytes.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import IO

from xlsxwriter.worksheet import Worksheet

from services.entry.render import xlsx
from services.entry.render.bulletin_doc import Cell, Document, Section, Table, cell_text
from services.entry.render.xlsx import Styles

FORMATS = {
    "points": "+0.00;-0.00;0.00",
    "multiple_change": '+0.00"倍";-0.00"倍";0.00"倍"',
    "rank_change": '"↑"0;"↓"0;"—"',
}
STYLE_FILLS = {"total": "#DDEBF7", "subtotal": "#F2F2F2", "bottom": xlsx.BOTTOM_FILL, "residual": None}
WARNINGS = {"预警": "red", "达标": "green"}
LEAST_COLUMNS = 8
TOP_ROWS = 3  # title, subtitle, stamp


def _kind(cell: Cell) -> str | None:
    return FORMATS.get(cell.kind, cell.kind) if cell.kind not in ("warning",) else "text"


def _widths(section: Section) -> list[int]:
    count = max([len(t.columns) for t in section.tables] + [LEAST_COLUMNS])
    texts: list[list[str]] = [[] for _ in range(count)]
    for table in section.tables:
        for i, column in enumerate(table.columns):
            texts[i].append("x" * ((xlsx.display_width(column.header) + 1) // 2))  # headers wrap onto two lines
            texts[i].extend(cell_text(row.cells[i]) for row in table.rows)
    widths = xlsx.fit_widths(texts, least=8, most=40)
    return widths


def _paragraph_height(text: str, widths: list[int]) -> int:
    per_line = max(1, int(sum(widths) * 1.05))
    lines = sum(max(1, math.ceil(xlsx.display_width(part) / per_line)) for part in text.splitlines() or [""])
    return 17 * lines + 6


def _merged(sheet: Worksheet, row: int, last: int, text: str, style) -> None:
    if last > 0:
        sheet.merge_range(row, 0, row, last, text, style)
    else:
        sheet.write_string(row, 0, text, style)


def _write_cell(sheet: Worksheet, r: int, c: int, cell: Cell, styles: Styles, style: str | None) -> None:
    bold = style in ("total", "subtotal")
    fill = STYLE_FILLS.get(style) if style else None
    if cell.kind == "warning":
        light = WARNINGS.get(cell.value or "")
        if light:
            sheet.write_string(r, c, cell.value, styles.light(light))
        else:
            sheet.write_blank(r, c, None, styles.cell(None, bold=bold, fill=fill))
        return
    if cell.kind == "light":
        if cell.value:
            xlsx.write_value(sheet, r, c, cell.value, styles, "light")
        else:
            sheet.write_blank(r, c, None, styles.cell(None, bold=bold, fill=fill))
        return
    kind = _kind(cell)
    value = cell.value
    if value is None and kind not in (None, "text"):
        sheet.write_string(r, c, "—", styles.cell(None, bold=bold, fill=fill, align="center"))
        return
    xlsx.write_value(sheet, r, c, value, styles, kind or "text", bold=bold, fill=fill)


def _table(sheet: Worksheet, row: int, table: Table, styles: Styles, last: int, caption: bool = True
           ) -> tuple[int, int, int]:
    """Write a table from `row`: caption, header rows, data, note. Returns (first data row, row after
    the data, next free row)."""
    if caption:
        sheet.write_string(row, 0, table.caption, styles.get(bold=True, font_size=11))
        row += 1
    columns = table.columns
    if any(c.group for c in columns):
        c = 0
        while c < len(columns):
            group = columns[c].group
            end = c
            while end + 1 < len(columns) and group and columns[end + 1].group == group:
                end += 1
            if group:
                if end > c:
                    sheet.merge_range(row, c, row, end, group, styles.head())
                else:
                    sheet.write_string(row, c, group, styles.head())
                for k in range(c, end + 1):
                    sheet.write_string(row + 1, k, columns[k].header, styles.head())
            else:
                sheet.merge_range(row, c, row + 1, c, columns[c].header, styles.head())
            c = end + 1
        sheet.set_row(row + 1, 30)
        row += 2
    else:
        for c, column in enumerate(columns):
            sheet.write_string(row, c, column.header, styles.head())
        sheet.set_row(row, 30)
        row += 1
    first = row
    for data in table.rows:
        for c, cell in enumerate(data.cells):
            _write_cell(sheet, row, c, cell, styles, data.style)
        row += 1
    end = row
    if table.note:
        sheet.merge_range(row, 0, row, last, table.note, styles.note()) if last > 0 else \
            sheet.write_string(row, 0, table.note, styles.note())
        sheet.set_row(row, 30)
        row += 1
    return first, end, row + 1


def _monthly_chart(workbook, sheet_name: str, first: int, end: int):
    """Native chart: cumulative completion (columns) against 序时进度 (line), month by month."""
    chart = workbook.add_chart({"type": "column"})
    categories = [sheet_name, first, 0, end - 1, 0]
    chart.add_series({"name": "累计完成率", "categories": categories, "values": [sheet_name, first, 3, end - 1, 3],
                      "fill": {"color": "#1565C0"}, "gap": 80,
                      "data_labels": {"value": True, "num_format": "0.00%", "font": {"size": 8}}})
    line = workbook.add_chart({"type": "line"})
    line.add_series({"name": "序时进度", "categories": categories, "values": [sheet_name, first, 4, end - 1, 4],
                     "line": {"color": "#E65100", "dash_type": "dash", "width": 1.75},
                     "marker": {"type": "circle", "size": 5, "fill": {"color": "#E65100"},
                                "border": {"color": "#E65100"}}})
    chart.combine(line)
    chart.set_title({"name": "年度投资完成率与序时进度", "name_font": {"size": 12, "bold": True}})
    chart.set_y_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True,
                                                                       "line": {"color": "#DDE3EA"}}})
    chart.set_x_axis({"name": "月份"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": 340})
    return chart


def _breakdown_chart(workbook, sheet_name: str, first: int, end: int, where: str):
    """Native chart: completion by sub-region against 序时 (the table's 完成率 and a 序时 column)."""
    chart = workbook.add_chart({"type": "column"})
    chart.add_series({"name": "完成率", "categories": [sheet_name, first, 1, end - 1, 1],
                      "values": [sheet_name, first, 12, end - 1, 12], "fill": {"color": "#1565C0"}, "gap": 60,
                      "data_labels": {"value": True, "num_format": "0.0%", "font": {"size": 8}}})
    chart.set_title({"name": f"各{where}年度投资完成率", "name_font": {"size": 12, "bold": True}})
    chart.set_y_axis({"num_format": "0%", "min": 0})
    chart.set_legend({"none": True})
    chart.set_size({"width": 900, "height": 340})
    return chart


def write(doc: Document, target: str | Path | IO[bytes]) -> str | Path | IO[bytes]:
    b = doc.bulletin
    workbook = xlsx.new_workbook(target, title=doc.title, subject=doc.subtitle, created=b.query.as_of,
                                 keywords="通报 重大项目建设")
    styles = Styles(workbook)
    for section in doc.sections:
        sheet = workbook.add_worksheet(section.sheet[:31])
        widths = _widths(section)
        last = len(widths) - 1
        for c, size in enumerate(widths):
            sheet.set_column(c, c, size)
        _merged(sheet, 0, last, doc.title, styles.title())
        sheet.set_row(0, 30)
        _merged(sheet, 1, last, doc.subtitle, styles.subtitle())
        _merged(sheet, 2, last, doc.stamp, styles.subtitle())
        row = TOP_ROWS + 1
        sheet.write_string(row, 0, section.heading, styles.heading())
        row += 1
        for text in section.paragraphs:
            _merged(sheet, row, last, text, styles.paragraph() if section.key != "notes" else styles.note())
            sheet.set_row(row, _paragraph_height(text, widths) if section.key != "notes" else 30)
            row += 1
        if section.paragraphs:
            row += 1
        header_rows = None
        for table in section.tables:
            first, end, row = _table(sheet, row, table, styles, last,
                                     caption=len(section.tables) > 1 or section.key == "overview")
            if header_rows is None:
                header_rows = (first - (2 if any(c.group for c in table.columns) else 1), first - 1)
            if section.chart == "monthly" and table.key == "monthly" and end > first:
                sheet.insert_chart(row, 0, _monthly_chart(workbook, sheet.name, first, end))
                row += 19
            if table.key == "breakdown" and end > first + 1 and not any(r.style == "subtotal" for r in table.rows) \
                    and end - first <= 41:
                where = "乡镇" if b.by == "township" else "县（市、区）"
                sheet.insert_chart(row, 0, _breakdown_chart(workbook, sheet.name, first + 1, end, where))
                row += 19
        single = len(section.tables) == 1 and section.key in ("figures", "breakdown", "lagging")
        if single and header_rows is not None:
            sheet.freeze_panes(header_rows[1] + 1, 2)
        xlsx.print_setup(sheet, title=doc.title, repeat=header_rows if single else None)
        if section.key == "overview":
            sheet.fit_to_pages(1, 1)  # the summary on one page
        if section.key == "overview":
            sheet.activate()
    workbook.close()
    return target


__all__ = ["write"]
