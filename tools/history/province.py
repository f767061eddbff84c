"""Province-scale history (全省): Shanxi (14), 11 cities, 117 counties, streamed month by month.

Projects come in two kinds. The *stock* is under construction when the history begins (its
share is what a steady flow leaves on the ground: :func:`stock_share`). The *inflow* is
registered month after month over the years and flows through the pipeline: 谋划 (registered,
nothing approved) → 储备 (a first procedure) → the year's plan with a planned start month and 旬
→ start (on plan, late, or not at all) → completion → production → design output. Some ideas
never get further; some approved projects sit in a plan for a year without starting.

Each project is decided as a handful of dates and amounts (:class:`Project`) — the stock when
the history begins, the inflow a few months before it registers — and its facts are written
month by month. A fact goes into the bucket of the month it is *recorded* in, which is never
earlier than the month being walked (a fact is recorded on or after the day it happened); so
once a month has been walked its bucket is complete, is sorted by ``recorded_at`` and yielded.
A project leaves memory once nothing more will happen to it. Memory holds the projects active
now and the buckets of the next few months, never the whole history: a decade (``DECADE``,
``DECADE_PROJECTS``, over 20 million events) needs no more than three years at the same density.

Catalogue versions follow :data:`tools.history.county.V2_FROM`: registrations, plans and
leader assignments are v1 before it and v2 after it (a v1 registration is sent again in v2,
with its coordinates and 产业 category, when the first plan after it is made); the 前期手续清单
(ProcedurePlanned), 争取资金 (FundingSecured), 双包联 lead units and the v2 targets (month ends,
amounts, counts, townships) begin with it.

Days are proleptic ordinals (``date.toordinal()``) and months are ``year * 12 + month - 1``;
both are turned into strings through tables. Random draws use ``random()`` arithmetic rather
than ``randint``/``choice``, which are several times slower; the default 2.2 million events take
about 35 s.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from operator import itemgetter

from tools.history.county import (
    COMPANY_TRADES,
    COMPANY_WORDS,
    DOCUMENT_PREFIXES,
    FIVE_BATCHES,
    FUNDING_CHANNELS,
    INVESTOR_CITIES,
    MONTHLY_ANCHORS,
    OWNERS,
    PROBLEM_KINDS,
    PROCEDURE_DEPARTMENTS,
    SEASON,
    STATS_RETURN_REASONS,
    TARGETS,
    UNITS,
    SUPPORT_UNITS,
    V2_FROM,
    WORKS,
    YANGCHENG,
    YANGCHENG_LEADER_TITLES,
    YANGCHENG_SITES,
    YANGCHENG_TOWNSHIPS,
    envelope,
    money,
    monthly_targets,
    new_event_id,
    person_name,
    procedure_level,
    project_kind,
    registration_payload,
    required_procedures,
    village_name,
)

# A decade of the province (`python -m tools.history.county province OUT --decade`): some 46,000
# projects under construction at a time (the default three years have some 15,000), over 20
# million events.
DECADE = tuple(range(2016, 2026))
DECADE_PROJECTS = 205000

# city code, name, number of county-level units (Shanxi has 117), approximate centre (WGS-84)
CITIES = (
    ("1401", "太原", 10, (112.55, 37.87)), ("1402", "大同", 10, (113.30, 40.08)),
    ("1403", "阳泉", 5, (113.58, 37.86)), ("1404", "长治", 12, (113.12, 36.20)),
    ("1405", "晋城", 6, (112.85, 35.49)), ("1406", "朔州", 6, (112.43, 39.33)),
    ("1407", "晋中", 11, (112.75, 37.69)), ("1408", "运城", 13, (111.00, 35.03)),
    ("1409", "忻州", 14, (112.73, 38.42)), ("1410", "临汾", 17, (111.52, 36.08)),
    ("1411", "吕梁", 13, (111.14, 37.52)),
)
JINCHENG_COUNTIES = (("140502", "城区", (112.85, 35.50)), ("140521", "沁水县", (112.19, 35.69)),
                     ("140522", "阳城县", (112.42, 35.49)), ("140524", "陵川县", (113.28, 35.78)),
                     ("140525", "泽州县", (112.84, 35.62)), ("140581", "高平市", (112.92, 35.80)))
PLACE_CHARACTERS = "安平和丰宁泉山河清源岚兴石永定古寿昔榆灵襄武屯陵芮稷绛闻喜夏垣浮翼洪霍隰孝交柳方岢保偏代繁原静乐"

# The population.
DURATION = (600, 3000)          # days from start to completion, uniform (big projects take years)
PIPELINE_DAYS = 730             # the inflow begins this long before the first year: the pipeline on 1 January
LOOKAHEAD = 4                   # months: an inflow project is decided this long before it registers
START_SHARE = 0.72              # of the inflow: projects that start (some after the history ends)
APPROVED_SHARE = 0.5            # of the others: obtain procedures (储备); the rest stay 谋划
HOPEFUL_SHARE = 0.5             # of those: in one year's plan as new, never started
SLIP_SHARE = 0.12               # of the starters: planned the year before and not started then
ON_PLAN = 0.72                  # a new project starts by its planned 旬 (else late)
DEKAD_SHARE = 0.7               # plans that name the 旬, not only the month
# Monthly and yearly habits.
VISIT_RATE = 0.9                # a leader visits a project of the year's plan in a month
PROBLEM_RATE = 0.2              # a problem is raised on a project of the plan in a month
LEADER_CHANGE_RATE = 0.04       # per project and year
LEADER_GAP = 0.3                # a released leader's successor named only the next year
LEAD_UNIT_SHARE = 0.95          # key projects given a lead unit (双包联)
SUPPORT_UNIT_SHARE = 0.25       # … and a supporting unit
UPGRADE_SHARE = 0.7             # v1 registrations sent again in v2 with the first plan after V2_FROM
LIST_AMENDMENT_RATE = 0.3       # a missed deadline of the 前期手续清单 pushed back
FUNDING_RATE = 0.3              # a government project of the plan secures funds in a year
INDUSTRY_FUNDING_RATE = 0.04    # … an industry project, provincial money
# Irregularities.
LATE_REPORT_RATE = 0.03         # monthly investment reported weeks after the usual first days
LATE_START_RATE = 0.02          # a start reported weeks late
CORRECTION_RATE = 0.02          # monthly investment superseded by a later report
RETRACTION_RATE = 0.0024        # of retractable events: ≈ 0.2 % of all events
DUPLICATE_RATE = 0.003          # delivered twice
REGISTRATION_AMENDMENT_RATE = 0.012  # per project and year
PLAN_AMENDMENT_RATE = 0.03      # per plan entry
RETRACTION_REASONS = {  # all but a visit are sent again, corrected, with the retraction
    "ConstructionStarted": "开工日期填报错误,已按实际开工日期重新报送",
    "ProcedureApproved": "批复日期录入错误,已重新报送",
    "InvestmentReported": "投资额填报错误,已重新报送",
    "SiteVisitRecorded": "重复录入",
}
RETRACTABLE = frozenset(RETRACTION_REASONS)
SECONDS = [f"T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+08:00" for s in range(8 * 3600 + 1800, 18 * 3600)]
AUTHORITIES = {"approval": "行政审批服务管理局", "natural_resources": "自然资源局", "ecology": "生态环境局",
               "energy": "能源局", "water": "水务局", "housing": "住房和城乡建设局", "industry": "工业和信息化局",
               "culture": "文化和旅游局", "ndrc": "发展和改革局"}
# Which department issues a procedure differs by county (相对集中行政许可权): code → (department,
# weight), drawn once per county; 阳城 keeps the demo's PROCEDURE_DEPARTMENTS.
ISSUER_CHOICES = {
    "approval_filing": (("approval", 9), ("ndrc", 1)),
    "energy_review": (("energy", 6), ("approval", 4)),
    "soil_water": (("approval", 7), ("water", 3)),
    "water_use": (("water", 6), ("approval", 4)),
    "construction_permit": (("approval", 8), ("housing", 2)),
}
TARGET_VARIANTS = {("new_start_rate", "Q1"): ("0.3500", "0.4000", "0.5000"),
                   ("signed_same_year_start_rate", "Y"): ("0.4000", "0.5000"),
                   ("investment_growth", "Y"): ("0.0650", "0.0800", "0.1000")}
MONTHLY_FIGURES = ("new_start_rate", "investment_completion_rate")  # month-end targets every region sets
FUNDING_WEIGHTS = (("central_budget", 25), ("special_bond", 35), ("ultra_long_bond", 15), ("provincial", 15),
                   ("other", 10))
NEVER = 1 << 30


def stock_share(years: int) -> float:
    """The share of the projects already under construction when a history of ``years`` begins:
    what the steady inflow of the years before left on the ground (starts per year × the mean
    duration in years), beside the inflow registered from ``PIPELINE_DAYS`` before the first year."""
    building = START_SHARE * sum(DURATION) / 2 / 365
    return building / (building + years + PIPELINE_DAYS / 365)


class County:
    """A county-level region with its townships (and development zone), leaders, officers, the
    departments that issue its procedures, and where its townships lie."""

    def __init__(self, code: str, name: str, townships: list[str], leaders: list[tuple[str, str, str]],
                 township_leaders: dict[str, list[tuple[str, str, str]]]) -> None:
        self.code, self.name, self.townships = code, name, townships
        self.leaders, self.township_leaders = leaders, township_leaders
        self.serial = 10000  # the demo's 阳城 projects keep the serials below
        self.issuers: dict[str, str] = dict(PROCEDURE_DEPARTMENTS)
        self.officers: dict[str, list[str]] = {}
        self.sites: dict[str, tuple[float, float]] = {}
        self.villages: dict[str, tuple[str, ...]] = {}


class Project:
    """One project's life, decided up front; facts are written from it month by month."""

    __slots__ = (
        "id", "county", "township", "name", "works", "owner", "total", "legal_entity", "origin", "categories",
        "required", "level", "reg_day", "start_day", "done_day", "start_month", "done_month", "version",
        "location", "village", "monthly", "hopeful_year", "slip_year", "milestones", "next_milestone",
        "first_month", "last_month", "leader", "unit", "plan_year", "plan_month", "construction", "planned",
        "resume_month",
    )


