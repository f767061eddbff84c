"""The desk's views as people read them in a terminal (`--format table`), as JSON (`--format json`,
the HTTP answer) or as CSV (`--format csv`: the view's 台账, services/entry/render/ledgers.py)."""
from __future__ import annotations

from projections.views.lights import LIGHT_LABELS
from services.entry.render.ledgers import LedgerTable, csv_text, ledger_table
from services.entry.render.tables import json_bytes, table

_LIGHTS = ("red", "yellow", "green", "none")


def _pick(ledger: LedgerTable, headers: list[str], limit: int | None = None) -> str:
    index = [ledger.headers.index(h) for h in headers]
    rows = [[str(row[i]) for i in index] for row in ledger.rows[:limit]]
    more = f"\n  … 共 {len(ledger.rows)} 行, 仅列前 {limit} 行 (--format csv 得全部)" if limit and len(ledger.rows) > limit \
        else ""
    return (table(headers, rows) if rows else "  (无 none)") + more


def _lights(counts: dict) -> str:
    return "  ".join(f"{LIGHT_LABELS.get(k, '无灯')} {counts[k]}" for k in _LIGHTS)


def _head(view: dict, ledger: LedgerTable) -> str:
    return f"{ledger.title}\n{ledger.subtitle}\n"


def starts_text(view: dict) -> str:
    ledger = ledger_table("starts", view)
    c, d = view["counts"], view["due_start"]
    summary = (f"按期 {c['on_time']}  逾期开复工 {c['late']}  逾期未开复工 {c['due_not_started']}  未到计划时间 "
               f"{c['not_yet_due']}  未定时间 {c['unscheduled'] + c['done_unscheduled']}\n"
               f"按计划开复工: 到期 {d['due']} 个, 已开复工 {d['done']} 个  |  {_lights(view['lights'])}\n")
    return _head(view, ledger) + summary + "\n" + _pick(ledger, [
        "项目代码", "项目名称", "乡镇", "建设性质", "计划开复工时间", "实际开复工日期", "状态", "逾期天数", "预警", "包联领导",
        "包联部门"])


def procedures_text(view: dict) -> str:
    ledger = ledger_table("procedures", view)
    c = view["completion"]
    summary = (f"共 {view['total']} 项: 已办结 {view['approved']}  办理中 {view['pending']}  超期未办结 {view['overdue']}"
               f"  |  新建项目必需手续办结 {c['approved']}/{c['required']}  |  {_lights(view['lights'])}\n")
    overdue = ledger_table("procedures", {**view, "procedures": view["overdue_list"]})  # most overdue first
    columns = ["项目代码", "项目名称", "手续名称", "办理层级", "办结时限", "承办单位", "责任领导", "承办人", "办理状态",
               "超期天数", "预警"]
    return (_head(view, ledger) + summary + "\n超期清单 overdue\n" + _pick(overdue, columns)
            + "\n\n全部 all\n" + _pick(ledger, columns))


def weekly_text(view: dict) -> str:
    ledger = ledger_table("procedures-weekly", view)
    changes = view["changes"]
    lines = [_head(view, ledger), table(ledger.headers, [[str(v) for v in row] for row in ledger.rows]), ""]
    for key, title in (("approved", "本周办结"), ("became_overdue", "本周新增超期"), ("listed", "本周新列入清单"),
                       ("due_moved", "本周调整时限")):
        items = changes[key]
        lines.append(f"{title} ({len(items)})")
        for r in items:
            extra = (f"{r['approved_on']} {r['document_no'] or ''}" if key == "approved" else
                     f"{r['previous_due_on']} → {r['due_on']}" if key == "due_moved" else f"时限 {r['due_on']}")
            lines.append(f"  {r['project_id']} {r['name']} {r['procedure_label']} {extra}")
    return "\n".join(lines)


def lagging_text(view: dict) -> str:
    ledger = ledger_table("lagging", view)
    reasons = "  ".join(f"{view['reason_labels'][k]} {v}" for k, v in view["by_reason"].items())
    return (_head(view, ledger) + f"滞后项目 {view['count']} 个  |  {reasons}  |  {_lights(view['lights'])}\n\n"
            + _pick(ledger, ["项目代码", "项目名称", "乡镇", "滞后原因", "预警", "包联领导", "包联部门"]))


def coverage_text(view: dict) -> str:
    ledger = ledger_table("coverage", view)
    missing = ledger_table("coverage", {**view, "projects": view["missing"]})
    by_level = "  ".join(f"{g['key_level_label']} {g['complete']}/{g['key_projects']}" for g in view["by_level"])
    return (_head(view, ledger) + f"重点工程 {view['key_projects']} 个, 双包联齐全 {view['complete']} 个; "
            f"缺包联领导 {view['missing_leader']}  缺包联部门 {view['missing_lead_unit']}  都缺 {view['missing_both']}"
            f"  |  {by_level}\n\n" + _pick(missing, ["项目代码", "项目名称", "乡镇", "重点工程级别", "包联领导", "包联部门",
                                                    "双包联情况"]))


def funding_text(view: dict) -> str:
    ledger = ledger_table("funding", view)
    return _head(view, ledger) + "\n" + table(ledger.headers[1:], [[str(v) for v in row[1:]] for row in ledger.rows],
                                              right={7})


def board_text(view: dict) -> str:
    ledger = ledger_table("lights", view)
    return _head(view, ledger) + "\n" + table(ledger.headers, [[str(v) for v in row] for row in ledger.rows])


TEXT = {"starts": starts_text, "procedures": procedures_text, "procedures-weekly": weekly_text,
        "lagging": lagging_text, "coverage": coverage_text, "funding": funding_text, "lights": board_text}


def render(kind: str, view: dict, fmt: str) -> str | bytes:
    """The view as text (a table, CSV) or as the JSON's bytes (json_bytes: newline included)."""
    if fmt == "json":
        return json_bytes(view)
    if fmt == "csv":
        return csv_text(ledger_table(kind, view)).rstrip("\n")
    return TEXT[kind](view)
