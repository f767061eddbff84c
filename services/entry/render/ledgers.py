"""台账 as tables people open in Excel or WPS (CONTRACT §7 `projfacts ledger KIND`), and the CSV of
every view: Chinese headers and Chinese values — regions by name, 是/否, stage, status and light
labels, amounts in 万元 — never codes such as `under_construction` or `True`.

A `LedgerTable` is what a writer needs: a title, a subtitle (region, date or period, as-of), the
headers, the rows of display values (str, int or Decimal — amounts in 万元 are Decimal with 2 places,
rates are percentage strings, dates ISO strings, empty cells ""), and which column holds the
light (红灯/黄灯/绿灯), if any. CSV is written here: UTF-8 with a BOM (Excel and WPS then read the
Chinese right), one header row, no title rows (the title and as-of are in the file name and, in
.xlsx, above the table). .xlsx goes to the xlsx writer (services/entry/render/xlsx.py `write_table`).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import orjson

from projections.names import (CATEGORY_LABELS, CONSTRUCTION_LABELS, DEKAD_LABELS, DEPARTMENT_LABELS,
                               ESCALATION_LEVEL_LABELS, FIGURE_LABELS, FUNDING_CHANNEL_LABELS, KEY_LEVEL_LABELS,
                               LEADER_ROLE_LABELS, MILESTONE_LABELS, ORIGIN_LABELS, PROCEDURE_LABELS,
                               PROCEDURE_LEVEL_LABELS, STAGE_LABELS, region_label)
from projections.views.lights import LIGHT_LABELS
from projections.views.problems import LEVEL_LABELS

BOM = "\ufeff"
KIND_NAMES = {
    "starts": "开复工台账", "procedures": "前期手续清单", "stats-entry": "入库纳统台账", "problems": "问题台账",
    "leaders": "领导包联台账", "funding": "争取资金台账", "lagging": "滞后项目清单", "coverage": "双包联情况表",
    "procedures-weekly": "前期手续办理情况表", "lights": "红黄绿灯统计", "stage": "项目阶段表", "dossier": "一项一档",
}
LEDGER_KINDS = ("starts", "procedures", "stats-entry", "problems", "leaders", "funding")


@dataclass(frozen=True)
class LedgerTable:
    kind: str
    title: str
    subtitle: str
    headers: list[str]
    rows: list[list[Any]]
    lights_column: int | None = None

    @property
    def name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    def column(self, header: str) -> list[Any]:
        index = self.headers.index(header)
        return [row[index] for row in self.rows]


# ---- cells -----------------------------------------------------------------------------------
def yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def wan(text: str | None) -> Decimal | str:
    """万元 amount (a decimal string) as a Decimal with 2 places; '' when none."""
    return "" if text is None else Decimal(text).quantize(Decimal("0.01"))


def percent(fraction: str | None) -> str:
    return "" if fraction is None else f"{Decimal(fraction) * 100:.2f}%"


def light(code: str | None) -> str:
    return LIGHT_LABELS.get(code, "") if code else ""


def text(value: Any) -> str:
    return "" if value is None else str(value)


def names(values: list[str] | None) -> str:
    return "、".join(values or [])


def _number(value: int | None) -> int | str:
    return "" if value is None else value


# ---- the header of every table -----------------------------------------------------------------
def _place(view: dict) -> str:
    return view.get("region_name") or region_label(view["region"])


def _subtitle(view: dict, money: bool = False) -> str:
    when = f"截至{view['on']}"
    if view.get("period"):
        when += f"(期间 {view['period']})"
    as_of = view.get("as_of", "")[:19].replace("T", " ")
    parts = [f"地区:{_place(view)}({view['region']})", when, f"数据截至:{as_of}"]
    if money:
        parts.append("金额单位:万元")
    return "  ".join(parts)


def _title(view: dict, kind: str) -> str:
    year = view.get("year") or int(view["on"][:4])
    return f"{_place(view)}{year}年{KIND_NAMES[kind]}"


def _table(kind: str, view: dict, headers: list[str], rows: list[list], light_header: str | None = "预警",
           money: bool = False, title: str | None = None) -> LedgerTable:
    column = headers.index(light_header) if light_header in headers else None
    return LedgerTable(kind, title or _title(view, kind), _subtitle(view, money), headers, rows, column)


def _where(row: dict) -> list[str]:
    return [region_label(row["region"]), text(row.get("township"))]


# ---- the ledgers -------------------------------------------------------------------------------
def starts_ledger(view: dict) -> LedgerTable:
    headers = ["序号", "项目代码", "项目名称", "县(市、区)", "乡镇", "建设性质", "重点工程", "年度计划投资(万元)",
               "计划开复工时间", "计划到期日", "实际开复工日期", "状态", "逾期天数", "预警", "包联领导", "包联部门",
               "帮办部门"]
    rows = [[i, r["project_id"], r["name"], *_where(r), r["construction_label"], text(r["key_level_label"]),
             wan(r["planned_investment"]), r["planned_label"], text(r["due_on"]), text(r["actual_on"]),
             r["status_label"], _number(r["days_late"] if r["days_late"] is not None else r["days_overdue"]),
             light(r["light"]), names(r["leaders"]), names(r["lead_units"]), names(r["support_units"])]
            for i, r in enumerate(view["projects"], 1)]
    return _table("starts", view, headers, rows, money=True)


def procedures_ledger(view: dict) -> LedgerTable:
    headers = ["序号", "项目代码", "项目名称", "县(市、区)", "乡镇", "建设性质", "手续名称", "计入办结率", "办理层级",
               "办结时限", "承办单位", "责任领导", "承办人", "办理状态", "办结日期", "批复文号", "审批机关",
               "超期天数", "预警", "包联领导"]
    rows = [[i, r["project_id"], r["name"], *_where(r), r["construction_label"], r["procedure_label"],
             yes_no(r["required"]), r["level_label"], text(r["due_on"]), text(r["unit"]), text(r["leader"]),
             text(r["officer"]), r["status_label"] + ("(逾期办结)" if r["approved_late"] else ""),
             text(r["approved_on"]), text(r["document_no"]), text(r["authority"]), _number(r["days_overdue"]),
             light(r["light"]), names(r["project_leaders"])]
            for i, r in enumerate(view["procedures"], 1)]
    return _table("procedures", view, headers, rows)


def stats_entry_ledger(view: dict) -> LedgerTable:
    headers = ["序号", "项目代码", "项目名称", "县(市、区)", "乡镇", "是否应统", "入库状态", "退回原因", "开工日期",
               "申报日期", "退回日期", "入库日期", "等待天数", "开工天数", "预警", "说明"]
    rows = [[i, r["project_id"], r["name"], *_where(r), yes_no(r["eligible"]), r["status_label"],
             text(r["return_reason"]), text(r["started_on"]), text(r["submitted_on"]), text(r["returned_on"]),
             text(r["entered_on"]), _number(r["days_waiting"]), _number(r["days_since_start"]),
             light(r.get("light")), ";".join(r["reasons"])]
            for i, r in enumerate(view["projects"], 1)]
    return _table("stats-entry", view, headers, rows)


def problems_ledger(view: dict) -> LedgerTable:
    handling = bool(view["policy"].get("handling"))
    headers = ["序号", "问题编号", "项目代码", "项目名称", "县(市、区)", "乡镇", "问题类别", "问题描述", "责任单位",
               "提出日期", "交办日期", "办结时限", "状态", "剩余天数", "超期天数", "已督办", "应处置", "销号日期",
               "按期销号", "预警"] + (["问题性质", "13710办结时限", "13710办理情况"] if handling else [])
    rows = []
    for i, r in enumerate(view["problems"], 1):
        row = [i, r["problem_id"], r["project_id"], r["project_name"], *_where(r), text(r["category"]),
               text(r["description"]), text(r["unit"]), r["raised_on"], text(r.get("assigned_on")),
               text(r["due_on"]), r.get("status_label") or r["status"],
               _number(r["days_to_due"] if r["open"] and not r["overdue"] else None),
               _number(r["days_overdue"] if r["overdue"] else None),
               LEVEL_LABELS.get(r["escalation_level"], ""), LEVEL_LABELS.get(r["due_level"], ""),
               text(r["closed_on"]), yes_no(r["closed_on_time"]) if r["due_on"] else "", light(r.get("light"))]
        if handling:
            h = r.get("handling")
            settle = h["milestones"][-1] if h else None
            row += [h["class_label"] if h else "", settle["due_on"] if settle else "",
                    "、".join(f"{m['label']}{m['status_label']}" for m in h["milestones"]) if h else "未交办"]
        rows.append(row)
    return _table("problems", view, headers, rows)


def leaders_ledger(view: dict) -> LedgerTable:
    headers = ["序号", "包联领导", "职务", "项目代码", "项目名称", "县(市、区)", "乡镇", "项目阶段",
               "年度计划投资(万元)", "完成投资(万元)", "完成率", "序时进度", "是否超序时", "缺少手续", "未销号问题",
               "超期问题", "最近到现场日期", "距上次到现场天数", "本月到现场", f"{view.get('visit_interval_days', 30)}天内到现场",
               "预警", "包联部门", "帮办部门"]
    units = {pid: contacts for pid, contacts in view.get("by_project", {}).items()}

    def unit_names(project_id: str, role: str) -> str:
        return "、".join(c["leader_name"] for c in units.get(project_id, []) if c.get("role") == role)

    rows, i = [], 0
    for leader in view["leaders"]:
        for p in leader["projects"]:
            i += 1
            rows.append([i, leader["leader_name"], leader["title"], p["project_id"], p["name"], *_where(p),
                         p["stage_label"], wan(p["planned_investment"]), wan(p["completed_investment"]),
                         percent(p["completion_rate"]), percent(p["pace"]), yes_no(p["ahead_of_pace"]),
                         "、".join(PROCEDURE_LABELS.get(c, c) for c in p["missing_procedures"]),
                         len(p["open_problems"]), sum(1 for q in p["open_problems"] if q["overdue"]),
                         text(p["last_visit_on"]), _number(p["days_since_visit"]), "、".join(p["visits_this_month"]),
                         yes_no(p["visited_within_interval"]), light(p["visit_light"]),
                         unit_names(p["project_id"], "lead_unit"), unit_names(p["project_id"], "support_unit")])
    return _table("leaders", view, headers, rows, money=True)


def funding_ledger(view: dict) -> LedgerTable:
    headers = ["序号", "资金渠道", "到位日期", "项目代码", "项目名称", "县(市、区)", "乡镇", "文号", "金额(万元)"]
    rows, i = [], 0
    for channel in view["by_channel"]:
        for r in (r for r in view["items"] if r["channel"] == channel["channel"]):
            i += 1
            rows.append([i, r["channel_label"], r["secured_on"], r["project_id"], r["name"], *_where(r),
                         r["document_no"], wan(r["amount"])])
        rows.append(["", f"{channel['channel_label']} 小计", "", "", f"{channel['count']}笔", "", "", "",
                     wan(channel["amount"])])
    rows.append(["", "合计", "", "", f"{view['count']}笔", "", "", "", wan(view["total"])])
    return _table("funding", view, headers, rows, light_header=None, money=True)


def lagging_ledger(view: dict) -> LedgerTable:
    headers = ["序号", "项目代码", "项目名称", "县(市、区)", "乡镇", "建设性质", "重点工程", "滞后原因", "具体情况",
               "预警", "包联领导", "包联部门", "帮办部门"]
    rows = [[i, r["project_id"], r["name"], *_where(r), r["construction_label"], text(r["key_level_label"]),
             "、".join(x["label"] for x in r["reasons"]), ";".join(f"{x['label']}:{x['detail']}" for x in r["reasons"]),
             light(r["light"]), names(r["leaders"]), names(r["lead_units"]), names(r["support_units"])]
            for i, r in enumerate(view["projects"], 1)]
    return _table("lagging", view, headers, rows)


def coverage_ledger(view: dict) -> LedgerTable:
    headers = ["序号", "项目代码", "项目名称", "县(市、区)", "乡镇", "重点工程级别", "包联领导", "包联部门", "帮办部门",
               "双包联情况"]
    rows = [[i, r["project_id"], r["name"], *_where(r), r["key_level_label"], names(r["leaders"]),
             names(r["lead_units"]), names(r["support_units"]), r["missing_label"] or "齐全"]
            for i, r in enumerate(view["projects"], 1)]
    return _table("coverage", view, headers, rows, light_header=None)


def weekly_ledger(view: dict) -> LedgerTable:
    headers = ["分类", "名称", "应办", "已办结", "办理中", "超期未办结", "本周办结", "本周新增超期"]
    rows = []
    for key, group_name in (("by_procedure", "按手续"), ("by_level", "按办理层级")):
        label_key = "procedure_label" if key == "by_procedure" else "level_label"
        for g in view[key]:
            rows.append([group_name, g[label_key], g["total"], g["approved"], g["pending"], g["overdue"],
                         g["approved_this_week"], g["overdue_this_week"]])
    changes = view["changes"]
    rows.append(["合计", "", view["total"], view["approved"], view["pending"], view["overdue"],
                 len(changes["approved"]), len(changes["became_overdue"])])
    title = f"{_place(view)}前期手续办理情况表({view['week']['from']}至{view['friday']})"
    return _table("procedures-weekly", view, headers, rows, light_header=None, title=title)


def board_ledger(view: dict) -> LedgerTable:
    kinds = view["kinds"]
    headers = ["县(市、区)"] + (["乡镇"] if view["by"] == "township" else []) + [
        f"{label}{light_name}" for label in kinds.values() for light_name in ("红灯", "黄灯", "绿灯", "无灯")]

    def counts(group: dict) -> list[int]:
        return [group[kind][c] for kind in kinds for c in ("red", "yellow", "green", "none")]

    rows = [[r["region_name"]] + ([text(r.get("township"))] if view["by"] == "township" else []) + counts(r)
            for r in view["rows"]]
    rows.append(["合计"] + ([""] if view["by"] == "township" else []) + counts(view["totals"]))
    return _table("lights", view, headers, rows, light_header=None)


def stage_ledger(view: dict) -> LedgerTable:
    headers = ["项目代码", "项目名称", "县(市、区)", "乡镇", "项目阶段", "所处阶段起始日期", "建设性质", "提示"]
    rows = [[p["project_id"], p["name"], *_where(p), STAGE_LABELS.get(p["stage"], p["label"]), p["since"],
             CONSTRUCTION_LABELS.get(p["construction"], ""), "、".join(p["flag_labels"])] for p in view["projects"]]
    return _table("stage", view, headers, rows, light_header=None)


DOSSIER_STATUS = {"counts": "有效", "retracted": "已撤回", "superseded": "已更正", "retraction": "撤回声明"}
# A payload as people read it: field names and coded values in Chinese (一项一档's 内容 column).
PAYLOAD_FIELDS = {
    "name": "项目名称", "region": "地区", "township": "乡镇", "village": "行政村", "total_investment": "总投资(万元)",
    "owner": "项目单位", "legal_entity": "法人单位", "origin": "项目来源", "categories": "类别",
    "required_procedures": "所需手续", "location": "位置", "year": "年度", "construction": "建设性质",
    "planned_investment": "年度计划投资(万元)", "planned_start_month": "计划开复工月份",
    "planned_start_dekad": "计划开复工旬", "level": "级别", "investor": "投资方", "agreed_investment": "签约额(万元)",
    "procedure": "手续", "document_no": "文号", "authority": "审批机关", "due_on": "时限", "unit": "单位",
    "leader": "责任领导", "officer": "承办人", "channel": "资金渠道", "amount": "金额(万元)", "month": "月份",
    "reason": "原因", "leader_id": "领导(单位)编号", "leader_name": "姓名(名称)", "title": "职务", "role": "包联角色",
    "problem_id": "问题编号", "category": "问题类别", "description": "问题描述", "satisfied": "企业满意",
    "figure": "指标", "by": "节点", "target": "目标", "retracted_event_id": "撤回事件",
}
PAYLOAD_VALUES: dict[str, Callable[[Any, dict], str]] = {
    "region": lambda v, _: region_label(v),
    "origin": lambda v, _: ORIGIN_LABELS.get(v, v),
    "categories": lambda v, _: "、".join(CATEGORY_LABELS.get(c, c) for c in v),
    "required_procedures": lambda v, _: "、".join(PROCEDURE_LABELS.get(c, c) for c in v),
    "procedure": lambda v, _: PROCEDURE_LABELS.get(v, v),
    "construction": lambda v, _: CONSTRUCTION_LABELS.get(v, v),
    "planned_start_dekad": lambda v, _: DEKAD_LABELS.get(v, str(v)),
    "level": lambda v, p: (PROCEDURE_LEVEL_LABELS if "procedure" in p else ESCALATION_LEVEL_LABELS
                           if "problem_id" in p else KEY_LEVEL_LABELS).get(v, v),
    "channel": lambda v, _: FUNDING_CHANNEL_LABELS.get(v, v),
    "role": lambda v, _: LEADER_ROLE_LABELS.get(v, v),
    "figure": lambda v, _: FIGURE_LABELS.get(v, v),
    "by": lambda v, _: MILESTONE_LABELS.get(v, v),
    "location": lambda v, _: f"经度{v['lng']} 纬度{v['lat']}",
}


def payload_text(payload: dict) -> str:
    """`项目名称=…;建设性质=新建;…` — absent (null) fields left out, booleans 是/否."""
    parts = []
    for key, value in payload.items():
        if value is None:
            continue
        if isinstance(value, bool):
            shown = yes_no(value)
        elif key in PAYLOAD_VALUES:
            shown = PAYLOAD_VALUES[key](value, payload)
        else:
            shown = value if isinstance(value, str) else orjson.dumps(value).decode()
        parts.append(f"{PAYLOAD_FIELDS.get(key, key)}={shown}")
    return ";".join(parts)


def dossier_ledger(result: dict) -> LedgerTable:
    headers = ["发生日期", "登记时间", "报送部门", "事项", "事件类型", "事件编号", "状态", "撤回事件", "撤回原因",
               "被更正为", "内容"]
    rows = [[e["occurred_on"], e["recorded_at"][:19].replace("T", " "), DEPARTMENT_LABELS.get(e["department"],
                                                                                             e["department"]),
             e["label"], e["event_type"], e["event_id"], DOSSIER_STATUS.get(e["status"], e["status"]),
             (e["retracted_by"] or {}).get("event_id", ""), (e["retracted_by"] or {}).get("reason", ""),
             text(e["superseded_by"]), payload_text(e["payload"])] for e in result["facts"]]
    project = result.get("project") or {}
    title = f"一项一档 {result['project_id']} {project.get('name', '')}".rstrip()
    return LedgerTable("dossier", title, f"日期:{result['on']}  数据截至:{result['as_of'][:19].replace('T', ' ')}",
                       headers, rows, None)


BUILDERS: dict[str, Callable[[dict], LedgerTable]] = {
    "starts": starts_ledger, "procedures": procedures_ledger, "stats-entry": stats_entry_ledger,
    "problems": problems_ledger, "leaders": leaders_ledger, "funding": funding_ledger,
    "lagging": lagging_ledger, "coverage": coverage_ledger, "procedures-weekly": weekly_ledger,
    "lights": board_ledger, "stage": stage_ledger, "dossier": dossier_ledger,
}


def ledger_table(kind: str, view: dict) -> LedgerTable:
    return BUILDERS[kind](view)


# ---- writing ---------------------------------------------------------------------------------
def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    return str(value)


def csv_text(table: LedgerTable, newline: str = "\n") -> str:
    """The table as CSV text starting with a BOM: a header row and the rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(table.headers)
    writer.writerows([_cell(v) for v in row] for row in table.rows)
    return BOM + out.getvalue()


def csv_bytes(table: LedgerTable) -> bytes:
    """A .csv file's bytes: UTF-8 with BOM, CRLF line ends (what Excel writes)."""
    return csv_text(table, "\r\n").encode("utf-8")


def file_name(table: LedgerTable, view: dict, suffix: str) -> str:
    """阳城县_开复工台账_2025Q1.csv (the period, or the date)."""
    return f"{_place(view)}_{table.name}_{view.get('period') or view['on']}{suffix}"


def xlsx_bytes(table: LedgerTable) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.xlsx"
        write(table, path)
        return path.read_bytes()


def write(table: LedgerTable, path: Path) -> Path:
    """Write the table to `path` by its suffix: .csv here, .xlsx through the xlsx writer."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        path.write_bytes(csv_bytes(table))
        return path
    if suffix == ".xlsx":
        from services.entry.render.xlsx import write_table

        write_table(path, table.title, table.subtitle, table.headers, table.rows, light_column=table.lights_column,
                    sheet_name=table.title[:31])
        return path
    raise ValueError(f"a ledger is written as .csv or .xlsx, not {path.suffix or 'a file without suffix'!r}")

