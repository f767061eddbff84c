"""Province-scale history (全省): Shanxi (14), 11 cities, 117 counties, streamed month by month.

Each project is decided up front as a handful of dates and amounts (:class:`Project`). Its facts
are then written month by month across all projects. A fact goes into the bucket of the month it
is *recorded* in, which is never earlier than the month being walked (a fact is recorded on or
after the day it happened); so once a month has been walked its bucket is complete, is sorted by
``recorded_at`` and yielded. Memory holds the projects and the buckets of the next few months,
never the whole history.

Days are proleptic ordinals (``date.toordinal()``) and months are ``year * 12 + month - 1``;
both are turned into strings through tables. Random draws use ``random()`` arithmetic rather
than ``randint``/``choice``, which are several times slower; two million events take about 20 s
of CPU.
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
    INVESTOR_CITIES,
    OWNERS,
    PROBLEM_KINDS,
    PROCEDURE_DEPARTMENTS,
    PROCEDURES_V1 as PROCEDURES,
    SEASON,
    STATS_RETURN_REASONS,
    TARGETS,
    YANGCHENG,
    YANGCHENG_LEADER_TITLES,
    YANGCHENG_TOWNSHIPS,
    envelope,
    money,
    new_event_id,
    person_name,
    project_kind,
)

# A decade of the province (`python -m tools.history.county province OUT --decade`).
DECADE = tuple(range(2016, 2026))
DECADE_PROJECTS = 60000

# city code, name, number of county-level units (Shanxi has 117)
CITIES = (
    ("1401", "太原", 10), ("1402", "大同", 10), ("1403", "阳泉", 5), ("1404", "长治", 12),
    ("1405", "晋城", 6), ("1406", "朔州", 6), ("1407", "晋中", 11), ("1408", "运城", 13),
    ("1409", "忻州", 14), ("1410", "临汾", 17), ("1411", "吕梁", 13),
)
JINCHENG_COUNTIES = (("140502", "城区"), ("140521", "沁水县"), ("140522", "阳城县"),
                     ("140524", "陵川县"), ("140525", "泽州县"), ("140581", "高平市"))
PLACE_CHARACTERS = "安平和丰宁泉山河清源岚兴石永定古寿昔榆灵襄武屯陵芮稷绛闻喜夏垣浮翼洪霍隰孝交柳方岢保偏代繁原静乐"

# The population: when projects start (the rest are reserve projects that never start).
CONTINUING_SHARE = 0.68         # started before the first year, still under construction
NEW_SHARE = 0.27                # start during the years
# Monthly and yearly habits.
VISIT_RATE = 0.9                # a leader visits a project of the year's plan in a month
PROBLEM_RATE = 0.2              # a problem is raised on a project of the plan in a month
LEADER_CHANGE_RATE = 0.04       # per project and year
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
               "energy": "能源局"}
TARGET_VARIANTS = {("new_start_rate", "Q1"): ("0.3500", "0.4000", "0.5000"),
                   ("signed_same_year_start_rate", "Y"): ("0.4000", "0.5000"),
                   ("investment_growth", "Y"): ("0.0650", "0.0800", "0.1000")}


class County:
    """A county-level region with its townships (and development zone) and its leaders."""

    def __init__(self, code: str, name: str, townships: list[str], leaders: list[tuple[str, str, str]],
                 township_leaders: dict[str, list[tuple[str, str, str]]]) -> None:
        self.code, self.name, self.townships = code, name, townships
        self.leaders, self.township_leaders = leaders, township_leaders
        self.serial = 10000  # the demo's 阳城 projects keep the serials below


class Project:
    """One project's life, decided up front; facts are written from it month by month."""

    __slots__ = (
        "id", "county", "township", "name", "owner", "total", "legal_entity", "origin", "categories",
        "required", "level", "reg_day", "start_day", "done_day", "start_month", "done_month",
        "monthly", "hopeful", "milestones", "next_milestone", "first_month", "last_month",
        "leader", "plan_year", "plan_month", "construction", "planned", "resume_month",
    )


