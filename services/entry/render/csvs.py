"""CSV for Excel and WPS, and the readable tables that go with it: `report`, `rank`, `explain`,
`revisions` (and the revision triangle).

A CSV is UTF-8 with a byte-order mark (what makes Excel and WPS read Chinese without mojibake),
CRLF line ends (RFC 4180), Chinese headers, and Chinese values where a code would otherwise
stand: figure labels, kinds 比率/金额/数量, 是/否, regions by name (the code beside it), event types
and departments. Numbers stay numbers a spreadsheet reads: amounts in 万元 as plain decimals, counts
as integers, rates as percentages ("17.94%", which Excel and WPS read as 0.1794) — 倍数 (multiples)
as plain decimals, their label saying 倍.

Pure functions of the JSON the commands print (and, for explain, of the events' summaries looked up
read-only in the log): nothing here computes a figure.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Mapping, Sequence

from events.types import FIGURE_KINDS
from projections.names import FIGURE_KIND_LABELS, FIGURE_LABELS, region_label
from services.entry.render.labels import REVISION_KIND_LABELS, department_label, event_type_label, yes_no
from services.entry.render.tables import MULTIPLES, side, table

BOM = "\ufeff"


def csv_text(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    """The CSV as text, BOM first, CRLF line ends; None as an empty field."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return BOM + out.getvalue()


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """What a .csv file holds (and what the CLI writes to stdout): UTF-8 with BOM."""
    return csv_text(headers, rows).encode("utf-8")


# ---- numbers as a spreadsheet reads them --------------------------------------------------------------
def kind_of(figure_id: str) -> str:
    return FIGURE_KINDS[figure_id].value if figure_id in FIGURE_KINDS else "rate"


def value_text(value, figure_id: str) -> str:
    """A figure's value (or target) for a CSV cell: a rate as a percentage with 2 decimals (exact:
    values have 4 places), a multiple as its decimal, an amount in 万元, a count."""
    if value is None:
        return ""
    if kind_of(figure_id) == "rate" and figure_id not in MULTIPLES:
        return f"{Decimal(value) * 100:.2f}%"
    return str(value)


def number_text(value) -> str:
    """A numerator or denominator: as the JSON has it (万元 decimal string, or an integer)."""
    return "" if value is None else str(value)


# ---- report ---------------------------------------------------------------------------------------
REPORT_HEADERS = ["地区", "行政区划代码", "期间", "截至日期", "数据截至", "指标", "指标代码", "类型", "分子", "分母", "值",
                  "目标", "是否落后于目标"]


def report_rows(report: dict) -> list[list]:
    head = [report.get("region_name") or region_label(report["region"]), report["region"], report["period"],
            report["through"], report["as_of"]]
    rows = []
    for figure_id, figure in report["figures"].items():
        kind = figure.get("kind") or kind_of(figure_id)
        rows.append(head + [FIGURE_LABELS.get(figure_id, figure_id), figure_id, FIGURE_KIND_LABELS.get(kind, kind),
                            number_text(figure["numerator"]), number_text(figure["denominator"]),
                            value_text(figure["value"], figure_id), value_text(figure.get("target"), figure_id),
                            yes_no(figure.get("behind"))])
    rows.append(head + ["序时进度", "pace", FIGURE_KIND_LABELS["rate"], "", "", value_text(report["pace"], "pace"),
                        "", ""])
    return rows


def report_csv(report: dict) -> bytes:
    return csv_bytes(REPORT_HEADERS, report_rows(report))


# ---- rank -----------------------------------------------------------------------------------------
RANK_HEADERS = ["指标", "指标代码", "期间", "数据截至", "名次", "县（市、区）", "行政区划代码", "乡镇", "分子", "分母", "值", "目标",
                "是否落后于目标"]


def rank_csv(ranking: dict) -> bytes:
    figure_id = ranking["figure"]
    rows = [[FIGURE_LABELS.get(figure_id, figure_id), figure_id, ranking["period"], ranking["as_of"],
             "" if r["rank"] is None else r["rank"], r.get("region_name") or region_label(r["region"]), r["region"],
             r.get("township") or "", number_text(r["numerator"]), number_text(r["denominator"]),
             value_text(r["value"], figure_id), value_text(r.get("target"), figure_id), yes_no(r.get("behind"))]
            for r in ranking["rows"]]
    return csv_bytes(RANK_HEADERS, rows)


# ---- explain: each event with its type, date and department -------------------------------------------
EXPLAIN_HEADERS = ["指标", "指标代码", "部分", "项目代码", "贡献", "事件编号", "事件类型", "发生日期", "报送部门", "来源系统"]
SIDES = (("numerator", "分子"), ("denominator", "分母"))