class ProvinceHistory:
    """Generates the province history; :meth:`events` streams it."""

    def __init__(self, seed: int, projects: int, years: tuple[int, ...]) -> None:
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.years = frozenset(years)
        self.first_year, self.last_year = min(years), max(years)
        self.window = (date(self.first_year, 1, 1).toordinal(), date(self.last_year, 12, 31).toordinal())
        self.v2_from = V2_FROM.toordinal()
        self.base = date(self.first_year - 12, 1, 1).toordinal()
        self.day_iso, self.month_of = self.calendar(date(self.last_year + 3, 12, 31).toordinal())
        self.counties = self.geography()
        weights = [self.rng.uniform(0.5, 1.5) for _ in self.counties]
        self.cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]
        stock = round(projects * stock_share(self.last_year - self.first_year + 1))
        self.stock = sorted((self.decide_stock() for _ in range(stock)), key=lambda p: p.first_month)
        self.inflow = self.inflow_months(projects - stock)
        self.pending: dict[int, list[Project]] = defaultdict(list)  # first month → decided inflow projects
        self.buckets: dict[int, list[dict]] = defaultdict(list)
        self.problem_serial = 0
        months = range(self.first_year * 12 - 12, self.last_year * 12 + 12)  # from the base year of growth
        self.month_bounds = {m: self.month_days(m) for m in months}
        # What each county (and township) did in a year, for next year's targets.
        self.tallies: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.invested: dict[tuple, int] = {}

    # -- calendar ----------------------------------------------------------------------

    def calendar(self, last: int) -> tuple[list[str], list[int]]:
        days = [date.fromordinal(d) for d in range(self.base, last + 1)]
        return [d.isoformat() for d in days], [d.year * 12 + d.month - 1 for d in days]

    # Draws from ``random()`` alone: several times faster than randint/choice, as deterministic.

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def between(self, first: int, last: int) -> int:
        return first + int(self.random() * (last - first + 1))

    def pick(self, options):
        return options[int(self.random() * len(options))]

    def day(self, first: int, last: int) -> int:
        """A day in [first, last] (``first`` when the range is empty)."""
        return first + int(self.random() * (max(0, last - first) + 1))

    def month_days(self, month: int) -> tuple[int, int]:
        """First and last day of a month."""
        year, m0 = divmod(month, 12)
        first = date(year, m0 + 1, 1).toordinal()
        return first, date(year + (m0 == 11), (m0 + 1) % 12 + 1, 1).toordinal() - 1

    # -- geography ---------------------------------------------------------------------

    def geography(self) -> list[County]:
        counties = []
        for code, _, count, (lng, lat) in CITIES:
            if code == "1405":
                units = JINCHENG_COUNTIES
            else:
                units = [(c, n, (lng + self.rng.uniform(-0.45, 0.45), lat + self.rng.uniform(-0.35, 0.35)))
                         for c, n in self.county_codes(code, count)]
            counties += [self.county(c, name, centre) for c, name, centre in units]
        return counties

    def county_codes(self, city: str, count: int) -> list[tuple[str, str]]:
        districts = max(1, count // 4)
        codes = [f"{city}{2 + i:02d}" for i in range(districts)]
        codes += [f"{city}{21 + i:02d}" for i in range(count - districts - 1)] + [f"{city}81"]
        names = self.rng.sample([a + b for a in PLACE_CHARACTERS for b in PLACE_CHARACTERS if a != b], count)
        return [(c, n + ("区" if c[4:] < "20" else "市" if c[4:] == "81" else "县")) for c, n in zip(codes, names)]

    def county(self, code: str, name: str, centre: tuple[float, float]) -> County:
        rng = self.rng
        if code == YANGCHENG:
            townships = list(YANGCHENG_TOWNSHIPS)
        else:
            names = rng.sample([a + b for a in PLACE_CHARACTERS for b in PLACE_CHARACTERS], self.between(6, 12))
            townships = [n + self.pick("镇镇乡") for n in names] + [f"{name[:2]}经济技术开发区"]
        unit = name[-1]
        leaders = [(f"L{code}-{i + 1:02d}", person_name(rng), title.replace("县", unit))
                   for i, title in enumerate(YANGCHENG_LEADER_TITLES)]
        township_leaders = {}
        for i, t in enumerate(townships):
            heads = ("管委会主任", "管委会副主任") if t.endswith("开发区") else ("党委书记", t[-1] + "长")
            township_leaders[t] = [(f"L{code}-T{i + 1:02d}{k}", person_name(rng), t + head)
                                   for k, head in enumerate(heads, start=1)]
        county = County(code, name, townships, leaders, township_leaders)
        if code != YANGCHENG:
            for procedure, choices in ISSUER_CHOICES.items():
                county.issuers[procedure] = rng.choices([d for d, _ in choices], [w for _, w in choices])[0]
        county.officers = {d: [person_name(rng), person_name(rng)] for d in AUTHORITIES}
        for t in townships:
            if code == YANGCHENG:
                county.sites[t], county.villages[t] = YANGCHENG_SITES[t]
            else:
                county.sites[t] = (centre[0] + rng.uniform(-0.12, 0.12), centre[1] + rng.uniform(-0.1, 0.1))
                county.villages[t] = () if t.endswith("开发区") else tuple(village_name(rng) for _ in range(4))
        return county

    # -- deciding a project ------------------------------------------------------------

    def inflow_months(self, count: int) -> dict[int, int]:
        """How many inflow projects register in each month, evenly from the pipeline's start."""
        first = self.month_of[self.window[0] - PIPELINE_DAYS - self.base]
        last = self.month_of[self.window[1] - 30 - self.base]
        months = last - first + 1
        return {first + i: (i + 1) * count // months - i * count // months for i in range(months)}

    def project(self, reg_day: int) -> Project:
        """Where, what, how big and who: the part of a project every kind shares."""
        rng = self.rng
        p = Project()
        p.county = county = rng.choices(self.counties, cum_weights=self.cumulative)[0]
        p.township = self.pick(county.townships)
        total_wan = min(3_000_000, max(200, int(math.exp(rng.gauss(math.log(6000), 1.3)))))
        p.total = total_wan * 100
        p.legal_entity = self.random() < 0.96
        p.origin = rng.choices(("investment_attraction", "government", "enterprise"), (20, 30, 50))[0]
        p.level = self.level(total_wan)
        p.reg_day = reg_day
        p.version = 2 if reg_day >= self.v2_from else 1
        p.works, p.categories = project_kind(rng, p.origin)
        p.required = required_procedures(rng, p.works, p.version == 2)
        p.location = p.village = None
        if p.version == 2:
            self.place(p)
        county.serial += 1
        p.id = f"{self.day_iso[reg_day - self.base][2:7].replace('-', '')}-{county.code}-04-01-{county.serial:06d}"
        p.name = f"{county.name[:2]}{p.township[:2]}{p.works}项目"
        if not p.legal_entity:
            p.owner = f"{person_name(rng)}(个人投资)"
        elif p.origin == "government":
            p.owner = f"{county.name}{self.pick(('住房和城乡建设局', '交通运输局', '水务局', '教育局'))}"
        else:
            p.owner = f"山西{county.name[:2]}{self.pick(COMPANY_WORDS)}{self.pick(COMPANY_TRADES)}有限公司"
        p.hopeful_year = p.slip_year = None
        p.leader = p.unit = None
        p.plan_year = p.plan_month = p.construction = p.planned = p.resume_month = None
        return p

    def place(self, p: Project) -> None:
        """Coordinates (most v2 registrations) near the township's centre, and a village for many."""
        lng, lat = p.county.sites[p.township]
        if self.random() < 0.75:
            p.location = (f"{lng + (self.random() - 0.5) * 0.06:.6f}", f"{lat + (self.random() - 0.5) * 0.05:.6f}")
        villages = p.county.villages[p.township]
        if villages and self.random() < 0.5:
            p.village = self.pick(villages)

    def decide_stock(self) -> Project:
        """Under construction when the history begins, as the steady inflow leaves it: the longer a
        project takes the likelier it is still building (durations weighted by length), and it is
        anywhere along its way."""
        w0, (shortest, longest) = self.window[0], DURATION
        length = int(math.sqrt(shortest ** 2 + self.random() * (longest ** 2 - shortest ** 2)))
        start = w0 - 1 - self.below(length)
        p = self.project(start - self.between(90, 720))
        p.start_day, p.done_day = start, start + length
        codes = [c for c in p.required if c != "fire_acceptance"]
        days = sorted(self.day(p.reg_day + 5, start - 3) for _ in codes)
        self.schedule(p, list(zip(days, codes)))
        return p

    def decide_inflow(self, reg_day: int) -> Project:
        """Registered during the history (谋划): most start after a first procedure (储备) and a
        plan; some only obtain procedures, some of those sit in a plan without starting; the rest
        stay ideas."""
        p = self.project(reg_day)
        codes = [c for c in p.required if c != "fire_acceptance"]
        if self.random() < START_SHARE:
            lead = self.between(45, 360) if p.origin == "investment_attraction" else self.between(90, 720)
            p.start_day = start = reg_day + lead
            p.done_day = start + self.between(*DURATION)
            codes = codes[: len(codes) - (self.random() < 0.1)]
            first = reg_day + self.between(30, max(30, lead * 7 // 10))
            days = sorted([first] + [self.day(first, start - 3) for _ in codes[1:]])
            if self.random() < SLIP_SHARE:
                p.slip_year = date.fromordinal(start).year - 1
        else:
            p.start_day = p.done_day = None
            if self.random() < APPROVED_SHARE:
                codes = codes[: self.between(1, len(codes))]
                first = reg_day + self.between(30, 500)
                days = sorted([first] + [self.day(first, first + 400) for _ in codes[1:]])
                if self.random() < HOPEFUL_SHARE:
                    p.hopeful_year = date.fromordinal(first + self.between(60, 300)).year
            else:
                codes, days = [], []
        self.schedule(p, list(zip(days, codes)))
        return p

    def level(self, total_wan: int) -> str | None:
        r = self.random()
        if total_wan >= 100_000 and r < 0.2:
            return "province"
        if total_wan >= 20_000 and r < 0.4:
            return "city"
        return "county" if r < 0.25 else None

    def schedule(self, p: Project, approvals: list[tuple[int, str]]) -> None:
        """Dated one-off facts: signing, registration, landing, approvals, start, completion…"""
        w1, reg = self.window[1], p.reg_day
        events = [(reg, "ProjectRegistered", None)]
        events += [(d, "ProcedureApproved", code) for d, code in approvals]
        if p.origin == "investment_attraction":
            events.append((reg - self.between(10, 90), "AgreementSigned", None))
            if self.random() < 0.85:
                events.append((reg + self.between(5, 60), "ProjectLanded", None))
        if p.start_day:
            events.append((p.start_day, "ConstructionStarted", None))
            events.append((p.done_day, "ProjectCompleted", None))
            if "b" in WORKS[p.works][0] and p.done_day >= self.v2_from + 30:  # 消防验收, required or not
                events.append((p.done_day - self.between(3, 12), "ProcedureApproved", "fire_acceptance"))
            if self.random() < 0.65:
                production = p.done_day + self.between(20, 90)
                events.append((production, "ProductionStarted", None))
                if self.random() < 0.5:
                    events.append((production + self.between(90, 360), "DesignOutputReached", None))
        events.sort(key=itemgetter(0))
        p.milestones = [(self.month_of[d - self.base], d, kind, detail) for d, kind, detail in events if d <= w1]
        p.next_milestone = 0
        p.first_month = p.milestones[0][0]
        p.start_month = self.month_of[p.start_day - self.base] if p.start_day and p.start_day <= w1 else NEVER
        done_in_window = p.done_day is not None and p.done_day <= w1
        p.done_month = self.month_of[p.done_day - self.base] if done_in_window else NEVER
        months = max(1, (p.done_day - p.start_day) // 30) if p.start_day else 24
        p.monthly = p.total * 85 // 100 // months
        last = p.milestones[-1][0]
        if p.start_day and not done_in_window or p.start_day and p.start_day > w1:
            p.last_month = NEVER  # still building, or about to start, when the history ends
        elif p.start_day:
            p.last_month = last
        else:  # never starts: gone after its last fact (and the year it sits in a plan)
            year = max(p.hopeful_year or 0, p.slip_year or 0)
            p.last_month = max(last, year * 12 + 11)

    # -- streaming ---------------------------------------------------------------------

    def events(self) -> Iterator[dict]:
        """All events, in recording order, month by month. Before the base year of growth a
        project has only dated facts (registration, approvals, start…): it is visited only in
        the months it has one. From then on every active project is walked every month."""
        last_month = self.last_year * 12 + 11
        walk_from = (self.first_year - 1) * 12
        first_inflow = min(self.inflow, default=NEVER) - LOOKAHEAD
        month = min(self.stock[0].first_month if self.stock else NEVER, first_inflow, walk_from)
        waiting, active, idle = iter(self.stock), [], []
        due: dict[int, list[Project]] = defaultdict(list)  # before walk_from: month of the next fact
        upcoming = next(waiting, None)
        while month <= last_month:
            self.decide_month(month + LOOKAHEAD)
            arriving = []
            while upcoming is not None and upcoming.first_month <= month:
                arriving.append(upcoming)
                upcoming = next(waiting, None)
            arriving += self.pending.pop(month, ())
            if month < walk_from:
                for p in arriving:
                    due[p.first_month].append(p)
                for p in due.pop(month, ()):
                    self.milestones(p, month)
                    if p.next_milestone < len(p.milestones):
                        due[p.milestones[p.next_milestone][0]].append(p)
                    elif p.last_month > month:
                        idle.append(p)
            else:
                if due or idle:
                    active = idle + [p for m in sorted(due) for p in due[m]]
                    due.clear()
                    idle = []
                active += arriving
                if month // 12 in self.years and month % 12 == 0:
                    self.targets(month // 12)
                for p in active:
                    self.walk(p, month)
                active = [p for p in active if p.last_month > month]
            yield from self.flush(month)
            month += 1
        while self.buckets:
            yield from self.flush(min(self.buckets))

    def decide_month(self, month: int) -> None:
        """Decide the inflow projects that register in ``month``; they wait for their first fact."""
        count = self.inflow.pop(month, 0)
        if not count:
            return
        first, last = self.month_days(month)
        first, last = max(first, self.window[0] - PIPELINE_DAYS), min(last, self.window[1] - 30)
        for _ in range(count):
            p = self.decide_inflow(self.day(first, last))
            if p.start_day is not None and p.start_day < self.window[0]:
                continue  # registered before the history and started before it too: that is the stock
            self.pending[p.first_month].append(p)

    def flush(self, month: int) -> list[dict]:
        bucket = self.buckets.pop(month, [])
        bucket.sort(key=itemgetter("recorded_at"))
        return bucket

    def emit(self, event_type: str, project_id: str | None, day: int, recorded: int, payload: dict,
             department: str | None = None, second: int | None = None, version: int = 1) -> dict:
        """Put one event into the bucket of the month it is recorded in; now and then deliver it
        twice, or retract it later."""
        i = recorded - self.base
        if second is None:
            second = self.below(len(SECONDS))
        event = envelope(new_event_id(self.rng), event_type, project_id, self.day_iso[day - self.base],
                         self.day_iso[i] + SECONDS[second], department or OWNERS[event_type], payload, version)
        bucket = self.buckets[self.month_of[i]]
        bucket.append(event)
        chance = self.random()
        if chance < DUPLICATE_RATE:
            bucket.append({**event, "source": dict(event["source"]), "payload": dict(event["payload"])})
        elif chance < DUPLICATE_RATE + RETRACTION_RATE and event_type in RETRACTABLE:
            self.retract(event, day, recorded)
        return event

    def retract(self, event: dict, day: int, recorded: int) -> None:
        """撤回: the owner retracts the event weeks later and, except for a visit, sends it again
        corrected (a start date, an approval, an amount)."""
        when = recorded + self.between(5, 50)
        second = self.below(len(SECONDS) - 120)
        department = event["source"]["department"]
        reason = RETRACTION_REASONS[event["event_type"]]
        payload = {"retracted_event_id": event["event_id"], "reason": reason}
        self.emit("EventRetracted", event["project_id"], when, when, payload, department, second)
        corrected = dict(event["payload"])
        if event["event_type"] == "SiteVisitRecorded":
            return
        if event["event_type"] in ("ConstructionStarted", "ProcedureApproved"):
            day -= self.between(1, 10)
        elif event["event_type"] == "InvestmentReported":
            corrected["amount"] = money(self.cents(corrected["amount"]) * self.between(50, 95) // 100)
        self.emit(event["event_type"], event["project_id"], day, when, corrected, department, second + 60,
                  event["schema_version"])

    @staticmethod
    def cents(amount: str) -> int:
        whole, _, fraction = amount.partition(".")
        return int(whole) * 100 + int(fraction)

    def tally(self, p: Project, day: int, what: str, amount: int = 1) -> None:
        """Count a 五个一批 fact (or an amount) for the county and the township, by year."""
        year = self.month_of[day - self.base] // 12
        self.tallies[p.county.code, year][what] += amount
        self.tallies[p.county.code, p.township, year][what] += amount

    # -- one project, one month --------------------------------------------------------

    def milestones(self, p: Project, month: int) -> None:
        """The project's dated facts of this month."""
        milestones = p.milestones
        while p.next_milestone < len(milestones) and milestones[p.next_milestone][0] == month:
            _, day, kind, detail = milestones[p.next_milestone]
            p.next_milestone += 1
            self.milestone(p, day, kind, detail)

    def walk(self, p: Project, month: int) -> None:
        milestones = p.milestones
        if p.next_milestone < len(milestones) and milestones[p.next_milestone][0] == month:
            self.milestones(p, month)
        if month // 12 not in self.years:
            if month // 12 == self.first_year - 1 and p.start_month <= month <= p.done_month:
                self.investment(p, month, self.month_bounds[month][1])  # the base year of growth
            return
        if p.plan_year != month // 12:
            self.plan_year(p, month // 12)
        if p.construction and p.plan_month <= month <= p.done_month:
            self.plan_month(p, *self.month_bounds[month])
        if p.start_month <= month <= p.done_month:
            self.investment(p, month, self.month_bounds[month][1])

    def milestone(self, p: Project, day: int, kind: str, detail: str | None) -> None:
        recorded = day + (self.random() < 0.3)
        if kind == "ProjectRegistered":
            self.emit(kind, p.id, day, recorded, self.registration(p), version=p.version)
        elif kind == "ProcedureApproved":
            department = self.issuer(p, detail)
            version = 2 if detail in ("capacity_replacement", "water_use", "cultural_relics", "fire_acceptance") \
                or department == "approval" and day >= self.v2_from else 1
            self.emit(kind, p.id, day, recorded, self.approval(p, detail, department, day), department,
                      version=version)
        elif kind == "AgreementSigned":
            investor = f"{self.pick(INVESTOR_CITIES)}{self.pick(COMPANY_WORDS)}{self.pick(COMPANY_TRADES)}集团有限公司"
            self.emit(kind, p.id, day, recorded, {"investor": investor, "agreed_investment": money(p.total)})
            self.tally(p, day, "signed_count")
            self.tally(p, day, "signed_investment", p.total)
        elif kind == "ConstructionStarted":
            if self.random() < LATE_START_RATE:
                recorded = day + self.between(15, 60)
            self.emit(kind, p.id, day, recorded, {})
            self.tally(p, day, "started_count")
            self.stats_entry(p, day)
        else:
            self.emit(kind, p.id, day, recorded, {})
            if kind == "ProjectLanded":
                self.tally(p, day, "landed_count")
            elif kind == "ProductionStarted":
                self.tally(p, day, "production_count")
            elif kind == "DesignOutputReached":
                self.tally(p, day, "output_count")

    def registration(self, p: Project) -> dict:
        return registration_payload(p.version, p.name, p.county.code, p.township, p.total, p.owner, p.legal_entity,
                                    p.origin, p.categories, p.required, p.location, p.village)

    def issuer(self, p: Project, code: str) -> str:
        if code == "capacity_replacement" and "e" in WORKS[p.works][0]:
            return "energy"  # 煤炭产能置换
        return p.county.issuers[code]

    def approval(self, p: Project, code: str, department: str, day: int) -> dict:
        year = self.day_iso[day - self.base][:4]
        if code == "capacity_replacement":
            authority = "山西省工业和信息化厅" if department == "industry" else "山西省能源局"
        else:
            authority = p.county.name + AUTHORITIES[department]
        number = f"{p.county.name[:1]}{DOCUMENT_PREFIXES[code]}〔{year}〕{self.between(1, 999)}号"
        return {"procedure": code, "document_no": number, "authority": authority}

    def stats_entry(self, p: Project, start: int) -> None:
        """入库纳统 for projects of ≥ 500万 owned by a legal entity: submitted, maybe returned, approved."""
        if p.total < 500_00 or not p.legal_entity or self.random() < 0.05:
            return
        day = start + self.between(7, 30)
        self.emit("StatsEntrySubmitted", p.id, day, day, {})
        if self.random() < 0.12:
            day += self.between(3, 10)
            self.emit("StatsEntryReturned", p.id, day, day, {"reason": self.pick(STATS_RETURN_REASONS)})
            day += self.between(5, 15)
            self.emit("StatsEntrySubmitted", p.id, day, day, {})
        if self.random() < 0.96:
            day += self.between(3, 12)
            self.emit("StatsEntryApproved", p.id, day, day, {})

    # -- the yearly plan ---------------------------------------------------------------

    def plan_year(self, p: Project, year: int) -> None:
        """Annual plan (with its planned start month and 旬), key-project designation, leaders,
        the 前期手续清单, funds, resumption and amendments for a year."""
        p.plan_year = year
        jan1, dec31 = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        if p.reg_day <= dec31 and self.random() < REGISTRATION_AMENDMENT_RATE:
            self.amend_registration(p, max(jan1, p.reg_day + 30), dec31 - 10)
        start = p.start_day
        if p.reg_day > dec31:  # signed in December, registered next year: in no plan yet
            p.construction = None
            return
        if start is not None and jan1 <= start <= dec31:
            p.construction = "new"
        elif start is not None and start < jan1 <= p.done_day:
            p.construction = "continuing"
        elif year in (p.hopeful_year, p.slip_year):
            p.construction = "new"  # in the plan, not started this year
        else:
            p.construction = None
            return
        starts = p.construction == "new" and start is not None and start <= dec31
        if starts or p.construction == "continuing":
            months = min(12, (min(p.done_day, dec31) - max(start, jan1)) // 30 + 1)
        else:
            months = self.between(3, 9)
        p.planned = p.monthly * months * self.between(90, 120) // 100 // 100 * 100 or 100
        day = min(dec31, max(jan1 + self.between(7, 19), p.reg_day + self.between(5, 20)))
        p.plan_month = self.month_of[day - self.base]
        v2 = day >= self.v2_from
        if v2 and p.version == 1 and self.random() < UPGRADE_SHARE:
            self.upgrade(p, max(day - self.between(2, 6), self.v2_from, p.reg_day + 1))
        resumed = None
        if p.construction == "continuing":
            first, last = ((5, 10), (6, 15)) if self.random() < 0.05 else ((2, 10), (4, 15))  # after 春节
            resumed = self.day(date(year, *first).toordinal(), date(year, *last).toordinal())
            if resumed >= p.done_day:
                resumed = None
        plan = {"year": year, "construction": p.construction, "planned_investment": money(p.planned)}
        actual = resumed if p.construction == "continuing" else start if starts else None
        if v2:
            self.planned_start(plan, year, actual, p.construction)
        self.emit("AnnualPlanAdopted", p.id, day, day + self.between(0, 2), plan, version=1 + v2)
        if self.random() < PLAN_AMENDMENT_RATE:
            amended = self.day(max(day + 30, date(year, 6, 1).toordinal()), date(year, 8, 31).toordinal())
            plan = {**plan, "planned_investment": money(p.planned * self.between(70, 140) // 100)}
            if amended >= self.v2_from and not v2:
                self.planned_start(plan, year, actual, p.construction)
            self.emit("AnnualPlanAdopted", p.id, amended, amended, plan, version=1 + (amended >= self.v2_from))
        if p.level:
            designated = day + self.between(3, 10)
            self.emit("KeyProjectDesignated", p.id, designated, designated, {"year": year, "level": p.level})
        self.leadership(p, day + self.between(10, 20))
        if v2 and p.construction == "new":
            self.procedure_list(p, day + self.between(20, 45))
        if v2 and (p.origin == "government" and self.random() < FUNDING_RATE
                   or "industry" in p.categories and self.random() < INDUSTRY_FUNDING_RATE):
            self.funding(p, year, day)
        p.resume_month = None
        if resumed is not None:
            p.resume_month = self.month_of[resumed - self.base]
            self.emit("ConstructionResumed", p.id, resumed, resumed + self.between(0, 2), {"year": year})

    def planned_start(self, plan: dict, year: int, actual: int | None, construction: str) -> None:
        """开复工计划到月、到旬: mostly the 旬 it really starts (or resumes) in or a little later,
        sometimes weeks or months earlier (it starts late); for a project that will not start, a
        month in spring or summer (a stalled continuing one: after the Spring Festival)."""
        jan1, dec31 = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        if actual is None and construction == "continuing":
            planned = self.day(date(year, 2, 15).toordinal(), date(year, 3, 31).toordinal())
        elif actual is None:
            planned = self.day(date(year, 3, 1).toordinal(), date(year, 9, 30).toordinal())
        elif self.random() < ON_PLAN:
            planned = actual + self.between(0, 25)
        else:
            planned = actual - self.between(20, 110)
        planned = min(dec31, max(jan1 + 31, planned))
        plan["planned_start_month"] = self.month_of[planned - self.base] % 12 + 1
        if self.random() < DEKAD_SHARE:
            day = int(self.day_iso[planned - self.base][8:])
            plan["planned_start_dekad"] = 1 if day <= 10 else 2 if day <= 20 else 3

    def upgrade(self, p: Project, day: int) -> None:
        """The v1 registration sent again in v2 for the plan: coordinates, village, 产业 category."""
        p.version = 2
        self.place(p)
        self.emit("ProjectRegistered", p.id, day, day + self.between(0, 2), self.registration(p), version=2)

    def amend_registration(self, p: Project, first: int, last: int) -> None:
        """变更: the registration re-sent with a larger total investment or another township."""
        if first > last:
            return
        day = self.day(first, last)
        if day >= self.v2_from:
            p.version = 2
        if self.random() < 0.6:
            p.total = p.total * self.between(110, 150) // 100
        else:
            p.township = self.pick(p.county.townships)
            p.location = p.village = None
            if p.version == 2:
                self.place(p)
        self.emit("ProjectRegistered", p.id, day, day + self.between(0, 3), self.registration(p), version=p.version)

    def leadership(self, p: Project, day: int) -> None:
        """领导包联: county leaders for key projects, township leaders for the others; from v2 on
        a key project also gets a lead unit (双包联) and now and then a supporting unit."""
        v2 = day >= self.v2_from
        if p.leader and self.random() < LEADER_CHANGE_RATE:
            self.emit("LeaderReleased", p.id, day, day, {"leader_id": p.leader})
            p.leader = None
            if self.random() < LEADER_GAP:
                return  # the successor is named only with next year's plan
        if p.leader is None:
            pool = p.county.leaders if p.level else p.county.township_leaders[p.township]
            leader_id, name, title = self.pick(pool)
            p.leader = leader_id
            payload = {"leader_id": leader_id, "leader_name": name, "title": title}
            if v2:
                payload["role"] = "leader"
            self.emit("LeaderAssigned", p.id, day, day, payload, version=1 + v2)
        if v2 and p.level and p.unit is None:
            p.unit = ""  # decided once: most key projects get a lead unit, a few never do
            if self.random() < LEAD_UNIT_SHARE:
                key = "devzone" if p.township.endswith("开发区") and p.origin != "government" else WORKS[p.works][1]
                p.unit = key
                self.assign_unit(p, key, day, "lead_unit")
                if self.random() < SUPPORT_UNIT_SHARE:
                    self.assign_unit(p, self.pick([u for u in SUPPORT_UNITS if u != key]), day, "support_unit")

    def assign_unit(self, p: Project, key: str, day: int, role: str) -> None:
        code, name = UNITS[key]
        name = p.county.townships[-1] + "管委会" if key == "devzone" else p.county.name + name
        payload = {"leader_id": f"U-{p.county.code}-{code}", "leader_name": name,
                   "title": "牵头部门" if role == "lead_unit" else "帮办部门", "role": role}
        self.emit("LeaderAssigned", p.id, day, day + self.between(0, 2), payload, version=2)

    def procedure_list(self, p: Project, listed: int) -> None:
        """前期手续清单: each procedure a new project of the plan still needs, with its level, a
        deadline, the unit, the leader in charge and the officer; most met, some missed, some
        pushed back."""
        approved = {detail: d for _, d, kind, detail in p.milestones if kind == "ProcedureApproved"}
        county = p.county
        for code in p.required:
            done = approved.get(code)
            if code == "fire_acceptance" or done is not None and done < listed:
                continue
            if done is None:
                due = listed + self.between(30, 200)
            elif self.random() < 0.75:
                due = done + self.between(3, 30)
            else:
                due = done - self.between(10, 60)
            due = max(due, listed + 14)
            department = self.issuer(p, code)
            item = {"procedure": code, "level": procedure_level(code, p.total // 100, p.level),
                    "due_on": self.day_iso[due - self.base], "unit": county.name + AUTHORITIES[department],
                    "leader": self.pick(county.leaders)[1], "officer": self.pick(county.officers[department])}
            recorded = listed + self.between(0, 2)
            self.emit("ProcedurePlanned", p.id, listed, recorded, item)
            if (done is None or done > due) and self.random() < LIST_AMENDMENT_RATE:
                moved = max(recorded + 1, due - self.between(0, 7))
                later = {**item, "due_on": self.day_iso[due + self.between(20, 60) - self.base]}
                self.emit("ProcedurePlanned", p.id, moved, moved, later)

    def funding(self, p: Project, year: int, planned_on: int) -> None:
        """争取资金: a government project of the plan secures central, bond, provincial or other
        money; an industry project provincial money."""
        if p.origin == "government":
            channel = self.rng.choices([c for c, _ in FUNDING_WEIGHTS], [w for _, w in FUNDING_WEIGHTS])[0]
            if channel == "ultra_long_bond" and year < 2024:  # 超长期特别国债 from 2024
                channel = "central_budget"
        else:
            channel = "provincial"
        department, prefix = FUNDING_CHANNELS[channel]
        amount = max(10000, p.planned * self.between(20, 60) // 100 // 100 * 100)
        day = min(date(year, 12, 20).toordinal(), planned_on + self.between(30, 300))
        document = f"{prefix}〔{year}〕{self.between(8, 200)}号"
        self.emit("FundingSecured", p.id, day, day + self.between(0, 3),
                  {"channel": channel, "amount": money(amount), "document_no": document}, department)
        self.tally(p, day, "funding_secured", amount)

    # -- a month in the plan -------------------------------------------------------------

    def plan_month(self, p: Project, first: int, last: int) -> None:
        """A month of a project in the year's plan: its leader's visit (every month, most of
        the time), now and then a problem."""
        if p.leader and self.random() < VISIT_RATE:
            visited = self.day(first, last)
            self.emit("SiteVisitRecorded", p.id, visited, visited + (self.random() < 0.3), {"leader_id": p.leader})
        if self.random() < PROBLEM_RATE:
            self.problem(p, self.day(first, last))

    def investment(self, p: Project, month: int, month_end: int) -> None:
        """Monthly completed investment, reported in the first days of the next month."""
        year, m0 = divmod(month, 12)
        slow = 30 if p.resume_month is not None and month < p.resume_month else 100
        cents = p.monthly * SEASON[m0] * slow // 10000 * self.between(70, 130) // 100
        late = self.random() < LATE_REPORT_RATE
        recorded = month_end + (self.between(12, 70) if late else self.between(1, 8))
        payload = {"year": year, "month": m0 + 1, "amount": money(cents)}
        self.emit("InvestmentReported", p.id, month_end, recorded, payload)
        invested, county, township = self.invested, (p.county.code, year), (p.county.code, p.township, year)
        invested[county] = invested.get(county, 0) + cents
        invested[township] = invested.get(township, 0) + cents
        if self.random() < CORRECTION_RATE:
            corrected = recorded + self.between(10, 70)
            amount = money(cents * self.pick((75, 85, 90, 95, 105, 110, 120, 130)) // 100)
            department = "stats" if self.random() < 0.6 else "project_center"
            self.emit("InvestmentReported", p.id, month_end, corrected, {**payload, "amount": amount}, department)

    def problem(self, p: Project, raised: int) -> None:
        """问题闭环: raised → assigned → resolved → followed up; overdue ones escalated (督办)."""
        self.problem_serial += 1
        ids = {"problem_id": f"P{p.county.code}-{self.problem_serial:07d}"}
        category, unit, descriptions = self.pick(PROBLEM_KINDS)
        self.emit("ProblemRaised", p.id, raised, raised, {**ids, "category": category,
                                                          "description": self.pick(descriptions)})
        assigned = raised + self.between(1, 3)
        due = assigned + self.between(7, 45)
        due_on = self.day_iso[due - self.base]
        self.emit("ProblemAssigned", p.id, assigned, assigned, {**ids, "unit": unit, "due_on": due_on})
        fate = self.random()
        resolved = assigned + self.between(2, due - assigned - 2)
        if fate >= 0.82:  # overdue
            escalated = due + self.between(3, 10)
            level = "county" if fate < 0.95 else self.pick(("city", "city", "province"))
            self.emit("ProblemEscalated", p.id, escalated, escalated, {**ids, "level": level})
            if fate >= 0.97:
                return  # still open
            resolved = escalated + self.between(3, 30)
        self.emit("ProblemResolved", p.id, resolved, resolved, {**ids}, unit)
        followed = resolved + self.between(1, 2)
        satisfied = not 0.72 <= fate < 0.82
        self.emit("ProblemFollowedUp", p.id, followed, followed, {**ids, "satisfied": satisfied})
        if not satisfied:
            resolved = followed + self.between(5, 15)
            self.emit("ProblemResolved", p.id, resolved, resolved, {**ids}, unit)
            self.emit("ProblemFollowedUp", p.id, resolved + 2, resolved + 2, {**ids, "satisfied": True})

    # -- targets -----------------------------------------------------------------------

    def targets(self, year: int) -> None:
        """目标: the province, each city and each county set their targets in early January: the
        rate targets of the target sheet (v1); from v2 on also month-end rate targets, amount
        and count targets from last year's results, and each county's township targets."""
        v2 = date(year, 1, 3).toordinal() >= self.v2_from
        last = self.results(year - 1) if v2 else {}
        for region in ["14"] + [code for code, *_ in CITIES] + [c.code for c in self.counties]:
            day = date(year, 1, self.between(3, 8)).toordinal()
            chosen = {}
            for figure, by, target in TARGETS:
                chosen[figure, by] = target = self.pick(TARGET_VARIANTS.get((figure, by), (target,)))
                payload = {"region": region, "year": year, "figure": figure, "by": by, "target": target}
                self.emit("TargetSet", None, day, day + self.between(0, 2), payload)
            if v2:
                for figure, by, target in self.v2_targets(chosen, last.get(region)):
                    payload = {"region": region, "year": year, "figure": figure, "by": by, "target": target}
                    self.emit("TargetSet", None, day, day + self.between(0, 2), payload, version=2)
        if v2:
            self.township_targets(year)
        for key in [k for k in self.tallies if k[-1] < year - 1]:
            del self.tallies[key]
        for key in [k for k in self.invested if k[-1] < year - 1]:
            del self.invested[key]

    def results(self, year: int) -> dict[str, dict[str, int]]:
        """Last year's results per county, city and the province (amounts in hundredths)."""
        results: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for county in self.counties:
            found = dict(self.tallies.get((county.code, year), {}))
            found["investment_total"] = self.invested.get((county.code, year), 0)
            for region in (county.code, county.code[:4], "14"):
                for what, value in found.items():
                    results[region][what] += value
        return results

    def v2_targets(self, chosen: dict, last: dict[str, int] | None) -> list[tuple[str, str, str]]:
        """Month-end rate targets agreeing with the v1 ones on their days, and amount and count
        targets: growth on last year's results (储备 ≥ 5 × the investment target)."""
        targets = []
        for figure in MONTHLY_FIGURES:
            anchors = MONTHLY_ANCHORS[figure]
            anchors = {m: chosen.get((figure, {3: "Q1", 6: "H1", 12: "Y"}.get(m)), t) for m, t in anchors.items()}
            targets += [(figure, f"M{m:02d}", t) for m, t in enumerate(monthly_targets(anchors), start=1)]
        targets.append(("due_start_rate", "Y", "0.9000"))
        if not last:
            return targets
        growth = 100 + int(float(chosen["investment_growth", "Y"]) * 100)
        investment = last.get("investment_total", 0) * growth // 100 // 10000 * 10000
        if investment:
            targets += [("investment_total", "Y", money(investment)),
                        ("reserve_investment", "Y", money(5 * investment))]
        for figure, growth, floor in (("signed_investment", 110, 10), ("funding_secured", 130, 2)):
            # on last year's, or with none last year a share of the investment target
            amount = last.get(figure, 0) * growth // 100 or investment * floor // 100
            if amount // 10000:
                targets.append((figure, "Y", money(amount // 10000 * 10000)))
        for figure in FIVE_BATCHES:
            targets.append((figure, "Y", str(max(1, math.ceil(last.get(figure, 0) * self.between(100, 120) / 100)))))
        return targets

    def township_targets(self, year: int) -> None:
        """Each county's townships: 五个一批 starts and signings, and investment, on last year's."""
        for county in self.counties:
            day = date(year, 1, self.between(10, 20)).toordinal()
            for township in county.townships:
                found = self.tallies.get((county.code, township, year - 1), {})
                invested = self.invested.get((county.code, township, year - 1), 0)
                goals = [(figure, str(max(1, math.ceil(found.get(figure, 0) * self.between(90, 130) / 100))))
                         for figure in ("signed_count", "started_count")]
                if invested:
                    goals.append(("investment_total", money(invested * self.between(105, 115) // 100 // 10000 * 10000)))
                for figure, target in goals:
                    payload = {"region": county.code, "year": year, "figure": figure, "by": "Y", "target": target,
                               "township": township}
                    self.emit("TargetSet", None, day, day + self.between(0, 2), payload, version=2)


def province(seed: int = 14, projects: int = 35000, years: tuple[int, ...] = (2023, 2024, 2025)) -> Iterator[dict]:
    """Shanxi (14) at scale: ``projects`` projects over ``years``, streamed month by month.

    ``projects`` counts (about) every project of the history: those under construction when it
    begins and those registered over the years and two before, flowing through 谋划 → 储备 → plan
    → start → completion (some never get that far). 35,000 over three years make about 2.2
    million events (some 15,000 projects under construction at a time); ``DECADE_PROJECTS``
    over ``DECADE`` (see :mod:`tools.history.province`) make over 20 million."""
    return ProvinceHistory(seed, projects, tuple(years)).events()
