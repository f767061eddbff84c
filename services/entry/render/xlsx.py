"""Spreadsheets (.xlsx) for people: 台账 (ledgers) and the parts the 通报 (bulletin) is built from.

Written with XlsxWriter: it writes native Excel charts, print setup (paper, orientation, repeated
header rows, fit to width, header/footer), frozen panes and conditional colours, and its files are
reproducible — every part of the zip carries the same fixed timestamp, and the one date inside the
file (the document's `created` property) is set here, never taken from the clock. The same rows
give the same bytes.

Numbers are written as number cells with a number format, never as text: 万元 amounts with two
decimals (`#,##0.00`), rates as percentages (`0.00%`, the cell holding the fraction), multiples as
`0.00"倍"`, counts as integers. `write_table` accepts the display rows the text tables use
("1,234.50 万元", "56.98%", "12 个", "2.52倍") and turns them back into numbers; a string that is not
one of those (a project code, a name, a date, "—") stays a string.

A light column (红/黄/绿, or red/yellow/green) is shown as coloured cells, with the character kept
so that a black-and-white print still reads.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Mapping, Sequence

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

# ---- number formats ---------------------------------------------------------------------------------
# A kind of cell → its Excel number format. Other strings given as a column's format are used as-is
# (as an Excel format for a number).
NUMBER_FORMATS: dict[str, str] = {
    "wan": "#,##0.00",        # 万元, 2 decimals
    "yi": "#,##0.00",         # 亿元, 2 decimals
    "percent": "0.00%",       # a rate: the cell holds the fraction
    "multiple": '0.00"倍"',    # 倍数
    "count": "0",             # 个 / 项
    "points": "0.00",         # 百分点
    "decimal": "#,##0.00",
    "rank": "0",
}
TEXT = "text"
# When the document says nothing of its date (no as-of time given), it says this one: a fixed date,
# so that the same rows still give the same bytes.
FIXED_CREATED = datetime(2000, 1, 1, tzinfo=timezone.utc)

LIGHTS = {"红": "red", "黄": "yellow", "绿": "green", "红灯": "red", "黄灯": "yellow", "绿灯": "green",
          "red": "red", "yellow": "yellow", "green": "green"}
LIGHT_TEXT = {"red": "红", "yellow": "黄", "green": "绿"}
# Traffic-light fills, strong enough to read at a glance, with text that stays legible on them.
LIGHT_STYLE = {"red": {"bg_color": "#E53935", "font_color": "#FFFFFF"},
               "yellow": {"bg_color": "#FDD835", "font_color": "#1F2D3D"},
               "green": {"bg_color": "#43A047", "font_color": "#FFFFFF"}}
FONT = "宋体"  # what the office's templates use; Excel/WPS fall back to a CJK font where it is missing
HEAD_FILL = "#D9E1F2"
SUBTOTAL_FILL = "#F2F2F2"
BOTTOM_FILL = "#FCE4D6"  # rows singled out (排名靠后)

_WAN = re.compile(r"^\s*(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*万元\s*$")
_YI = re.compile(r"^\s*(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*亿元\s*$")
_PERCENT = re.compile(r"^\s*(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*%\s*$")
_COUNT = re.compile(r"^\s*(-?[0-9][0-9,]*)\s*[个项家次]\s*$")
_MULTIPLE = re.compile(r"^\s*(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*倍\s*$")
_PLAIN = re.compile(r"^\s*(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*$")
_NUMBER_START = frozenset("-0123456789")  # what every pattern's `^\s*-?[0-9]` starts with, spaces aside
_PATTERNS = (("wan", _WAN), ("yi", _YI), ("percent", _PERCENT), ("count", _COUNT), ("multiple", _MULTIPLE))


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def number_of(value: Any, kind: str | None = None) -> tuple[Decimal | int | None, str | None]:
    """(the number, its kind) of a cell value, or (None, None) when it is not a number.

    `kind` says how to read the column (a key of NUMBER_FORMATS or an Excel format); without it a
    string is read as a number only when it says its unit (万元, 亿元, %, 个/项, 倍). A percentage is
    returned as its fraction ("56.98%" → 0.5698); a rate given as a fraction (a Decimal, or a plain
    numeric string in a "percent" column) stays as it is.
    """
    if value is None or isinstance(value, bool):
        return None, None
    if isinstance(value, int):
        return value, kind or "count"
    if isinstance(value, (Decimal, float)):
        return Decimal(str(value)), kind or "decimal"
    if not isinstance(value, str):
        return None, None
    stripped = value.lstrip()
    if not stripped or stripped[0] not in _NUMBER_START:  # every pattern begins so: most texts end here
        return None, None
    for found_kind, pattern in _PATTERNS:
        match = pattern.match(value)
        if match and (kind is None or kind == found_kind or kind not in NUMBER_FORMATS):
            number = _decimal(match.group(1))
            if number is None:
                return None, None
            if found_kind == "percent":
                return number / 100, found_kind if kind is None else kind
            if found_kind == "count":
                return int(number), found_kind if kind is None else kind
            return number, found_kind if kind is None else kind
    if kind is not None and kind != TEXT:
        match = _PLAIN.match(value)
        if match:
            number = _decimal(match.group(1))
            if number is not None:
                return (int(number) if kind in ("count", "rank") and number == number.to_integral_value()
                        else number), kind
    return None, None


def excel_format(kind: str) -> str:
    return NUMBER_FORMATS.get(kind, kind)


def light_of(value: Any) -> str | None:
    """'red' / 'yellow' / 'green' for 红/黄/绿 (or the English words), else None."""
    return LIGHTS.get(value.strip()) if isinstance(value, str) else None


# ---- widths -----------------------------------------------------------------------------------------
def display_width(text: str) -> int:
    """Columns a text takes: CJK (wide and full-width) characters count two."""
    if text.isascii():  # numbers, codes, dates: most cells of a 台账
        return len(text)
    return _wide_width(text)


@lru_cache(maxsize=65_536)
def _wide_width(text: str) -> int:  # names and stages repeat down a column
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shown(value: Any, kind: str | None) -> str:
    """Roughly what a number cell shows (for the column's width)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if kind == "percent":
        return f"{Decimal(value) * 100:.2f}%"
    if kind in ("wan", "yi", "decimal"):
        return f"{Decimal(value):,.2f}"
    if kind == "multiple":
        return f"{Decimal(value):.2f}倍"
    return str(value)


def fit_widths(columns: Sequence[Sequence[str]], least: int = 6, most: int = 48) -> list[int]:
    """A width per column (in Excel's character units) that fits its longest line, within bounds."""
    out = []
    for texts in columns:
        longest = max((display_width(line) for text in texts for line in str(text).splitlines() or [""]),
                      default=0)
        out.append(max(least, min(most, longest + 2)))
    return out


# ---- the workbook and its styles --------------------------------------------------------------------
def new_workbook(target: str | Path | IO[bytes], *, title: str, subject: str = "",
                 created: datetime | None = None, keywords: str = "") -> Workbook:
    """A workbook with fixed document properties (the same content gives the same bytes).
    `created`: the document's date — give the as-of time of the data; default a fixed date."""
    workbook = xlsxwriter.Workbook(target if not isinstance(target, Path) else str(target), {
        "in_memory": True,          # no temporary files, nothing of the machine in the file
        "strings_to_numbers": False,  # numbers are written as numbers on purpose, strings stay strings
        "strings_to_formulas": False,
        "strings_to_urls": False,
    })
    stamp = (created or FIXED_CREATED).astimezone(timezone.utc).replace(tzinfo=None)
    workbook.set_properties({"title": title, "subject": subject, "author": "projfacts", "manager": "",
                             "company": "", "category": "重大项目建设", "keywords": keywords,
                             "comments": "projfacts 生成", "created": stamp})
    workbook.set_calc_mode("auto")
    return workbook


@dataclass
class Styles:
    """The formats a sheet uses, made once per workbook (XlsxWriter formats belong to one workbook)."""

    workbook: Workbook

    def __post_init__(self):
        self._cache: dict[tuple, Any] = {}
        self._cells: dict[tuple, Any] = {}  # `cell`'s arguments → its format (asked for every cell)

    def get(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
            self._cache[key] = self.workbook.add_format({**base, **props})
        return self._cache[key]

    # named styles
    def title(self):
        return self.get(bold=True, font_size=16, align="center")

    def subtitle(self):
        return self.get(font_size=10, align="center", font_color="#44546A")

    def heading(self):
        return self.get(bold=True, font_size=12, align="left")

    def paragraph(self):
        return self.get(font_size=11, text_wrap=True, align="left", valign="top")

    def head(self):
        return self.get(bold=True, bg_color=HEAD_FILL, border=1, align="center", text_wrap=True)

    def cell(self, kind: str | None = None, *, bold: bool = False, fill: str | None = None,
             align: str | None = None, wrap: bool = False, indent: int = 0):
        key = (kind, bold, fill, align, wrap, indent)
        found = self._cells.get(key)
        if found is None:
            found = self._cells[key] = self._cell(*key)
        return found

    def _cell(self, kind: str | None, bold: bool, fill: str | None, align: str | None, wrap: bool, indent: int):
        props: dict[str, Any] = {"border": 1}
        if kind is not None and kind != TEXT:
            props["num_format"] = excel_format(kind)
        if bold:
            props["bold"] = True
        if fill:
            props["bg_color"] = fill
        if align:
            props["align"] = align
        if wrap:
            props["text_wrap"] = True
        if indent:
            props["indent"] = indent
        return self.get(**props)

    def light(self, light: str, *, bold: bool = True):
        return self.get(border=1, align="center", bold=bold, **LIGHT_STYLE[light])

    def note(self):
        return self.get(font_size=9, font_color="#595959", text_wrap=True, valign="top")


def write_value(sheet: Worksheet, row: int, col: int, value: Any, styles: Styles, kind: str | None = None, *,
                bold: bool = False, fill: str | None = None, align: str | None = None, wrap: bool = False,
                indent: int = 0) -> tuple[Any, str | None]:
    """One cell: a number as a number cell with its format, a light as a coloured cell, anything
    else as a string (None as an empty bordered cell). Returns (what was written, its kind)."""
    if kind == "light" or (kind is None and light_of(value)):
        light = light_of(value)
        if light is not None:
            sheet.write_string(row, col, LIGHT_TEXT[light], styles.light(light))
            return LIGHT_TEXT[light], "light"
        kind = TEXT
    number, found = (None, None) if kind == TEXT else number_of(value, kind)
    if number is not None:
        sheet.write_number(row, col, float(number) if isinstance(number, Decimal) else number,
                           styles.cell(found, bold=bold, fill=fill, align=align, indent=indent))
        return number, found
    style = styles.cell(None, bold=bold, fill=fill, align=align, wrap=wrap, indent=indent)
    if value is None or value == "":
        sheet.write_blank(row, col, None, style)
        return None, None
    text = "是" if value is True else "否" if value is False else str(value)
    sheet.write_string(row, col, text, style)
    return text, None


def print_setup(sheet: Worksheet, *, title: str, repeat: tuple[int, int] | None = None,
                landscape: bool = True, fit_width: bool = True) -> None:
    """A4, landscape, the header rows repeated on every page, fitted to the page width, the title
    in the page header and 第 N 页 共 M 页 in the footer."""
    sheet.set_paper(9)  # A4
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
    sheet.center_horizontally()
    if repeat is not None:
        sheet.repeat_rows(*repeat)
    if fit_width:
        sheet.fit_to_pages(1, 0)
    escaped = title.replace("&", "&&")
    sheet.set_header(f'&C&"{FONT},Bold"&11{escaped}')
    sheet.set_footer("&C第 &P 页，共 &N 页")


# ---- a table on a sheet of its own (台账) ------------------------------------------------------------
def _column_key(key, headers: Sequence[str]) -> int:
    if isinstance(key, int):
        return key
    return list(headers).index(key)


def write_table(path: str | Path | IO[bytes], title: str, subtitle: str, headers: Sequence[str],
                rows: Sequence[Sequence[Any]], light_column: int | str | None = None,
                number_formats: Mapping[int | str, str] | None = None, *, sheet_name: str = "台账",
                created: datetime | None = None, notes: Sequence[str] = (),
                wrap_columns: Sequence[int | str] = ()) -> str | Path | IO[bytes]:
    """A 台账 as a workbook of one sheet: the title and subtitle over the table, the header row
    frozen, filtered and repeated on every printed page; numbers as number cells (see the module's
    docstring; `number_formats` maps a column — index or header — to a kind: wan, percent,
    multiple, count, points, text, or an Excel format), the light column (红/黄/绿) coloured.
    `notes`: lines printed under the table (口径, 数据来源). `created`: the document's date (give the
    data's as-of time). Returns `path`."""
    headers = list(headers)
    kinds: dict[int, str] = {_column_key(k, headers): v for k, v in (number_formats or {}).items()}
    light = None if light_column is None else _column_key(light_column, headers)
    if light is not None:
        kinds[light] = "light"
    wrapped = {_column_key(k, headers) for k in wrap_columns}
    workbook = new_workbook(path, title=title, subject=subtitle, created=created)
    styles = Styles(workbook)
    sheet = workbook.add_worksheet(sheet_name[:31])
    last = max(len(headers) - 1, 0)
    _merged_text(sheet, 0, 0, last, title, styles.title())
    sheet.set_row(0, 28)
    _merged_text(sheet, 1, 0, last, subtitle, styles.subtitle())
    for col, header in enumerate(headers):
        sheet.write_string(2, col, header, styles.head())
    texts: list[list[str]] = [[h] for h in headers]
    for r, values in enumerate(rows, start=3):
        for col, value in enumerate(values):
            written, kind = write_value(sheet, r, col, value, styles, kinds.get(col), wrap=col in wrapped)
            texts[col].append(shown(written, kind))
    widths = fit_widths(texts)
    for col, size in enumerate(widths):
        sheet.set_column(col, col, size)
    sheet.set_row(2, 30)
    sheet.freeze_panes(3, 0)
    if rows:
        sheet.autofilter(2, 0, 2 + len(rows), last)
    below = 3 + len(rows) + 1
    for line in notes:
        _merged_text(sheet, below, 0, last, line, styles.note())
        below += 1
    print_setup(sheet, title=title, repeat=(2, 2))
    workbook.close()
    return path


def _merged_text(sheet: Worksheet, row: int, first: int, last: int, text: str, style) -> None:
    if last > first:
        sheet.merge_range(row, first, row, last, text, style)
    else:
        sheet.write_string(row, first, text, style)


__all__ = ["FIXED_CREATED", "NUMBER_FORMATS", "Styles", "display_width", "excel_format", "fit_widths", "light_of",
           "new_workbook", "number_of", "print_setup", "write_table", "write_value"]