class ProvinceHistory:
    """Generates the province history; :meth:`events` streams it."""

    def __init__(self, seed: int, projects: int, years: tuple[int, ...]) -> None:
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.years = frozenset(years)
        self.first_year, self.last_year = min(years), max(years)
        self.window = (date(self.first_year, 1, 1).toordinal(), date(self.last_year, 12, 31).toordinal())
        self.base = date(self.first_year - 5, 1, 1).toordinal()
        self.day_iso, self.month_of = self.calendar(date(self.last_year + 3, 12, 31).toordinal())
        self.counties = self.geography()
        weights = [self.rng.uniform(0.5, 1.5) for _ in self.counties]
        self.cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]
        self.projects = sorted((self.decide() for _ in range(projects)), key=lambda p: p.first_month)
        self.buckets: dict[int, list[dict]] = defaultdict(list)
        self.problem_serial = 0
        months = range(self.first_year * 12 - 12, self.last_year * 12 + 12)  # from the base year of growth
        self.month_bounds = {m: self.month_days(m) for m in months}

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
        for code, _, count in CITIES:
            units = JINCHENG_COUNTIES if code == "1405" else self.county_codes(code, count)
            counties += [self.county(c, name) for c, name in units]
        return counties

    def county_codes(self, city: str, count: int) -> list[tuple[str, str]]:
        districts = max(1, count // 4)
        codes = [f"{city}{2 + i:02d}" for i in range(districts)]
        codes += [f"{city}{21 + i:02d}" for i in range(count - districts - 1)] + [f"{city}81"]
        names = self.rng.sample([a + b for a in PLACE_CHARACTERS for b in PLACE_CHARACTERS if a != b], count)
        return [(c, n + ("区" if c[4:] < "20" else "市" if c[4:] == "81" else "县")) for c, n in zip(codes, names)]

    def county(self, code: str, name: str) -> County:
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
        return County(code, name, townships, leaders, township_leaders)

    # -- deciding a project ------------------------------------------------------------

    def decide(self) -> Project:
        rng, (w0, w1) = self.rng, self.window
        p = Project()
        p.county = county = rng.choices(self.counties, cum_weights=self.cumulative)[0]
        p.township = self.pick(county.townships)
        total_wan = min(3_000_000, max(200, int(math.exp(rng.gauss(math.log(6000), 1.3)))))
        p.total = total_wan * 100
        p.legal_entity = self.random() < 0.96
        p.origin = rng.choices(("investment_attraction", "government", "enterprise"), (20, 30, 50))[0]
        p.required = sorted(["approval_filing"] + rng.sample(PROCEDURES[1:], self.between(1, 5)), key=PROCEDURES.index)
        p.level = self.level(total_wan)
        phase = self.random()
        if phase < CONTINUING_SHARE:  # under construction when the history begins
            p.start_day = self.day(w0 - 1000, w0 - 1)
            p.done_day = p.start_day + self.between(1500, 3200)  # big projects take years
        elif phase < CONTINUING_SHARE + NEW_SHARE:
            p.start_day = self.day(w0, w1 - 150)
            p.done_day = p.start_day + self.between(700, 2000)
        if phase < CONTINUING_SHARE + NEW_SHARE:
            p.reg_day = p.start_day - self.between(60, 420)
        else:
            p.start_day = p.done_day = None
            p.reg_day = self.day(w0 - 400, w1 - 30)
        p.hopeful = p.start_day is None and self.random() < 0.5  # in the plan, but never starts
        self.describe(p)
        self.plan_milestones(p)
        return p

    def level(self, total_wan: int) -> str | None:
        r = self.random()
        if total_wan >= 100_000 and r < 0.2:
            return "province"
        if total_wan >= 20_000 and r < 0.4:
            return "city"
        return "county" if r < 0.25 else None

    def describe(self, p: Project) -> None:
        rng, county = self.rng, p.county
        county.serial += 1
        p.id = f"{self.day_iso[p.reg_day - self.base][2:7].replace('-', '')}-{county.code}-04-01-{county.serial:06d}"
        works, p.categories = project_kind(rng, p.origin)
        p.name = f"{county.name[:2]}{p.township[:2]}{works}项目"
        if not p.legal_entity:
            p.owner = f"{person_name(rng)}(个人投资)"
        elif p.origin == "government":
            p.owner = f"{county.name}{self.pick(('住房和城乡建设局', '交通运输局', '水务局', '教育局'))}"
        else:
            p.owner = f"山西{county.name[:2]}{self.pick(COMPANY_WORDS)}{self.pick(COMPANY_TRADES)}有限公司"
        p.start_month = self.month_of[p.start_day - self.base] if p.start_day else 1 << 30
        done_in_window = p.done_day is not None and p.done_day <= self.window[1]
        p.done_month = self.month_of[p.done_day - self.base] if done_in_window else 1 << 30
        months = max(1, (p.done_day - p.start_day) // 30) if p.start_day else 24
        p.monthly = p.total * 85 // 100 // months
        p.leader = None
        p.plan_year = p.plan_month = p.construction = p.planned = p.resume_month = None

    def plan_milestones(self, p: Project) -> None:
        """Dated one-off facts: signing, registration, landing, approvals, start, completion…"""
        reg = p.reg_day
        events = [(reg, "ProjectRegistered", None)]
        if p.origin == "investment_attraction":
            events.append((reg - self.between(10, 90), "AgreementSigned", None))
            if self.random() < 0.85:
                events.append((reg + self.between(5, 60), "ProjectLanded", None))
        if p.start_day:
            codes = p.required[: len(p.required) - (self.random() < 0.1)]
            last = p.start_day - 3
            events.append((p.start_day, "ConstructionStarted", None))
            events.append((p.done_day, "ProjectCompleted", None))
            if self.random() < 0.65:
                production = p.done_day + self.between(20, 90)
                events.append((production, "ProductionStarted", None))
                if self.random() < 0.5:
                    events.append((production + self.between(90, 360), "DesignOutputReached", None))
        else:
            codes = p.required[: self.between(0, len(p.required))]
            last = reg + 300
        days = sorted(self.day(reg + 5, last) for _ in codes)
        events += [(d, "ProcedureApproved", code) for d, code in zip(days, codes)]
        events.sort(key=itemgetter(0))
        p.milestones = [(self.month_of[d - self.base], d, kind, detail) for d, kind, detail in events
                        if d <= self.window[1]]
        p.next_milestone = 0
        p.first_month = p.milestones[0][0]
        p.last_month = p.milestones[-1][0] if p.done_day and p.done_day < self.window[1] else 1 << 30

    # -- streaming ---------------------------------------------------------------------

    def events(self) -> Iterator[dict]:
        """All events, in recording order, month by month."""
        last_month = self.last_year * 12 + 11
        month = self.projects[0].first_month if self.projects else self.first_year * 12
        waiting, active = iter(self.projects), []
        upcoming = next(waiting, None)
        while month <= last_month:
            while upcoming is not None and upcoming.first_month <= month:
                active.append(upcoming)
                upcoming = next(waiting, None)
            if month // 12 in self.years and month % 12 == 0:
                self.targets(month // 12)
            for p in active:
                self.walk(p, month)
            active = [p for p in active if p.last_month > month]
            yield from self.flush(month)
            month += 1
        while self.buckets:
            yield from self.flush(min(self.buckets))

    def flush(self, month: int) -> list[dict]:
        bucket = self.buckets.pop(month, [])
        bucket.sort(key=itemgetter("recorded_at"))
        return bucket

    def emit(self, event_type: str, project_id: str | None, day: int, recorded: int, payload: dict,
             department: str | None = None, second: int | None = None) -> dict:
        """Put one event into the bucket of the month it is recorded in; now and then deliver it
        twice, or retract it later."""
        i = recorded - self.base
        if second is None:
            second = self.below(len(SECONDS))
        event = envelope(new_event_id(self.rng), event_type, project_id, self.day_iso[day - self.base],
                         self.day_iso[i] + SECONDS[second], department or OWNERS[event_type], payload)
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
        self.emit(event["event_type"], event["project_id"], day, when, corrected, department, second + 60)

    @staticmethod
    def cents(amount: str) -> int:
        whole, _, fraction = amount.partition(".")
        return int(whole) * 100 + int(fraction)

    # -- one project, one month --------------------------------------------------------

    def walk(self, p: Project, month: int) -> None:
        milestones = p.milestones
        while p.next_milestone < len(milestones) and milestones[p.next_milestone][0] == month:
            _, day, kind, detail = milestones[p.next_milestone]
            p.next_milestone += 1
            self.milestone(p, day, kind, detail)
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
            self.emit(kind, p.id, day, recorded, self.registration(p))
        elif kind == "ProcedureApproved":
            self.emit(kind, p.id, day, recorded, self.approval(p, detail, day), PROCEDURE_DEPARTMENTS[detail])
        elif kind == "AgreementSigned":
            investor = f"{self.pick(INVESTOR_CITIES)}{self.pick(COMPANY_WORDS)}{self.pick(COMPANY_TRADES)}集团有限公司"
            self.emit(kind, p.id, day, recorded, {"investor": investor, "agreed_investment": money(p.total)})
        elif kind == "ConstructionStarted":
            if self.random() < LATE_START_RATE:
                recorded = day + self.between(15, 60)
            self.emit(kind, p.id, day, recorded, {})
            self.stats_entry(p, day)
        else:
            self.emit(kind, p.id, day, recorded, {})

    def registration(self, p: Project) -> dict:
        return {
            "name": p.name, "region": p.county.code, "township": p.township, "total_investment": money(p.total),
            "owner": p.owner, "legal_entity": p.legal_entity, "origin": p.origin,
            "categories": [c for c in p.categories if c != "industry"], "required_procedures": list(p.required),
        }

    def approval(self, p: Project, code: str, day: int) -> dict:
        year = self.day_iso[day - self.base][:4]
        authority = p.county.name + AUTHORITIES[PROCEDURE_DEPARTMENTS[code]]
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
        """Annual plan, key-project designation, leader, resumption and amendments for a year."""
        p.plan_year = year
        jan1, dec31 = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        if p.reg_day <= dec31 and self.random() < REGISTRATION_AMENDMENT_RATE:
            self.amend_registration(p, max(jan1, p.reg_day + 30), dec31 - 10)
        if p.start_day is None and not p.hopeful or p.start_day and (p.start_day > dec31 or p.done_day < jan1):
            p.construction = None
            return
        p.construction = "new" if p.start_day is None or p.start_day >= jan1 else "continuing"
        months = 12 if p.start_day is None else min(12, (min(p.done_day, dec31) - max(p.start_day, jan1)) // 30 + 1)
        p.planned = p.monthly * months * self.between(90, 120) // 100 // 100 * 100 or 100
        day = max(jan1 + self.between(7, 19), p.reg_day + self.between(5, 20))
        plan = {"year": year, "construction": p.construction, "planned_investment": money(p.planned)}
        self.emit("AnnualPlanAdopted", p.id, day, day + self.between(0, 2), plan)
        p.plan_month = self.month_of[day - self.base]
        if self.random() < PLAN_AMENDMENT_RATE:
            amended = self.day(max(day + 30, date(year, 6, 1).toordinal()), date(year, 8, 31).toordinal())
            plan = {**plan, "planned_investment": money(p.planned * self.between(70, 140) // 100)}
            self.emit("AnnualPlanAdopted", p.id, amended, amended, plan)
        if p.level:
            designated = day + self.between(3, 10)
            self.emit("KeyProjectDesignated", p.id, designated, designated, {"year": year, "level": p.level})
        self.leadership(p, day + self.between(10, 20))
        p.resume_month = None
        if p.construction == "continuing":
            first, last = ((5, 10), (6, 15)) if self.random() < 0.05 else ((2, 10), (4, 15))  # after 春节
            resumed = self.day(date(year, *first).toordinal(), date(year, *last).toordinal())
            if resumed < p.done_day:
                p.resume_month = self.month_of[resumed - self.base]
                self.emit("ConstructionResumed", p.id, resumed, resumed + self.between(0, 2), {"year": year})

    def amend_registration(self, p: Project, first: int, last: int) -> None:
        """变更: the registration re-sent with a larger total investment or another township."""
        if first > last:
            return
        if self.random() < 0.6:
            p.total = p.total * self.between(110, 150) // 100
        else:
            p.township = self.pick(p.county.townships)
        day = self.day(first, last)
        self.emit("ProjectRegistered", p.id, day, day + self.between(0, 3), self.registration(p))

    def leadership(self, p: Project, day: int) -> None:
        """领导包联: county leaders for key projects, township leaders for the others."""
        if p.leader and self.random() < LEADER_CHANGE_RATE:
            self.emit("LeaderReleased", p.id, day, day, {"leader_id": p.leader})
            p.leader = None
        if p.leader is None:
            pool = p.county.leaders if p.level else p.county.township_leaders[p.township]
            leader_id, name, title = self.pick(pool)
            p.leader = leader_id
            self.emit("LeaderAssigned", p.id, day, day, {"leader_id": leader_id, "leader_name": name, "title": title})

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
        """目标: the province, each city and each county set their targets in early January."""
        regions = ["14"] + [code for code, _, _ in CITIES] + [c.code for c in self.counties]
        for region in regions:
            day = date(year, 1, self.between(3, 8)).toordinal()
            for figure, by, target in TARGETS:
                target = self.pick(TARGET_VARIANTS.get((figure, by), (target,)))
                payload = {"region": region, "year": year, "figure": figure, "by": by, "target": target}
                self.emit("TargetSet", None, day, day + self.between(0, 2), payload)
