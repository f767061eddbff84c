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

# What a query accepts, whole and exactly (the OpenAPI document states these same patterns:
# services/entry/http/schemas.py). ASCII digits only; years limits.YEAR_MIN-YEAR_MAX (1990-2199);
# no surrounding blanks. tests/unit/projections/test_periods_patterns.py proves each pattern equals its parser.
YEAR = r"(?:199[0-9]|2[01][0-9]{2})"
_MONTH_DAY = (r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"  # every month has days 1-28
              r"|(?:0[13-9]|1[0-2])-(?:29|30)"  # every month but February has 29 and 30
              r"|(?:0[13578]|1[02])-31)")  # the long months
_LEAP_YEAR = r"(?:199[26]|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))"  # 2000, not 2100
DATE = rf"(?:{YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"  # a real calendar day YYYY-MM-DD
PERIOD = rf"{YEAR}(?:H[12]|Q[1-4]|-(?:0[1-9]|1[0-2]))?"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
_OFFSET = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):?[0-5][0-9]|14:?00))"  # whole minutes within ±14:00 (+08:00 or +0800)
AS_OF = rf"{DATE}(?:[T ]{_TIME}{_OFFSET}?)?"  # a date (its end), or a timestamp (naive: Asia/Shanghai)


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
    match = _PERIOD.fullmatch(text) if isinstance(text, str) else None
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
    return Period(text, year, date(year, last_month, last_day))


def parse_as_of(text: str | None, now: datetime | None = None) -> datetime:
    """A recorded time: ISO timestamp (a naive one is Asia/Shanghai), or a date meaning the end of that day;
    `AS_OF` exactly (years 1990-2199, offsets in whole minutes within ±14:00, ASCII digits)."""
    if text is None:
        return (now or datetime.now(LOCAL)).astimezone(LOCAL)
    if not isinstance(text, str) or not re.fullmatch(AS_OF, text):
        if isinstance(text, str) and re.fullmatch(r"[0-9]{4}-.*", text) and not re.fullmatch(rf"{YEAR}-.*", text):
            raise ValueError(f"as-of year must be {limits.YEAR_MIN}–{limits.YEAR_MAX}, got {text!r}")
        raise ValueError(f"as-of must be a date YYYY-MM-DD or an ISO-8601 timestamp YYYY-MM-DDTHH:MM[:SS[.ffffff]]"
                         f"[±HH:MM|±HHMM|Z], got {text!r}")
    try:
        if "T" not in text and " " not in text:
            day = date.fromisoformat(text)
            return datetime.combine(day, time(23, 59, 59, 999999), LOCAL)
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"as-of must be a date YYYY-MM-DD or an ISO-8601 timestamp, got {text!r}") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=LOCAL)


def parse_day(text: str, what: str = "date") -> date:
    """A business date: `DATE` exactly (YYYY-MM-DD, a real day, years 1990-2199)."""
    if not isinstance(text, str) or not re.fullmatch(DATE, text):
        if isinstance(text, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            if not re.fullmatch(YEAR, text[:4]):
                raise ValueError(f"{what} year must be {limits.YEAR_MIN}–{limits.YEAR_MAX}, got {text!r}")
            raise ValueError(f"{what} is not a real date: {text!r}")
        raise ValueError(f"{what} must be a date YYYY-MM-DD, got {text!r}")
    return date.fromisoformat(text)


def to_micros(stamp: datetime) -> int:
    """UTC microseconds since the epoch: the ordering key of `recorded_at`."""
    return (stamp - EPOCH) // timedelta(microseconds=1)
