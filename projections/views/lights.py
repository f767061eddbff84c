"""红黄绿灯: the thresholds the command office uses to colour its 台账, and the rules that apply them.

The thresholds are the office's choice (DOMAIN.md "How a campaign is run"); these are the defaults,
and `services/query/lights.toml` (or the file named by $PROJFACTS_LIGHTS) overrides them. This module
is pure: `Lights.from_mapping` takes the parsed file, the edge (services/query/lights.py) reads it.

Every rule answers for a business date `on`; a boundary day belongs to the worse light ("from the
day …"):

- 开复工 start: due = the last day of the planned 旬 (or of the planned month). Not started or
  resumed: 黄 from `yellow_after_days` days after the due day has passed (default: the day after it),
  红 from the day after the date `red_after_months` calendar months after the due day (default 3:
  planned for March, still not started on 1 July). Started (on time or late) or not yet due: 绿.
- 序时 pace: points behind = (序时进度 − completion) × 100. 黄 from `yellow_points` (10) behind
  up to and including `red_points` (30); 红 beyond it; 绿 below `yellow_points`.
- 入库纳统 statistics entry, an eligible project not entered: 黄 from `yellow_after_months` (1)
  calendar months after its start, 红 from `red_after_months` (2); 绿 entered, or earlier.
- 前期手续 procedures: 绿 approved, or pending more than `warn_days` (7) before its due date;
  黄 pending within `warn_days` of the due date (临期) or overdue by fewer than `red_after_days`
  (30) days; 红 overdue by `red_after_days` or more. No due date (未列入清单): no light.
- 问题 problems, open and past due_on: 黄, 红 from `red_after_days` (30) days overdue; else 绿.
- 领导包联 visits: a 包联领导 is flagged for a project not visited within `visit_interval_days`
  (30) days (rolling; the first interval counts from the assignment).
"""
from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

RED, YELLOW, GREEN = "red", "yellow", "green"
LIGHTS = (RED, YELLOW, GREEN)
LIGHT_LABELS = {RED: "红灯", YELLOW: "黄灯", GREEN: "绿灯"}
LIGHT_SHORT = {RED: "红", YELLOW: "黄", GREEN: "绿"}
_SEVERITY = {None: 0, GREEN: 1, YELLOW: 2, RED: 3}


def worst(lights: Iterable[str | None]) -> str | None:
    """The most severe of some lights (红 > 黄 > 绿 > none)."""
    found = None
    for light in lights:
        if _SEVERITY[light] > _SEVERITY[found]:
            found = light
    return found


def severity(light: str | None) -> int:
    return _SEVERITY[light]


