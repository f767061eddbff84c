"""一项一档: every fact of one project, in business order, with when it became known and who said
it. Retractions and supersessions stand beside what they replaced: nothing is updated in place.

Supersession: an amendment (ProjectRegistered, AnnualPlanAdopted or KeyProjectDesignated of one
year, ProcedurePlanned of one procedure) is replaced by the next version in version order; an
InvestmentReported by the next report recorded for the same month; a ProblemAssigned by the next
assignment recorded for the problem.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterable

from projections.facts import RECORDED_ORDER, VERSION_ORDER, Fact
from projections.ledger import RETRACTION, fold_all
from projections.periods import LOCAL
from projections.standing import group_by_project
from projections.views.common import business_key, project_of
from projections.views.leaders import assignments, role_of
from projections.views.stage import project_stage

LABELS = {
    "ProjectRegistered": "项目入库", "AnnualPlanAdopted": "年度计划", "KeyProjectDesignated": "重点工程",
    "AgreementSigned": "招商签约", "ProjectLanded": "项目落地", "ProcedureApproved": "前期手续",
    "ConstructionStarted": "开工", "ConstructionResumed": "复工", "InvestmentReported": "月度完成投资",
    "StatsEntrySubmitted": "入库纳统申报", "StatsEntryApproved": "入库纳统通过", "StatsEntryReturned": "入库纳统退回",
    "ProjectCompleted": "竣工", "ProductionStarted": "投产", "DesignOutputReached": "达效",
    "LeaderAssigned": "领导包联", "LeaderReleased": "解除包联", "SiteVisitRecorded": "领导现场调度",
    "ProblemRaised": "问题收集", "ProblemAssigned": "问题交办", "ProblemResolved": "问题办结",
    "ProblemFollowedUp": "问题回访", "ProblemEscalated": "问题督办", "EventRetracted": "撤回",
    "ProcedurePlanned": "前期手续清单", "FundingSecured": "争取资金",
}
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# event_type -> (key of the facts that replace one another, the order in which they do)
SUPERSEDING: dict[str, tuple[Callable[[Fact], tuple], Callable[[Fact], tuple]]] = {
    "ProjectRegistered": (lambda f: (), VERSION_ORDER),
    "AnnualPlanAdopted": (lambda f: (f.data["year"],), VERSION_ORDER),
    "KeyProjectDesignated": (lambda f: (f.data["year"],), VERSION_ORDER),
    "InvestmentReported": (lambda f: (f.data["year"], f.data["month"]), RECORDED_ORDER),
    "ProblemAssigned": (lambda f: (f.data["problem_id"],), RECORDED_ORDER),
    "ProcedurePlanned": (lambda f: (f.data["procedure"],), VERSION_ORDER),
}


def recorded_at(recorded_us: int) -> str:
    return (EPOCH + timedelta(microseconds=recorded_us)).astimezone(LOCAL).isoformat()


def supersessions(facts: list[Fact]) -> dict[str, str]:
    """event_id -> the event that replaced it, among facts that still count."""
    chains: dict[tuple, list[Fact]] = {}
    for fact in facts:
        rule = SUPERSEDING.get(fact.event_type)
        if rule:
            chains.setdefault((fact.event_type, *rule[0](fact)), []).append(fact)
    replaced: dict[str, str] = {}
    for (event_type, *_), chain in chains.items():
        chain.sort(key=SUPERSEDING[event_type][1])
        for older, newer in zip(chain, chain[1:]):
            replaced[older.event_id] = newer.event_id
    return replaced


def _entry(fact: Fact, retractions: dict[str, Fact], replaced: dict[str, str], replaces: dict[str, list[str]]) -> dict:
    retraction = retractions.get(fact.event_id)
    status = "retraction" if fact.event_type == RETRACTION else (
        "retracted" if retraction else "superseded" if fact.event_id in replaced else "counts")
    return {
        "event_id": fact.event_id, "event_type": fact.event_type, "label": LABELS.get(fact.event_type, ""),
        "occurred_on": fact.occurred_on.isoformat(), "recorded_at": recorded_at(fact.recorded_us),
        "department": fact.department, "payload": fact.data, "status": status,
        "retracted_by": None if retraction is None else {
            "event_id": retraction.event_id, "recorded_at": recorded_at(retraction.recorded_us),
            "reason": retraction.data["reason"]},
        "superseded_by": replaced.get(fact.event_id),
        "supersedes": replaces.get(fact.event_id, []),
    }


def dossier(facts: Iterable[Fact], project_id: str, on: date, as_of_us: int) -> dict:
    """The project's file as of `as_of_us`: all its facts recorded by then, and its stage on `on`."""
    known = [f for f in fold_all(f for f in facts if f.project_id == project_id).facts.values()
             if f.recorded_us <= as_of_us]
    retractions: dict[str, Fact] = {}
    for fact in sorted((f for f in known if f.event_type == RETRACTION), key=RECORDED_ORDER):
        retractions.setdefault(fact.data["retracted_event_id"], fact)
    counting = [f for f in known if f.event_type == RETRACTION or f.event_id not in retractions]
    replaced = supersessions(counting)
    replaces: dict[str, list[str]] = {}
    for old, new in replaced.items():
        replaces.setdefault(new, []).append(old)
    entries = [_entry(f, retractions, replaced, replaces) for f in sorted(known, key=business_key)]
    grouped, _ = group_by_project(counting)
    project = project_of(grouped[project_id], on) if project_id in grouped else None
    return {
        "project_id": project_id,
        "on": on.isoformat(),
        "project": project.header() | {"registration": project.registration.data} if project else None,
        "stage": project_stage(project) if project else None,
        "leaders": [{"leader_id": k, "leader_name": f.data["leader_name"], "title": f.data["title"],
                     "role": role_of(f)} for k, f in sorted(assignments(project).items())] if project else [],
        "counts": {s: sum(1 for e in entries if e["status"] == s)
                   for s in ("counts", "retracted", "superseded", "retraction")},
        "facts": entries,
    }
