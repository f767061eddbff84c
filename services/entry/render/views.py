"""Readable tables and CSV for the views (入库纳统, 领导包联, 问题闭环, 一项一档, stages)."""
from __future__ import annotations

import orjson

from services.entry.render.tables import csv_text, percent, table


def _flags(labels: list[str]) -> str:
    return "、".join(labels)


def _head(view: dict, title: str) -> str:
    return f"{title}  地区 region {view['region']}  日期 on {view['on']}  数据截至 as of {view['as_of']}\n"


# ---- 项目阶段 -----------------------------------------------------------------------------------
STAGE_HEADERS = ["project_id", "name", "region", "township", "stage", "label", "since", "construction", "flags"]


def stage_rows(view: dict) -> list[list]:
    return [[p["project_id"], p["name"], p["region"], p["township"] or "", p["stage"], p["label"], p["since"],
             p["construction"] or "", _flags(p["flag_labels"])] for p in view["projects"]]


def stage_table(view: dict) -> str:
    counts = "  ".join(f"{k} {v}" for k, v in view["counts"].items())
    rows = [r[:2] + [r[3], r[5], r[6], r[7], r[8]] for r in stage_rows(view)]
    return (_head(view, "项目阶段 stages") + counts + "\n\n"
            + table(["项目代码", "名称", "乡镇", "阶段", "起", "新建/续建", "提示"], rows))


# ---- 入库纳统 -----------------------------------------------------------------------------------
ENTRY_HEADERS = ["project_id", "name", "region", "township", "eligible", "status", "return_reason", "started_on",
                 "submitted_on", "returned_on", "entered_on", "days_waiting", "days_since_start", "reasons"]


def entry_rows(view: dict) -> list[list]:
    return [[p[k] if k != "reasons" else "; ".join(p[k]) for k in ENTRY_HEADERS] for p in view["projects"]]


def entry_table(view: dict) -> str:
    missing = [[r["project_id"], r["name"], r["township"] or "", r["status_label"], r["started_on"] or "",
                str(r["days_since_start"] if r["days_since_start"] is not None else ""),
                str(r["days_waiting"] if r["days_waiting"] is not None else ""), r["return_reason"] or ""]
               for r in view["not_entered"]]
    counts = [[g["region"], g.get("township") or "", str(g["eligible"]), str(g["entered"]), str(g["not_entered"]),
               str(g["submitted"]), str(g["returned"])] for g in view["by_township"]]
    return (_head(view, "入库纳统 statistical entry")
            + "\n应统未统 eligible, not entered (oldest first)\n"
            + (table(["项目代码", "名称", "乡镇", "状态", "开工", "开工天数", "等待天数", "退回原因"], missing,
                     right={5, 6}) if missing else "  (none)")
            + "\n\n按乡镇 by township\n"
            + table(["县", "乡镇", "应统", "已入库", "未入库", "待审", "退回"], counts, right={2, 3, 4, 5, 6}))


# ---- 领导包联 -----------------------------------------------------------------------------------
LEADER_HEADERS = ["leader_id", "leader_name", "title", "project_id", "name", "stage", "planned_investment",
                  "completed_investment", "completion_rate", "pace", "ahead_of_pace", "missing_procedures",
                  "open_problems", "overdue_problems", "visits_this_month", "visited_this_month"]


def leader_rows(view: dict) -> list[list]:
    rows = []
    for leader in view["leaders"]:
        for p in leader["projects"]:
            rows.append([leader["leader_id"], leader["leader_name"], leader["title"], p["project_id"], p["name"],
                         p["stage"], p["planned_investment"], p["completed_investment"], p["completion_rate"],
                         p["pace"], p["ahead_of_pace"], " ".join(p["missing_procedures"]), len(p["open_problems"]),
                         sum(1 for q in p["open_problems"] if q["overdue"]), " ".join(p["visits_this_month"]),
                         p["visited_this_month"]])
    return rows


def leader_table(view: dict) -> str:
    parts = [_head(view, f"领导包联 leaders ({view['month']})")]
    for leader in view["leaders"]:
        flag = "  ⚠ 本月未到现场 not visited: " + " ".join(leader["unvisited_this_month"]) if leader["flagged"] else ""
        parts.append(f"{leader['leader_name']} {leader['title']} ({leader['leader_id']}){flag}")
        rows = [[p["project_id"], p["name"], p["stage_label"], p["completed_investment"],
                 p["planned_investment"] or "", percent(p["completion_rate"], ""), percent(p["pace"], ""),
                 " ".join(p["missing_procedures"]),
                 f"{len(p['open_problems'])}/{sum(1 for q in p['open_problems'] if q['overdue'])}",
                 " ".join(p["visits_this_month"]) or "—"] for p in leader["projects"]]
        parts.append(table(["项目代码", "名称", "阶段", "完成投资", "计划投资", "完成率", "序时", "缺手续",
                            "问题/超期", "本月调度"], rows, right={3, 4, 5, 6}) + "\n")
    return "\n".join(parts)


