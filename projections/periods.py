"""Report periods: `2025`, `2025H1`, `2025Q3`, `2025-05`; through = the period's last day."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from events import limits

LOCAL = ZoneInfo("Asia/Shanghai")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_PERIOD = re.compile(r"([0-9]{4})(?:(H[12])|(Q[1-4])|-([0-9]{2}))?")


@dataclass(frozen=True)
class Period:
    label: str
    year: int
    through: date

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def month(self) -> int:
        return self.through.month

    @property
    def pace(self) -> Decimal:
        """序时进度: months elapsed ÷ 12."""
        return (Decimal(self.month) / Decimal(12)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def parse_period(text: str) -> Period:
    match = _PERIOD.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"period must be YYYY, YYYYH1, YYYYQ3 or YYYY-MM, got {text!r}")
    year = int(match.group(1))
    if not limits.YEAR_MIN <= year <= limits.YEAR_MAX:
        raise ValueError(f"period year must be {limits.YEAR_MIN}–{limits.YEAR_MAX}, got {text!r}")
    half, quarter, month = match.group(2), match.group(3), match.group(4)
    if half:
        last_month = 6 * int(half[1])
    elif quarter:
        last_month = 3 * int(quarter[1])
    elif month:
        last_month = int(month)
        if not 1 <= last_month <= 12:
            raise ValueError(f"month must be 01–12, got {text!r}")
    else:
        last_month = 12
    last_day = calendar.monthrange(year, last_month)[1]
    return Period(text.strip(), year, date(year, last_month, last_day))


def parse_as_of(text: str | None, now: datetime | None = None) -> datetime:
    """A recorded time: ISO timestamp (a naive one is Asia/Shanghai), or a date meaning the end of that day."""
    if text is None:
        return (now or datetime.now(LOCAL)).astimezone(LOCAL)
    text = text.strip()
    try:
        if "T" not in text and " " not in text:
            day = date.fromisoformat(text)
            return datetime.combine(day, time(23, 59, 59, 999999), LOCAL)
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"as-of must be a date YYYY-MM-DD or an ISO-8601 timestamp, got {text!r}") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=LOCAL)


def to_micros(stamp: datetime) -> int:
    """UTC microseconds since the epoch: the ordering key of `recorded_at`."""
    return (stamp - EPOCH) // timedelta(microseconds=1)
