"""What each view reads: the fact types its fold looks at (`ProjectFacts.of`). The queries load only
these (and the retractions, which the loading always brings), so a city's or a province's view does
not decode every investment report and site visit it never reads. Declared here, once per view;
tests/unit/projections/views/test_reads.py holds every view equal on all facts and on these, and
checks that no fold looks at a type its view does not declare."""
from __future__ import annotations

REGISTRATION = frozenset({"ProjectRegistered", "AnnualPlanAdopted", "KeyProjectDesignated"})
CONTACTS = frozenset({"LeaderAssigned", "LeaderReleased"})
CONSTRUCTION = frozenset({"ConstructionStarted", "ConstructionResumed"})
STAGE = REGISTRATION | CONSTRUCTION | {"AgreementSigned", "ProjectLanded", "ProcedureApproved", "DesignOutputReached",
                                       "ProductionStarted", "ProjectCompleted"}
STATS_ENTRY = REGISTRATION | CONSTRUCTION | {"StatsEntrySubmitted", "StatsEntryApproved", "StatsEntryReturned"}
PROBLEMS = REGISTRATION | {"ProblemRaised", "ProblemAssigned", "ProblemFollowedUp", "ProblemEscalated",
                           "ProblemResolved"}
STARTS = REGISTRATION | CONSTRUCTION | CONTACTS
PROCEDURES = REGISTRATION | CONTACTS | {"ProcedurePlanned", "ProcedureApproved"}
COVERAGE = REGISTRATION | CONTACTS
FUNDING = REGISTRATION | {"FundingSecured"}
BOARD = STARTS | PROCEDURES | STATS_ENTRY
LEADERS = STAGE | PROBLEMS | CONTACTS | {"InvestmentReported", "SiteVisitRecorded"}
# 滞后项目 reads no stage and no site visit: its reasons are 开复工, 序时 (investment), 入库纳统, problems and
# procedures, its people the 包联 assignments (a province's visits are a third of its facts).
LAGGING = BOARD | PROBLEMS | {"InvestmentReported"}

VIEWS: dict[str, frozenset[str]] = {
    "stage": STAGE, "stats-entry": STATS_ENTRY, "problems": PROBLEMS, "starts": STARTS,
    "procedures": PROCEDURES, "procedures-weekly": PROCEDURES, "coverage": COVERAGE, "funding": FUNDING,
    "board": BOARD, "leaders": LEADERS, "lagging": LAGGING,
}
