"""Value types of the contract: amounts, targets, local dates, timestamps, names, enums.

JSON gives strings, numbers and booleans; the Avro wire gives `Decimal` and `date`.
Both are accepted here; a JSON number where a decimal string is required is refused,
because binary floating point never carries money.

Every limit comes from `events/limits.py`. Digits are the ASCII digits (`[0-9]`, never `\\d`,
which is Unicode in both `re` and the Rust regex pydantic uses) and a pattern matches the whole
value (`fullmatch`; `$` alone would let a final newline through).

Enums come in versions: a published version's enum never changes. The unsuffixed class is the
latest (what projections see, after upcasting); `<Name>V1` is the frozen set of schema_version 1,
which keeps its Avro name (`__avro_name__`), so that data written with v1 resolves under v2.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, StringConstraints, WithJsonSchema

from events import limits

CENT = Decimal("0.01")
TEN_THOUSANDTH = Decimal("0.0001")
_ONE = Decimal(1)


def shown(value: Any) -> str:
    """`repr(value)`, cut short: an error message never carries a whole megabyte back."""
    text = repr(value)
    return text if len(text) <= limits.SHOWN_MAX else text[: limits.SHOWN_MAX - 1] + "…"


# ---- strings -----------------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_IN_FREE_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _refuse_control(found: re.Match, allowed: str) -> None:
    char = found.group()
    kind = "a lone surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
    raise ValueError(f"must not contain {kind} (U+{ord(char):04X} at position {found.start()}){allowed}")


def single_line(value: str) -> str:
    """A name or code: no control character at all (no NUL, no line break, no tab)."""
    found = _CONTROL.search(value)
    if found:
        _refuse_control(found, "; line breaks and tabs are allowed only in free text")
    return value


def free_text(value: str) -> str:
    """Free text: line breaks (\\n) and tabs (\\t), but no other control character."""
    found = _CONTROL_IN_FREE_TEXT.search(value)
    if found:
        _refuse_control(found, "; only line breaks (\\n) and tabs (\\t) are allowed")
    return value


def text_type(max_length: int, *, multiline: bool = False) -> Any:
    """A non-empty string of at most `max_length` characters, without control characters."""
    return Annotated[
        str,
        StringConstraints(strict=True, min_length=1, max_length=max_length),
        AfterValidator(free_text if multiline else single_line),
    ]


def pattern_type(pattern: str, max_length: int | None = None) -> Any:
    """A string matching `pattern` whole (ASCII only by construction of the pattern)."""
    return Annotated[str, StringConstraints(strict=True, max_length=max_length, pattern=pattern)]


Text = text_type(limits.TEXT_MAX, multiline=True)              # free text: description, reason
Name = text_type(limits.NAME_MAX)                               # township, village, leader, title …
OrgName = text_type(limits.ORG_NAME_MAX)                        # owner, investor, authority, unit …
ProjectName = text_type(limits.PROJECT_NAME_MAX)                # 项目名称
DocumentNo = text_type(limits.DOCUMENT_NO_MAX)                  # 文号
SystemName = text_type(limits.SYSTEM_MAX)                       # source.system
Code = Annotated[
    str,
    StringConstraints(strict=True, min_length=1, max_length=limits.CODE_MAX, pattern=r"^\S+$"),
    AfterValidator(single_line),
]
RegionCode = pattern_type(r"^[0-9]{6}$")
RegionPrefix = pattern_type(r"^(?:[0-9]{2}|[0-9]{4}|[0-9]{6})$")


# ---- decimals ----------------------------------------------------------------------------------
_DECIMAL = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")
_UNICODE_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")


def _parts(value: Any, what: str, expected: str) -> tuple[bool, int, int, str]:
    """(negative, digits before the point, decimal places, the text shown) of a decimal string or a
    Decimal (from the Avro wire, which allows any sign and size)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{what} must be a finite number, got {value}")
        if not value:
            return False, 1, 0, "0"
        sign, digits, exponent = value.normalize().as_tuple()
        assert isinstance(exponent, int)
        before = max(len(digits) + exponent, 1)
        after = max(-exponent, 0)
        text = format(value, "f") if -40 < value.adjusted() < 40 else str(value)
        return bool(sign), before, after, shown(text)
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"{what} must be {expected}, got {type(value).__name__} {shown(value)}")
    found = _DECIMAL.fullmatch(value)
    if not found:
        if _UNICODE_DECIMAL.fullmatch(value):
            raise ValueError(f"{what} must be written with the ASCII digits 0-9, got {shown(value)}")
        raise ValueError(f"{what} must be {expected}, got {shown(value)}")
    negative, before, after = found.groups()
    return negative == "-", len(before), len(after or ""), shown(value)


