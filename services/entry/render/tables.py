"""Readable tables for people: Chinese labels with the figure ids beside them."""
from __future__ import annotations

import csv
import io
import unicodedata

import orjson

from decimal import Decimal

from events.types import FIGURE_KINDS
from projections.names import FIGURE_LABELS

LABELS = FIGURE_LABELS  # every figure's Chinese name (projections/names.py)


from projections.report import dumps, json_bytes  # noqa: E402,F401  (re-exported: the CLI's JSON)


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


MULTIPLES = {"reserve_multiple", "conceived_multiple", "conceived_count_multiple"}  # shown as 倍


def percent(value, figure_id: str) -> str:
    """A value as people read it: a rate as a percentage (a multiple as 倍), an amount in 万元, a count."""
    if value is None:
        return "—"
    kind = FIGURE_KINDS[figure_id].value if figure_id in FIGURE_KINDS else "rate"
    if kind == "amount":
        return wan(value)
    if kind == "count":
        return f"{value} 个"
    if figure_id in MULTIPLES:
        return f"{Decimal(value):.2f}倍"
    return f"{Decimal(value) * 100:.2f}%"


def wan(amount) -> str:
    """万元 with thousands separators."""
    return f"{Decimal(amount):,.2f} 万元"


def side(value) -> str:
    """A numerator or denominator: money (a decimal string) in 万元, a number as is, none as —."""
    if value is None:
        return "—"
    return wan(value) if isinstance(value, str) else str(value)


def report_table(report: dict) -> str:
    pace = report["pace"]
    completion = report["figures"]["investment_completion_rate"]["value"]
    ahead = completion is not None and Decimal(completion) >= Decimal(pace)
    name = report.get("region_name") or report["region"]
    head = (f"地区 {name} ({report['region']})  期间 {report['period']} (截至 {report['through']})\n"
            f"数据截至 {report['as_of']}\n"
            f"序时进度 {percent(pace, 'pace')}  投资完成率{'超时序' if ahead else '未达序时'}\n")
    rows = []
    for figure_id, figure in report["figures"].items():
        target = figure.get("target")
        flag = "预警" if figure.get("behind") else ("达标" if target is not None else "")
        rows.append([LABELS[figure_id], figure_id, side(figure["numerator"]), side(figure["denominator"]),
                     percent(figure["value"], figure_id), percent(target, figure_id) if target else "", flag])
    headers = ["指标", "figure", "分子", "分母", "值", "目标", "预警"]
    return head + "\n" + table(headers, rows, right={2, 3, 4, 5})


def explain_table(result: dict) -> str:
    lines = [f"{LABELS.get(result['figure'], '')} {result['figure']}", result["formula"], ""]
    for part_name, title in (("numerator", "分子"), ("denominator", "分母")):
        part = result[part_name]
        lines.append(f"{title}: {side(part['value'])}")
        rows = [[i["project_id"], side(i["amount"]), " ".join(i["events"])] for i in part["items"]]
        lines.append(table(["项目代码", "贡献", "事件"], rows, right={1}) if rows else "  (无)")
        lines.append("")
    return "\n".join(lines)


def rank_table(figure_id: str, ranking: dict) -> str:
    headers = ["名次", "县(市、区)", "乡镇", "分子", "分母", "值", "目标", "预警"]
    body = [[str(r["rank"] or "—"), r["region_name"] or r["region"], r.get("township") or "", side(r["numerator"]),
             side(r["denominator"]), percent(r["value"], figure_id),
             percent(r["target"], figure_id) if r["target"] is not None else "", "预警" if r["behind"] else ""]
            for r in ranking["rows"]]
    return (f"比学赶超 {LABELS[figure_id]} ({figure_id})  {ranking['region']}  {ranking['period']}  "
            f"数据截至 {ranking['as_of']}\n" + table(headers, body, right={0, 3, 4, 5, 6}))


def csv_text(headers: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()
