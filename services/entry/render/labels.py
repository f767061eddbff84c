"""Chinese words for what the exports show beside the codes: event types, kinds of revision, yes/no.

The figure, department, region … labels live in projections/names.py; the event-type words are the
一项一档's (projections/views/dossier.py), completed here with the types it does not show.
"""
from __future__ import annotations

from projections.names import DEPARTMENT_LABELS
from projections.views.dossier import LABELS as _DOSSIER_LABELS

EVENT_TYPE_LABELS: dict[str, str] = {
    **_DOSSIER_LABELS,
    "TargetSet": "目标设定",
    "ProcedurePlanned": "前期手续计划",
    "FundingSecured": "争取资金",
    "ReportPublished": "报告发布",
}
# services/query/vintages.classify
REVISION_KIND_LABELS: dict[str, str] = {
    "late report": "迟报",
    "correction": "更正",
    "retraction": "撤回",
    "amendment": "变更",
    "new fact": "新增",
}


def event_type_label(event_type: str | None) -> str:
    if event_type is None:
        return ""
    return EVENT_TYPE_LABELS.get(event_type, event_type)


def department_label(department: str | None) -> str:
    if department is None:
        return ""
    return DEPARTMENT_LABELS.get(department, department)


def yes_no(value: bool | None) -> str:
    """是 / 否; nothing where there is nothing to say (no target)."""
    return "" if value is None else ("是" if value else "否")
