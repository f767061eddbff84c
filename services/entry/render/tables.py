"""Readable tables for people: Chinese labels with the figure ids beside them."""
from __future__ import annotations

import csv
import io
import unicodedata

import orjson

LABELS = {
    "new_start_rate": "新建项目开工率",
    "resume_rate": "续建项目复工率",
    "start_or_resume_rate": "开复工率",
    "investment_completion_rate": "年度投资完成率",
    "signed_same_year_start_rate": "签约项目当年开工率",
    "reserve_conversion_rate": "储备项目开工转化率",
    "procedure_completion_rate": "前期手续办结率",
    "stats_entry_rate": "入库纳统率",
    "investment_growth": "投资增速",
    "reserve_multiple": "储备规模倍数",
    "problem_on_time_rate": "问题按期办结率",
}
RATIO_FIGURES = {"reserve_multiple"}


from projections.report import dumps  # noqa: E402,F401  (re-exported: the CLI's JSON)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int, right: bool = False) -> str:
    gap = " " * max(0, size - width(text))
    return gap + text if right else text + gap


def table(headers: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> str:
    sizes = [max(width(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]
    lines = ["  ".join(pad(h, sizes[i], i in right) for i, h in enumerate(headers)),
             "  ".join("-" * s for s in sizes)]
    lines += ["  ".join(pad(str(c), sizes[i], i in right) for i, c in enumerate(r)) for r in rows]
    return "\n".join(lines)


def percent(value: str | None, figure_id: str) -> str:
    if value is None:
        return "—"
    if figure_id in RATIO_FIGURES:
        return f"{float(value):.2f}倍"
    from decimal import Decimal

    return f"{Decimal(value) * 100:.2f}%"


def report_table(report: dict) -> str:
    pace = report["pace"]
    completion = report["figures"]["investment_completion_rate"]["value"]
    ahead = completion is not None and float(completion) >= float(pace)
    head = (f"地区 region {report['region']}  期间 period {report['period']} (截至 through {report['through']})\n"
            f"数据截至 as of {report['as_of']}\n"
            f"序时进度 pace {percent(pace, 'pace')}  "
            f"投资完成率{'超时序 ahead of pace' if ahead else '未达序时 behind pace'}\n")
    rows = []
    for figure_id, figure in report["figures"].items():
        target = figure.get("target")
        flag = "预警 behind" if figure.get("behind") else ("达标 on target" if target is not None else "")
        rows.append([LABELS[figure_id], figure_id, str(figure["numerator"]), str(figure["denominator"]),
                     percent(figure["value"], figure_id), percent(target, figure_id) if target else "", flag])
    headers = ["指标", "figure", "分子 numerator", "分母 denominator", "值 value", "目标 target", ""]
    return head + "\n" + table(headers, rows, right={2, 3, 4, 5})


def explain_table(result: dict) -> str:
    lines = [f"{LABELS.get(result['figure'], '')} {result['figure']}", result["formula"], ""]
    for side in ("numerator", "denominator"):
        part = result[side]
        lines.append(f"{side}: {part['value']}")
        rows = [[i["project_id"], str(i["amount"]), " ".join(i["events"])] for i in part["items"]]
        lines.append(table(["project_id", "amount", "events"], rows, right={1}) if rows else "  (none)")
        lines.append("")
    return "\n".join(lines)


def rank_table(figure_id: str, rows: list[dict]) -> str:
    headers = ["名次 rank", "县 county", "乡镇 township", "分子 numerator", "分母 denominator", "值 value"]
    body = [[str(r["rank"]), r["county"], r.get("township") or "", str(r["numerator"]), str(r["denominator"]),
             percent(r["value"], figure_id)] for r in rows]
    return f"比学赶超 {LABELS[figure_id]} {figure_id}\n" + table(headers, body, right={0, 3, 4, 5})


def csv_text(headers: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()