def _decimal(value: Any, what: str, *, digits: int, places: int, signed: bool) -> Decimal:
    negative, before, after, given = _parts(value, what, f"a decimal string with at most {places} decimal places")
    if negative and not signed:
        raise ValueError(f"{what} must be ≥ 0, got {given}")
    if before > digits:
        raise ValueError(f"{what} must have at most {digits} digits before the point, got {given}")
    if after > places:
        raise ValueError(f"{what} must have at most {places} decimal places, got {given}")
    return Decimal(value).quantize(_ONE.scaleb(-places))


def parse_amount(value: Any) -> Decimal:
    """万元: a decimal string, ≥ 0, at most 16 digits before the point and 2 after."""
    return _decimal(value, "amount", digits=limits.AMOUNT_DIGITS, places=limits.AMOUNT_PLACES, signed=False)


def parse_target(value: Any) -> Decimal:
    """A target of a rate figure: a decimal string (a fraction; any sign), at most 8 digits
    before the point and 4 after. TargetSet v1's target (every v1 figure is a rate)."""
    return _decimal(value, "target", digits=limits.RATE_TARGET_DIGITS, places=limits.RATE_TARGET_PLACES, signed=True)


def parse_any_target(value: Any) -> Decimal:
    """TargetSet v2's target before its figure's kind is looked at: any kind's digits fit."""
    return _decimal(value, "target", digits=limits.TARGET_DIGITS, places=limits.TARGET_PLACES, signed=True)


def _parse_count(value: Any, what: str) -> Decimal:
    if isinstance(value, str) and _DECIMAL.fullmatch(value) and "." in value:
        raise ValueError(f"{what} must be an integer string (a number of projects), got {shown(value)}")
    negative, before, after, given = _parts(value, what, "an integer string (a number of projects)")
    if after:
        raise ValueError(f"{what} must be an integer string (a number of projects), got {given}")
    if negative:
        raise ValueError(f"{what} must be ≥ 0, got {given}")
    if before > limits.COUNT_DIGITS:
        raise ValueError(f"{what} must have at most {limits.COUNT_DIGITS} digits, got {given}")
    return Decimal(value).quantize(_ONE)


def parse_figure_target(value: Any, kind: "FigureKind") -> Decimal:
    """A target by its figure's kind (CONTRACT §5): rate as v1; amount 万元 (≥ 0, ≤ 2 places);
    count an integer string (≥ 0). Returns the Decimal at the kind's places."""
    what = f"target of {kind.value} figure"
    if kind is FigureKind.amount:
        return _decimal(value, what, digits=limits.AMOUNT_DIGITS, places=limits.AMOUNT_PLACES, signed=False)
    if kind is FigureKind.count:
        return _parse_count(value, what)
    return _decimal(value, what, digits=limits.RATE_TARGET_DIGITS, places=limits.RATE_TARGET_PLACES, signed=True)


def format_figure_target(value: Decimal, kind: "FigureKind") -> str:
    if kind is FigureKind.amount:
        return f"{value:.2f}"
    if kind is FigureKind.count:
        return f"{value:.0f}"
    return f"{value:.4f}"


