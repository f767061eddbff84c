"""Readable tables and CSV for the views (入库纳统, 领导包联, 问题闭环, 一项一档, stages). The CSV is
the views' 台账 (services/entry/render/ledgers.py): UTF-8 with a BOM, Chinese headers and values."""
from __future__ import annotations

from projections.names import CONSTRUCTION_LABELS, STAGE_LABELS, region_label
from services.entry.render.tables import percent, table


def _flags(labels: list[str]) -> str:
    return "、".join(labels)


def _head(view: dict, title: str) -> str:
    return (f"{title}  地区 region {region_label(view['region'])} ({view['region']})  日期 on {view['on']}  "
            f"数据截至 as of {view['as_of']}\n")


# ---- 项目阶段 -----------------------------------------------------------------------------------
def stage_table(view: dict) -> str:
    counts = "  ".join(f"{STAGE_LABELS.get(k, k)} {v}" for k, v in view["counts"].items())
    rows = [[p["project_id"], p["name"], p["township"] or "", p["label"], p["since"],
             CONSTRUCTION_LABELS.get(p["construction"], ""), _flags(p["flag_labels"])] for p in view["projects"]]
    return (_head(view, "项目阶段 stages") + counts + "\n\n"
            + table(["项目代码", "名称", "乡镇", "阶段", "起", "新建/续建", "提示"], rows))


# ---- 入库纳统 -----------------------------------------------------------------------------------
def entry_table(view: dict) -> str:
    missing = [[r["project_id"], r["name"], r["township"] or "", r["status_label"], r["started_on"] or "",
                str(r["days_since_start"] if r["days_since_start"] is not None else ""),
                str(r["days_waiting"] if r["days_waiting"] is not None else ""), r["return_reason"] or ""]
               for r in view["not_entered"]]
    counts = [[region_label(g["region"]), g.get("township") or "", str(g["eligible"]), str(g["entered"]), str(g["not_entered"]),
               str(g["submitted"]), str(g["returned"])] for g in view["by_township"]]
    return (_head(view, "入库纳统 statistical entry")
            + "\n应统未统 eligible, not entered (oldest first)\n"
            + (table(["项目代码", "名称", "乡镇", "状态", "开工", "开工天数", "等待天数", "退回原因"], missing,
                     right={5, 6}) if missing else "  (none)")
            + "\n\n按乡镇 by township\n"
            + table(["县", "乡镇", "应统", "已入库", "未入库", "待审", "退回"], counts, right={2, 3, 4, 5, 6}))


# ---- 领导包联 -----------------------------------------------------------------------------------
def leader_table(view: dict) -> str:
    days = view.get("visit_interval_days", 30)
    parts = [_head(view, f"领导包联 leaders ({view['month']}, 调度间隔 {days} 天)")]
    for leader in view["leaders"]:
        flag = f"  ⚠ {days}天内未到现场 not visited within {days} days: " + " ".join(leader["unvisited"]) \
            if leader["flagged"] else ""
        parts.append(f"{leader['leader_name']} {leader['title']} ({leader['leader_id']}){flag}")
        rows = [[p["project_id"], p["name"], p["stage_label"], p["completed_investment"],
                 p["planned_investment"] or "", percent(p["completion_rate"], ""), percent(p["pace"], ""),
                 " ".join(p["missing_procedures"]),
                 f"{len(p['open_problems'])}/{sum(1 for q in p['open_problems'] if q['overdue'])}",
                 p["last_visit_on"] or "—"] for p in leader["projects"]]
        parts.append(table(["项目代码", "名称", "阶段", "完成投资", "计划投资", "完成率", "序时", "缺手续",
                            "问题/超期", "最近到现场"], rows, right={3, 4, 5, 6}) + "\n")
    if view.get("units"):
        parts.append("包联部门 / 帮办部门 units")
        parts.append(table(["单位", "角色", "项目"], [[u["unit_name"], u["role_label"],
                                                      " ".join(p["project_id"] for p in u["projects"])]
                                                     for u in view["units"]]))
    return "\n".join(parts)


# ---- 问题闭环 -----------------------------------------------------------------------------------
def problem_table(view: dict) -> str:
    """Every open problem, in three groups that add up to the open count: overdue, near the deadline,
    the rest (in hand)."""
    from projections.views.problems import LEVEL_LABELS

    c = view["closure"]
    open_rows = [r for r in view["problems"] if r["open"]]
    late = view["overdue"]
    near = [r for r in view["near_deadline"] if not r["overdue"]]
    listed = {r["problem_id"] + r["project_id"] for r in late + near}
    rest = [r for r in open_rows if r["problem_id"] + r["project_id"] not in listed]
    policy = view["policy"]
    head = (_head(view, f"问题闭环 problems (policy {policy['name']}, 提醒 {policy['remind_days']} 天)")
            + f"未销号 open {view['open']} = 超期 {len(late)} + 临近期限 {len(near)} + 其他办理中 {len(rest)}  "
              f"按期办结率 on time {percent(c['on_time_rate'], '')} "
              f"({c['closed_on_time']}/{c['due']})  平均办结天数 mean days to close {c['mean_days_to_close'] or '—'}\n"
            + "按单位 by unit: " + "  ".join(f"{k or '—'} {v}" for k, v in view["open_by_unit"].items()) + "\n"
            + "按类别 by category: " + "  ".join(f"{k or '—'} {v}" for k, v in view["open_by_category"].items()) + "\n")

    def rows(items):
        out = []
        for r in items:
            handling = r.get("handling")
            settle = handling["milestones"][-1] if handling else None
            out.append([r["problem_id"], r["project_name"], r["category"] or "", r["unit"] or "", r["due_on"] or "",
                        str(r["days_to_due"] if not r["overdue"] else -r["days_overdue"]) if r["due_on"] else "",
                        r.get("status_label", r["status"]), LEVEL_LABELS.get(r["escalation_level"], ""),
                        LEVEL_LABELS.get(r["due_level"], "")]
                       + ([f"{settle['label']} {settle['due_on']} {settle['status_label']}" if settle else "未交办"]
                          if policy.get("handling") else []))
        return out

    headers = ["问题", "项目", "类别", "责任单位", "期限", "剩余天数", "状态", "已督办", "应处置"] + (
        ["13710办结"] if policy.get("handling") else [])

    def section(items):
        return table(headers, rows(items), right={5}) if items else "  (无 none)"

    return (head + "\n超期 帮办/督办 overdue\n" + section(late) + "\n\n临近期限 提醒 near deadline\n" + section(near)
            + "\n\n其他办理中 other open\n" + section(rest))


# ---- 一项一档 -----------------------------------------------------------------------------------
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


TABLES = {"stage": stage_table, "stats-entry": entry_table, "leaders": leader_table, "problems": problem_table,
          "dossier": dossier_table}


def render(kind: str, result: dict, fmt: str) -> str | bytes:
    """The view as text (a table, CSV) or as the JSON's bytes (json_bytes: newline included)."""
    from services.entry.render.tables import json_bytes

    if fmt == "json":
        return json_bytes(result)
    if fmt == "csv":
        from services.entry.render.ledgers import csv_text, ledger_table

        return csv_text(ledger_table(kind, result)).rstrip("\n")
    return TABLES[kind](result)
