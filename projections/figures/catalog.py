"""Every figure, declared once (CONTRACT §3 and §6): its kind and how its numerator and
denominator are formed from the vocabulary (`projections.figures.vocabulary`).

A report, a ranking and `explain` all evaluate these declarations — the first two as totals for a
whole province at once, `explain` as each project's contribution with the events behind it.
Adding a figure is adding a declaration here (and, if it reads a field no figure read before, that
field's column in `columns.PARTS`), and its tests.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from events.types import FIGURE_KINDS, FigureKind
from projections.figures.vocabulary import Evaluation, Side, count, difference, total

RATE, AMOUNT, COUNT = FigureKind.rate, FigureKind.amount, FigureKind.count


@dataclass(frozen=True)
class Figure:
    figure_id: str
    kind: FigureKind
    formula: str  # for people: CONTRACT's wording (explain prints it)
    numerator: Callable[[Evaluation], Side]
    denominator: Callable[[Evaluation], Side] | None = None  # rates only


DECLARATIONS = (
    # ---- §3: the statistician's rates --------------------------------------------------------------
    Figure("new_start_rate", RATE, "新建项目开工率: new projects of Y's plan started in Y ÷ new projects of Y's plan",
           lambda f: count(f.new & f.started_in_window),
           lambda f: count(f.new)),
    Figure("resume_rate", RATE, "续建项目复工率: continuing projects resumed in Y ÷ continuing projects of Y's plan",
           lambda f: count(f.continuing & f.resumed_in_window),
           lambda f: count(f.continuing)),
    Figure("start_or_resume_rate", RATE, "开复工率: (started new + resumed continuing) ÷ (new + continuing)",
           lambda f: count(f.started_or_resumed),
           lambda f: count(f.new | f.continuing)),
    Figure("investment_completion_rate", RATE,
           "年度投资完成率: Σ completed investment of the plan ÷ Σ planned investment of the plan",
           lambda f: total(f.investment_this_year, f.planned),
           lambda f: total(f.planned_investment, f.planned)),
    Figure("signed_same_year_start_rate", RATE, "签约项目当年开工率: signed in Y and started in Y ÷ signed in Y",
           lambda f: count(f.signed_in_window & f.started_in_window),
           lambda f: count(f.signed_in_window)),
    Figure("reserve_conversion_rate", RATE,
           "储备项目开工转化率: in reserve on 1 January and started in Y ÷ in reserve on 1 January",
           lambda f: count(f.reserve_on_first_january & f.started_in_window),
           lambda f: count(f.reserve_on_first_january)),
    Figure("procedure_completion_rate", RATE,
           "前期手续办结率: required procedures approved ÷ required procedures, over new projects of the plan",
           lambda f: total(f.approved_required, f.new, money=False),
           lambda f: total(f.required_procedures, f.new, money=False)),
    Figure("stats_entry_rate", RATE, "入库纳统率: eligible projects approved into the database ÷ eligible projects",
           lambda f: count(f.stats_eligible & f.stats_entered),
           lambda f: count(f.stats_eligible)),
    Figure("investment_growth", RATE,
           "投资增速: (Σ investment Y − Σ investment Y−1) ÷ Σ investment Y−1, months 1..month(through)",
           lambda f: total(difference(f.investment_this_year, f.investment_last_year)),
           lambda f: total(f.investment_last_year)),
    Figure("reserve_multiple", RATE,
           "储备规模倍数: Σ total investment of the reserve ÷ Σ planned investment of Y's plan",
           lambda f: total(f.total_investment, f.reserve_on_day_after),
           lambda f: total(f.planned_investment, f.planned)),
    Figure("problem_on_time_rate", RATE,
           "问题按期办结率: problems closed (satisfied follow-up) by their deadline ÷ problems due in the period",
           lambda f: total(f.problems_closed_on_time, money=False),
           lambda f: total(f.problems_due, money=False)),
    # ---- §6: the campaign's numbers ----------------------------------------------------------------
    Figure("investment_total", AMOUNT, "固定资产投资完成额: Σ investment, months 1..month(through), every project of the set",
           lambda f: total(f.investment_this_year)),
    Figure("investment_share", RATE,
           "投资占比: investment_total of the set ÷ investment_total of the region's projects "
           "(without --level and --category)",
           lambda f: total(f.investment_this_year),
           lambda f: total(f.investment_this_year, over="region")),
    Figure("signed_investment", AMOUNT, "招商签约额: Σ agreed investment of the AgreementSigned in the window",
           lambda f: total(f.signed_amount)),
    Figure("funding_secured", AMOUNT, "争取资金: Σ amount of the FundingSecured in the window",
           lambda f: total(f.funding_amount)),
    Figure("reserve_investment", AMOUNT, "储备库规模: Σ total investment of the projects in reserve on the day after through",
           lambda f: total(f.total_investment, f.reserve_on_day_after)),
    Figure("landing_rate", RATE, "签约项目落地率: projects signed in Y and landed in the window ÷ projects signed in Y",
           lambda f: count(f.signed_in_window & f.landed_in_window),
           lambda f: count(f.signed_in_window)),
    Figure("signed_count", COUNT, "签约: projects with an AgreementSigned in the window",
           lambda f: count(f.signed_in_window)),
    Figure("landed_count", COUNT, "落地: projects with a ProjectLanded in the window",
           lambda f: count(f.landed_in_window)),
    Figure("started_count", COUNT, "开工: projects with a ConstructionStarted in the window (planned or not)",
           lambda f: count(f.started_in_window)),
    Figure("production_count", COUNT, "投产: projects with a ProductionStarted in the window",
           lambda f: count(f.production_in_window)),
    Figure("output_count", COUNT, "达效: projects with a DesignOutputReached in the window",
           lambda f: count(f.output_in_window)),
    Figure("due_start_rate", RATE,
           "按计划开复工率: projects of the plan due to start by through (the planned 旬 or month ended) that "
           "started (new) or resumed (continuing) in Y ÷ those due",
           lambda f: count(f.due & f.started_or_resumed),
           lambda f: count(f.due)),
    Figure("conceived_multiple", RATE,
           "谋划项目总投资倍数: Σ total investment of the projects conceived on the day after through ÷ "
           "Σ planned investment of Y's plan",
           lambda f: total(f.total_investment, f.conceived_on_day_after),
           lambda f: total(f.planned_investment, f.planned)),
    Figure("conceived_count_multiple", RATE,
           "谋划项目数量倍数: projects conceived on the day after through ÷ new projects of Y's plan",
           lambda f: count(f.conceived_on_day_after),
           lambda f: count(f.new)),
    Figure("reserve_to_conceived", RATE,
           "储备占谋划比: Σ total investment of the reserve ÷ Σ total investment of the projects conceived "
           "(both on the day after through)",
           lambda f: total(f.total_investment, f.reserve_on_day_after),
           lambda f: total(f.total_investment, f.conceived_on_day_after)),
)

FIGURES: dict[str, Figure] = {figure.figure_id: figure for figure in DECLARATIONS}
V1_FIGURES = tuple(FIGURES)[:11]  # CONTRACT §3: the report as it was before Part two (format 1)
FORMULAS: dict[str, str] = {fid: figure.formula for fid, figure in FIGURES.items()}
assert {fid: f.kind for fid, f in FIGURES.items()} == dict(FIGURE_KINDS), "events.types.FIGURE_KINDS disagrees"