def _coordinate(value: Any, what: str, low: int, high: int, direction: str) -> Decimal:
    number = _decimal(value, what, digits=3, places=limits.COORDINATE_PLACES, signed=True)
    if not low <= number <= high:
        raise ValueError(f"{what} must be between {low} and {high} (degrees {direction}, WGS-84, inside China), "
                         f"got {shown(value)}")
    return number


def parse_longitude(value: Any) -> Decimal:
    """WGS-84 longitude east, a decimal string with at most 6 places, within China's extent."""
    return _coordinate(value, "lng", limits.LONGITUDE_MIN, limits.LONGITUDE_MAX, "east")


def parse_latitude(value: Any) -> Decimal:
    """WGS-84 latitude north, a decimal string with at most 6 places, within China's extent."""
    return _coordinate(value, "lat", limits.LATITUDE_MIN, limits.LATITUDE_MAX, "north")


# ---- dates and times ---------------------------------------------------------------------------
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _in_years(day: date, given: Any) -> None:
    if not limits.YEAR_MIN <= day.year <= limits.YEAR_MAX:
        raise ValueError(f"the year must be between {limits.YEAR_MIN} and {limits.YEAR_MAX}, got {shown(given)}")


def parse_local_date(value: Any) -> date:
    """A business date, `YYYY-MM-DD`, local to Asia/Shanghai; it must exist in the calendar and lie
    in the years 1990-2199."""
    if isinstance(value, datetime):
        raise ValueError(f"must be a date YYYY-MM-DD, got a timestamp {shown(value)}")
    if isinstance(value, date):
        day = value
    elif not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError(f"must be a date YYYY-MM-DD, got {shown(value)}")
    else:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"is not a real date: {shown(value)}") from None
    _in_years(day, value)
    return day


def parse_timestamp(value: Any) -> datetime:
    """An ISO-8601 timestamp with an explicit offset: ASCII, an offset in whole minutes within
    ±14:00, a year in 1990-2199 (so that its ISO text is at most 32 characters)."""
    if isinstance(value, datetime):
        stamp = value
    elif isinstance(value, str) and "T" in value and value.isascii():
        try:
            stamp = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"must be an ISO-8601 timestamp with offset, got {shown(value)}") from None
    else:
        raise ValueError(f"must be an ISO-8601 timestamp with offset, got {shown(value)}")
    offset = stamp.utcoffset()
    if stamp.tzinfo is None or offset is None:
        raise ValueError(f"must carry a time-zone offset, got {shown(value)}")
    if offset % timedelta(minutes=1) or abs(offset) > limits.OFFSET_MAX:
        raise ValueError(f"the offset must be whole minutes within ±14:00, got {shown(value)}")
    _in_years(stamp, value)
    return stamp


def format_amount(value: Decimal) -> str:
    return f"{value:.2f}"


def format_target(value: Decimal) -> str:
    return f"{value:.4f}"


def format_coordinate(value: Decimal) -> str:
    return f"{value:.6f}"


def _decimal_schema(digits: int, places: int, signed: bool) -> dict:
    return {"type": "string", "pattern": f"^{'-?' if signed else ''}[0-9]{{1,{digits}}}(\\.[0-9]{{1,{places}}})?$"}