# ---- 问题闭环 -----------------------------------------------------------------------------------
PROBLEM_HEADERS = ["project_id", "problem_id", "category", "unit", "raised_on", "due_on", "status", "open",
                   "days_to_due", "near_deadline", "overdue", "days_overdue", "escalation_level", "due_level",
                   "escalation_candidate", "closed_on", "days_to_close", "closed_on_time"]


def problem_rows(view: dict) -> list[list]:
    return [[p[k] for k in PROBLEM_HEADERS] for p in view["problems"]]


def problem_table(view: dict) -> str:
    from projections.views.problems import LEVEL_LABELS

    c = view["closure"]
    head = (_head(view, f"问题闭环 problems (policy {view['policy']['name']}, 提醒 {view['policy']['remind_days']} 天)")
            + f"未销号 open {view['open']}  按期办结率 on time {percent(c['on_time_rate'], '')} "
              f"({c['closed_on_time']}/{c['due']})  平均办结天数 mean days to close {c['mean_days_to_close'] or '—'}\n"
            + "按单位 by unit: " + "  ".join(f"{k or '—'} {v}" for k, v in view["open_by_unit"].items()) + "\n"
            + "按类别 by category: " + "  ".join(f"{k or '—'} {v}" for k, v in view["open_by_category"].items()) + "\n")

    def rows(items):
        return [[r["problem_id"], r["project_name"], r["category"] or "", r["unit"] or "", r["due_on"] or "",
                 str(r["days_to_due"] if not r["overdue"] else -r["days_overdue"]),
                 LEVEL_LABELS.get(r["escalation_level"], ""), LEVEL_LABELS.get(r["due_level"], "")] for r in items]

    headers = ["问题", "项目", "类别", "责任单位", "期限", "剩余天数", "已督办", "应处置"]
    near = table(headers, rows(view["near_deadline"]), right={5}) if view["near_deadline"] else "  (none)"
    late = table(headers, rows(view["overdue"]), right={5}) if view["overdue"] else "  (none)"
    return head + "\n临近期限 提醒 near deadline\n" + near + "\n\n超期 帮办/督办 overdue\n" + late


# ---- 一项一档 -----------------------------------------------------------------------------------
DOSSIER_HEADERS = ["occurred_on", "recorded_at", "department", "event_type", "label", "event_id", "status",
                   "retracted_by", "superseded_by", "payload"]


def dossier_rows(result: dict) -> list[list]:
    return [[e["occurred_on"], e["recorded_at"], e["department"], e["event_type"], e["label"], e["event_id"],
             e["status"], (e["retracted_by"] or {}).get("event_id", ""), e["superseded_by"] or "",
             orjson.dumps(e["payload"]).decode()] for e in result["facts"]]


def dossier_table(result: dict) -> str:
    project = result["project"]
    name = f"{project['name']} ({project['region']} {project['township'] or ''})" if project else "(not registered)"
    lines = [f"一项一档 {result['project_id']} {name}  日期 on {result['on']}  数据截至 as of {result['as_of']}"]
    if result["stage"]:
        stage = result["stage"]
        lines.append(f"阶段 stage {stage['label']} {stage['stage']} since {stage['since']}"
                     + (f"  ({_flags(stage['flag_labels'])})" if stage["flags"] else ""))
        lines.append("阶段历程 timeline: " + " → ".join(f"{s['label']} {s['on']}" for s in stage["timeline"]))
    lines.append("")
    rows = []
    for e in result["facts"]:
        status = {"counts": "", "retraction": "撤回"}.get(e["status"], e["status"])
        rows.append([e["occurred_on"], e["recorded_at"][:19], e["department"], e["label"] or e["event_type"],
                     _summary(e["payload"]), e["event_id"][:8], status])
        if e["retracted_by"]:
            r = e["retracted_by"]
            rows.append(["", r["recorded_at"][:19], "", "  ↳ 已撤回 retracted", r["reason"], r["event_id"][:8], ""])
        if e["superseded_by"]:
            rows.append(["", "", "", "  ↳ 已更正 superseded by", "", e["superseded_by"][:8], ""])
    lines.append(table(["发生日期", "登记时间", "部门", "事项", "内容", "事件", "状态"], rows))
    return "\n".join(lines)


def _summary(payload: dict) -> str:
    text = ", ".join(f"{k}={v}" for k, v in payload.items() if k not in {"required_procedures", "categories"})
    return text if len(text) <= 60 else text[:57] + "…"


CSV = {
    "stage": (STAGE_HEADERS, stage_rows), "stats-entry": (ENTRY_HEADERS, entry_rows),
    "leaders": (LEADER_HEADERS, leader_rows), "problems": (PROBLEM_HEADERS, problem_rows),
    "dossier": (DOSSIER_HEADERS, dossier_rows),
}
TABLES = {"stage": stage_table, "stats-entry": entry_table, "leaders": leader_table, "problems": problem_table,
          "dossier": dossier_table}


def render(kind: str, result: dict, fmt: str) -> str:
    from services.entry.render.tables import dumps

    if fmt == "json":
        return dumps(result)
    if fmt == "csv":
        headers, rows = CSV[kind]
        return csv_text(headers, [["" if v is None else v for v in row] for row in rows(result)]).rstrip("\n")
    return TABLES[kind](result)
