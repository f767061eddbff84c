"""Value types of the contract: amounts, targets, local dates, timestamps, enums.

JSON gives strings, numbers and booleans; the Avro wire gives `Decimal` and `date`.
Both are accepted here; a JSON number where a decimal string is required is refused,
because binary floating point never carries money.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, StringConstraints, WithJsonSchema

_AMOUNT = re.compile(r"^\d{1,16}(\.\d{1,2})?$")
_TARGET = re.compile(r"^-?\d{1,8}(\.\d{1,4})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CENT = Decimal("0.01")
TEN_THOUSANDTH = Decimal("0.0001")


def _decimal_string(value: Any, pattern: re.Pattern, places: int, what: str) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    if isinstance(value, Decimal):
        # From the Avro wire, which allows any sign and size: held to the same rules as a string.
        value = format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(
            f"{what} must be a decimal string with at most {places} decimal places, "
            f"got {type(value).__name__} {value!r}"
        )
    if not pattern.match(value):
        raise ValueError(f"{what} must be a decimal string with at most {places} decimal places, got {value!r}")
    return Decimal(value).quantize(quantum)


def parse_amount(value: Any) -> Decimal:
    """万元, a non-negative decimal string with at most 2 decimal places."""
    return _decimal_string(value, _AMOUNT, 2, "amount")


def parse_target(value: Any) -> Decimal:
    """A target: decimal string with at most 4 places (a fraction for rates)."""
    return _decimal_string(value, _TARGET, 4, "target")


def parse_local_date(value: Any) -> date:
    """A business date, `YYYY-MM-DD`, local to Asia/Shanghai; it must exist in the calendar."""
    if isinstance(value, datetime):
        raise ValueError(f"must be a date YYYY-MM-DD, got a timestamp {value!r}")
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError(f"must be a date YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"is not a real date: {value!r}") from None


def parse_timestamp(value: Any) -> datetime:
    """An ISO-8601 timestamp with an explicit offset."""
    if isinstance(value, datetime):
        stamp = value
    elif isinstance(value, str) and "T" in value:
        try:
            stamp = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"must be an ISO-8601 timestamp with offset, got {value!r}") from None
    else:
        raise ValueError(f"must be an ISO-8601 timestamp with offset, got {value!r}")
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        raise ValueError(f"must carry a time-zone offset, got {value!r}")
    return stamp


def format_amount(value: Decimal) -> str:
    return f"{value:.2f}"


def format_target(value: Decimal) -> str:
    return f"{value:.4f}"


Amount = Annotated[
    Decimal,
    BeforeValidator(parse_amount),
    PlainSerializer(format_amount, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": _AMOUNT.pattern}),
]
Target = Annotated[
    Decimal,
    BeforeValidator(parse_target),
    PlainSerializer(format_target, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": _TARGET.pattern}),
]
LocalDate = Annotated[date, BeforeValidator(parse_local_date), WithJsonSchema({"type": "string", "format": "date"})]
Timestamp = Annotated[
    datetime,
    BeforeValidator(parse_timestamp),
    PlainSerializer(lambda v: v.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Text = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=2000)]
Code = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=128, pattern=r"^\S+$")]
RegionCode = Annotated[str, StringConstraints(strict=True, pattern=r"^\d{6}$")]
RegionPrefix = Annotated[str, StringConstraints(strict=True, pattern=r"^(\d{2}|\d{4}|\d{6})$")]


class Origin(str, Enum):
    investment_attraction = "investment_attraction"
    government = "government"
    enterprise = "enterprise"


class Category(str, Enum):
    industrial = "industrial"
    private = "private"
    high_tech = "high_tech"
    transformation = "transformation"
    six_new = "six_new"
    two_new_one_heavy = "two_new_one_heavy"


class Procedure(str, Enum):
    """前期手续: 立项, 用地预审与选址, 用地批复, 规划许可, 环评, 能评, 水土保持, 施工许可."""

    approval_filing = "approval_filing"
    land_pre_review = "land_pre_review"
    land_approval = "land_approval"
    planning_permit = "planning_permit"
    eia = "eia"
    energy_review = "energy_review"
    soil_water = "soil_water"
    construction_permit = "construction_permit"


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


class Milestone(str, Enum):
    """The period a target is for: Q1, H1, Q3 or the whole year."""

    Q1 = "Q1"
    H1 = "H1"
    Q3 = "Q3"
    Y = "Y"


class FigureId(str, Enum):
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