Amount = Annotated[
    Decimal,
    BeforeValidator(parse_amount),
    PlainSerializer(format_amount, return_type=str, when_used="json"),
    WithJsonSchema(_decimal_schema(limits.AMOUNT_DIGITS, limits.AMOUNT_PLACES, signed=False)),
]
Target = Annotated[
    Decimal,
    BeforeValidator(parse_target),
    PlainSerializer(format_target, return_type=str, when_used="json"),
    WithJsonSchema(_decimal_schema(limits.RATE_TARGET_DIGITS, limits.RATE_TARGET_PLACES, signed=True)),
]
# TargetSet v2: the model checks the figure's kind and writes the JSON by it.
AnyTarget = Annotated[
    Decimal,
    BeforeValidator(parse_any_target),
    WithJsonSchema(_decimal_schema(limits.TARGET_DIGITS, limits.TARGET_PLACES, signed=True)),
]
Longitude = Annotated[
    Decimal,
    BeforeValidator(parse_longitude),
    PlainSerializer(format_coordinate, return_type=str, when_used="json"),
    WithJsonSchema(_decimal_schema(3, limits.COORDINATE_PLACES, signed=True)),
]
Latitude = Annotated[
    Decimal,
    BeforeValidator(parse_latitude),
    PlainSerializer(format_coordinate, return_type=str, when_used="json"),
    WithJsonSchema(_decimal_schema(3, limits.COORDINATE_PLACES, signed=True)),
]
LocalDate = Annotated[date, BeforeValidator(parse_local_date), WithJsonSchema({"type": "string", "format": "date"})]
Timestamp = Annotated[
    datetime,
    BeforeValidator(parse_timestamp),
    PlainSerializer(lambda v: v.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


# ---- enums -------------------------------------------------------------------------------------


class Origin(str, Enum):
    investment_attraction = "investment_attraction"
    government = "government"
    enterprise = "enterprise"


class CategoryV1(str, Enum):
    __avro_name__ = "Category"

    industrial = "industrial"
    private = "private"
    high_tech = "high_tech"
    transformation = "transformation"
    six_new = "six_new"
    two_new_one_heavy = "two_new_one_heavy"


class Category(str, Enum):
    """工业, 民间, 高技术, 转型, 六新, 两新一重, 产业项目 (industry: v2)."""

    __avro_namespace__ = "projfacts.events.v2"  # revised in catalogue v2

    industrial = "industrial"
    private = "private"
    high_tech = "high_tech"
    transformation = "transformation"
    six_new = "six_new"
    two_new_one_heavy = "two_new_one_heavy"
    industry = "industry"


class ProcedureV1(str, Enum):
    """前期手续: 立项, 用地预审与选址, 用地批复, 规划许可, 环评, 能评, 水土保持, 施工许可."""

    __avro_name__ = "Procedure"

    approval_filing = "approval_filing"
    land_pre_review = "land_pre_review"
    land_approval = "land_approval"
    planning_permit = "planning_permit"
    eia = "eia"
    energy_review = "energy_review"
    soil_water = "soil_water"
    construction_permit = "construction_permit"


class Procedure(str, Enum):
    """前期手续: 立项, 用地预审与选址, 用地批复, 规划许可, 环评, 能评, 水土保持, 施工许可; v2 adds
    产能置换, 取水许可, 文物保护, 消防验收 (new codes are appended: a code's position never changes)."""

    __avro_namespace__ = "projfacts.events.v2"  # revised in catalogue v2

    approval_filing = "approval_filing"
    land_pre_review = "land_pre_review"
    land_approval = "land_approval"
    planning_permit = "planning_permit"
    eia = "eia"
    energy_review = "energy_review"
    soil_water = "soil_water"
    construction_permit = "construction_permit"
    capacity_replacement = "capacity_replacement"
    water_use = "water_use"
    cultural_relics = "cultural_relics"
    fire_acceptance = "fire_acceptance"


class ProcedureLevel(str, Enum):
    """办理层级: who grants a procedure."""

    county = "county"
    city = "city"
    province = "province"
    national = "national"


class FundingChannel(str, Enum):
    """争取资金: 中央预算内投资, 地方政府专项债券, 超长期特别国债, 省级资金, other."""

    central_budget = "central_budget"
    special_bond = "special_bond"
    ultra_long_bond = "ultra_long_bond"
    provincial = "provincial"
    other = "other"


class LeaderRole(str, Enum):
    """包联: a leader (包联领导), the lead unit (牵头部门) or a supporting unit (帮办部门)."""

    leader = "leader"
    lead_unit = "lead_unit"
    support_unit = "support_unit"


class Construction(str, Enum):
    """新建 new / 续建 continuing."""

    new = "new"
    continuing = "continuing"


class KeyLevel(str, Enum):
    """省/市/县重点工程."""

    province = "province"
    city = "city"
    county = "county"


class EscalationLevel(str, Enum):
    county = "county"
    city = "city"
    province = "province"


class MilestoneV1(str, Enum):
    """The period a target is for: Q1, H1, Q3 or the whole year."""

    __avro_name__ = "Milestone"

    Q1 = "Q1"
    H1 = "H1"
    Q3 = "Q3"
    Y = "Y"


class Milestone(str, Enum):
    """The day a target is for: the end of Q1, H1, Q3, the year, or of a month M01-M12."""

    __avro_namespace__ = "projfacts.events.v2"  # revised in catalogue v2

    Q1 = "Q1"
    H1 = "H1"
    Q3 = "Q3"
    Y = "Y"
    M01 = "M01"
    M02 = "M02"
    M03 = "M03"
    M04 = "M04"
    M05 = "M05"
    M06 = "M06"
    M07 = "M07"
    M08 = "M08"
    M09 = "M09"
    M10 = "M10"
    M11 = "M11"
    M12 = "M12"


# The month whose last day a milestone is: `M03` and `Q1` are the same day.
MILESTONE_MONTHS: MappingProxyType[str, int] = MappingProxyType(
    {"Q1": 3, "H1": 6, "Q3": 9, "Y": 12, **{f"M{month:02d}": month for month in range(1, 13)}}
)


class FigureIdV1(str, Enum):
    __avro_name__ = "FigureId"

    new_start_rate = "new_start_rate"
    resume_rate = "resume_rate"
    start_or_resume_rate = "start_or_resume_rate"
    investment_completion_rate = "investment_completion_rate"
    signed_same_year_start_rate = "signed_same_year_start_rate"
    reserve_conversion_rate = "reserve_conversion_rate"
    procedure_completion_rate = "procedure_completion_rate"
    stats_entry_rate = "stats_entry_rate"
    investment_growth = "investment_growth"
    reserve_multiple = "reserve_multiple"
    problem_on_time_rate = "problem_on_time_rate"


class FigureId(str, Enum):
    """The figures of CONTRACT §3 (rates) and §6."""

    __avro_namespace__ = "projfacts.events.v2"  # revised in catalogue v2

    new_start_rate = "new_start_rate"
    resume_rate = "resume_rate"
    start_or_resume_rate = "start_or_resume_rate"
    investment_completion_rate = "investment_completion_rate"
    signed_same_year_start_rate = "signed_same_year_start_rate"
    reserve_conversion_rate = "reserve_conversion_rate"
    procedure_completion_rate = "procedure_completion_rate"
    stats_entry_rate = "stats_entry_rate"
    investment_growth = "investment_growth"
    reserve_multiple = "reserve_multiple"
    problem_on_time_rate = "problem_on_time_rate"
    investment_total = "investment_total"
    investment_share = "investment_share"
    signed_investment = "signed_investment"
    funding_secured = "funding_secured"
    reserve_investment = "reserve_investment"
    landing_rate = "landing_rate"
    signed_count = "signed_count"
    landed_count = "landed_count"
    started_count = "started_count"
    production_count = "production_count"
    output_count = "output_count"
    due_start_rate = "due_start_rate"
    conceived_multiple = "conceived_multiple"
    conceived_count_multiple = "conceived_count_multiple"
    reserve_to_conceived = "reserve_to_conceived"


class FigureKind(str, Enum):
    """CONTRACT §6: a rate (numerator ÷ denominator), an amount (万元) or a count (projects)."""

    rate = "rate"
    amount = "amount"
    count = "count"


_AMOUNT_FIGURES = {"investment_total", "signed_investment", "funding_secured", "reserve_investment"}
_COUNT_FIGURES = {"signed_count", "landed_count", "started_count", "production_count", "output_count"}

# figure id -> its kind: the one mapping (CONTRACT §3 and §6). Every §3 figure is a rate.
FIGURE_KINDS: MappingProxyType[str, FigureKind] = MappingProxyType({
    figure.value: FigureKind.amount if figure.value in _AMOUNT_FIGURES
    else FigureKind.count if figure.value in _COUNT_FIGURES
    else FigureKind.rate
    for figure in FigureId
})