def explain_rows(result: dict, summaries: Mapping[str, tuple]) -> list[list]:
    """One row per event behind a project's contribution (a project with no event: one row).
    `summaries`: event_id -> (event_type, occurred_on, department, system, …) from the log."""
    figure_id = result["figure"]
    rows = []
    for part, title in SIDES:
        for item in result[part]["items"]:
            amount = "" if item["amount"] is None else str(item["amount"])
            head = [FIGURE_LABELS.get(figure_id, figure_id), figure_id, title, item["project_id"], amount]
            for event_id in item["events"] or [None]:
                found = summaries.get(event_id) if event_id else None
                rows.append(head + ([event_id, event_type_label(found[0]), found[1], department_label(found[2]),
                                     found[3]] if found else [event_id or "", "", "", "", ""]))
    return rows


def explain_csv(result: dict, summaries: Mapping[str, tuple]) -> bytes:
    return csv_bytes(EXPLAIN_HEADERS, explain_rows(result, summaries))


def explain_table(result: dict, summaries: Mapping[str, tuple]) -> str:
    """explain for people: per side, each project with its contribution, and under it each event —
    its id, type (Chinese), date and department."""
    figure_id = result["figure"]
    lines = [f"{FIGURE_LABELS.get(figure_id, '')} {figure_id}", result["formula"], ""]
    for part, title in SIDES:
        entry = result[part]
        lines.append(f"{title}: {side(entry['value'])}  ({len(entry['items'])} 个项目)")
        rows = []
        for item in entry["items"]:
            first = True
            for event_id in item["events"] or [""]:
                found = summaries.get(event_id)
                rows.append([item["project_id"] if first else "", side(item["amount"]) if first else "", event_id,
                             event_type_label(found[0]) if found else "", found[1] if found else "",
                             department_label(found[2]) if found else ""])
                first = False
        lines.append(table(["项目代码", "贡献", "事件编号", "事件类型", "发生日期", "报送部门"], rows, right={1})
                     if rows else "  (无)")
        lines.append("")
    return "\n".join(lines)


def event_ids_of(result: dict) -> list[str]:
    return sorted({e for part, _ in SIDES for item in result[part]["items"] for e in item["events"]})


# ---- revisions and the triangle -------------------------------------------------------------------
REVISION_HEADERS = ["指标", "指标代码", "修订前分子", "修订前分母", "修订前值", "修订后分子", "修订后分母", "修订后值",
                    "修订类型", "间接影响", "事件编号", "事件类型", "项目代码", "发生日期", "记录时间", "报送部门", "来源系统",
                    "月份", "金额", "撤回的事件", "撤回的事件类型", "分子变化", "分母变化"]


def _change(effect: dict, part: str) -> str:
    if part not in effect:
        return ""
    before, after = effect[part]
    return f"{'—' if before is None else before}→{'—' if after is None else after}"


def revisions_rows(result: dict) -> list[list]:
    rows = []
    for figure in result["figures"]:
        fid = figure["figure"]
        old, new = figure["from"], figure["to"]
        head = [FIGURE_LABELS.get(fid, fid), fid, number_text(old["numerator"]), number_text(old["denominator"]),
                value_text(old["value"], fid), number_text(new["numerator"]), number_text(new["denominator"]),
                value_text(new["value"], fid)]
        for fact in figure["facts"] or [None]:
            if fact is None:
                rows.append(head + [""] * (len(REVISION_HEADERS) - len(head)))
                continue
            retracts = fact.get("retracts") or {}
            effect = fact.get("effect", {})
            rows.append(head + [REVISION_KIND_LABELS.get(fact["kind"], fact["kind"]), yes_no(bool(fact.get("indirect"))),
                                fact["event_id"], event_type_label(fact["event_type"]), fact.get("project_id") or "",
                                fact["occurred_on"], fact["recorded_at"], department_label(fact["source"]["department"]),
                                fact["source"]["system"], fact.get("month", ""), fact.get("amount", ""),
                                retracts.get("event_id", ""), event_type_label(retracts.get("event_type")),
                                _change(effect, "numerator"), _change(effect, "denominator")])
    return rows


def revisions_csv(result: dict) -> bytes:
    return csv_bytes(REVISION_HEADERS, revisions_rows(result))


def triangle_csv(result: dict) -> bytes:
    """The revision triangle: one row per figure and vintage, one column per month (the value)."""
    headers = ["指标", "指标代码", "数据版本（截至）"] + result["periods"]
    rows = []
    for fid, vintages in result["figures"].items():
        for vintage in vintages:
            rows.append([FIGURE_LABELS.get(fid, fid), fid, vintage["as_of"]]
                        + ["" if c is None else value_text(c["value"], fid) for c in vintage["cells"]])
    return csv_bytes(headers, rows)