def label(light: str | None) -> str | None:
    return LIGHT_LABELS.get(light) if light else None


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Lights:
    """Thresholds of the 红黄绿灯 (defaults: the office practice in DOMAIN.md; see the module doc)."""

    start_yellow_after_days: int = 0
    start_red_after_months: int = 3
    pace_yellow_points: Decimal = Decimal(10)
    pace_red_points: Decimal = Decimal(30)
    entry_yellow_after_months: int = 1
    entry_red_after_months: int = 2
    procedure_warn_days: int = 7
    procedure_red_after_days: int = 30
    problem_red_after_days: int = 30
    visit_interval_days: int = 30

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value < 0:
                raise ValueError(f"{_KEYS[f.name]} must be ≥ 0, got {value}")
        if self.pace_red_points < self.pace_yellow_points:
            raise ValueError("pace.red_points must be ≥ pace.yellow_points")
        if self.entry_red_after_months < self.entry_yellow_after_months:
            raise ValueError("stats_entry.red_after_months must be ≥ stats_entry.yellow_after_months")
        if self.visit_interval_days < 1:
            raise ValueError("leaders.visit_interval_days must be ≥ 1")

    # ---- the rules ------------------------------------------------------------------------
    def start(self, due: date | None, on: date, done: bool) -> str | None:
        """开复工: `done` = started (new) or resumed (continuing) by `on`. No due date: no light."""
        if done:
            return GREEN
        if due is None:
            return None
        if on > add_months(due, self.start_red_after_months):
            return RED
        if on > due + timedelta(days=self.start_yellow_after_days):
            return YELLOW
        return GREEN

    def pace(self, points_behind: Decimal | None) -> str | None:
        """序时: points behind pace (negative: ahead). None (no plan amount): no light."""
        if points_behind is None:
            return None
        if points_behind > self.pace_red_points:
            return RED
        if points_behind >= self.pace_yellow_points:
            return YELLOW
        return GREEN

    def entry(self, started_on: date | None, on: date, entered: bool) -> str | None:
        """入库纳统 of an eligible project. No start date: no light."""
        if entered:
            return GREEN
        if started_on is None:
            return None
        if on >= add_months(started_on, self.entry_red_after_months):
            return RED
        if on >= add_months(started_on, self.entry_yellow_after_months):
            return YELLOW
        return GREEN

    def entry_lagging(self, started_on: date | None, on: date) -> bool:
        """滞后: eligible, not entered, `entry_yellow_after_months` or more after its start."""
        return started_on is not None and on >= add_months(started_on, self.entry_yellow_after_months)

    def procedure(self, due: date | None, on: date, approved: bool) -> str | None:
        """前期手续: approved, or pending against its due date. No due date: no light."""
        if approved:
            return GREEN
        if due is None:
            return None
        if on > due:
            return RED if (on - due).days >= self.procedure_red_after_days else YELLOW
        return YELLOW if (due - on).days <= self.procedure_warn_days else GREEN

    def problem(self, days_overdue: int, is_open: bool) -> str:
        if not is_open or days_overdue <= 0:
            return GREEN
        return RED if days_overdue >= self.problem_red_after_days else YELLOW

    # ---- configuration ------------------------------------------------------------------
    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "Lights":
        """From the parsed TOML (tables starts, pace, stats_entry, procedures, problems, leaders);
        a key left out keeps its default; an unknown table or key is refused by name."""
        values: dict[str, Any] = {}
        by_key = {v: k for k, v in _KEYS.items()}
        for table, entries in data.items():
            if not isinstance(entries, Mapping):
                raise ValueError(f"{table}: expected a table [{table}], got {entries!r}")
            for key, value in entries.items():
                name = by_key.get(f"{table}.{key}")
                if name is None:
                    raise ValueError(f"unknown setting {table}.{key} (known: {', '.join(sorted(by_key))})")
                values[name] = _value(f"{table}.{key}", value, cls.__dataclass_fields__[name].type)
        return cls(**values)

    def as_mapping(self) -> dict[str, dict[str, Any]]:
        """The thresholds as the file spells them (numbers as JSON numbers or decimal strings)."""
        out: dict[str, dict[str, Any]] = {}
        for name, value in asdict(self).items():
            table, key = _KEYS[name].split(".")
            out.setdefault(table, {})[key] = str(value) if isinstance(value, Decimal) else value
        return out


_KEYS = {
    "start_yellow_after_days": "starts.yellow_after_days",
    "start_red_after_months": "starts.red_after_months",
    "pace_yellow_points": "pace.yellow_points",
    "pace_red_points": "pace.red_points",
    "entry_yellow_after_months": "stats_entry.yellow_after_months",
    "entry_red_after_months": "stats_entry.red_after_months",
    "procedure_warn_days": "procedures.warn_days",
    "procedure_red_after_days": "procedures.red_after_days",
    "problem_red_after_days": "problems.red_after_days",
    "visit_interval_days": "leaders.visit_interval_days",
}


def _value(key: str, value: Any, kind: Any) -> Any:
    if kind in (Decimal, "Decimal"):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(f"{key} must be a number, got {value!r}")
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f"{key} must be a number, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be a whole number, got {value!r}")
    return value


DEFAULT_LIGHTS = Lights()
