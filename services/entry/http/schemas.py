"""The OpenAPI description, as strict as the server: the query and path parameters with the
patterns their parsers accept, one schema per event type and version for `POST /v1/events`
(generated from the catalogue's pydantic models), and every response with its shape.

The handlers return the same JSON bytes the CLI prints with `--format json`; the response models
here document them. The parameters' rules are the parsers' own (projections/periods.py: DATE,
PERIOD, AS_OF; services/query/views.py: the region prefix; events/envelope.py: the project id), so
that the document and the server cannot drift apart: tests/integration/api/test_schemathesis.py
runs schemathesis against the app, with data the document allows and data it forbids.
"""
from __future__ import annotations

from itertools import groupby
from typing import Any

from fastapi import FastAPI, Query
from fastapi import Path as PathParam
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from events import limits
from events.envelope import PROJECTLESS_TYPES
from events.registry import REGISTRY
from projections.periods import AS_OF as AS_OF_PATTERN, DATE, PERIOD as PERIOD_PATTERN

# ---- the parameters, as the server checks them ---------------------------------------------------
REGION_PATTERN = r"^(?:[0-9]{2}|[0-9]{4}|[0-9]{6})$"  # services.query.views.check_region
PROJECT_ID_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z_.\-]*$"  # events.envelope.ProjectId
LEDGER_KINDS = ["starts", "procedures", "stats-entry", "problems", "leaders", "funding"]  # services.query.desk


def _string(pattern: str, **more) -> dict:
    return {"json_schema_extra": {"pattern": pattern, **more}}


REGION = Query(..., description="Region code prefix (ASCII digits): 14 (Shanxi), 1405 (晋城), 140522 (阳城). "
                                "A prefix under which no project is registered is unknown: 404.",
               examples=["140522"], **_string(REGION_PATTERN))
_PERIOD_TEXT = "2025, 2025H1, 2025Q3 or 2025-05 (through = that period's last day); years 1990–2199."
PERIOD = Query(..., description=_PERIOD_TEXT, examples=["2025Q1"], **_string(f"^{PERIOD_PATTERN}$"))
AS_OF = Query(None, description="Recorded time: a date YYYY-MM-DD meaning its end, or a timestamp "
                                "YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|±HH:MM|±HHMM] (naive: Asia/Shanghai; offsets in whole "
                                "minutes within ±14:00); years 1990–2199. Default: now.",
              examples=["2025-04-10"], **_string(f"^{AS_OF_PATTERN}$"))
ON = Query(None, description="Business date YYYY-MM-DD (a real day, 1990–2199) the view is for. "
                             "Default: today (Asia/Shanghai).", **_string(f"^{DATE}$", format="date"))
VINTAGE_FROM = Query(..., alias="from", description="The earlier vintage: a recorded time, as `as_of`.",
                     examples=["2025-04-10"], **_string(f"^{AS_OF_PATTERN}$"))
VINTAGE_TO = Query(None, alias="to", description="The later vintage, as `as_of` (default: now); after `from`, "
                                                 "else 400.", **_string(f"^{AS_OF_PATTERN}$"))
LEVEL = Query(None, description="Keep key projects of this level (重点工程级别).")
CATEGORY = Query(None, description="Keep projects whose registration lists this category (项目类别).")
POLICY = Query("default", description="Deadline policy: default (remind 3 days ahead) or 13710 (handling deadlines "
                                      "from the assignment: 1, 3, 7 days, 1 month).")
REMIND = Query(None, ge=0, le=365, description="Override the policy's reminder window (提醒), in days.")
PROJECT_ID = PathParam(..., description="项目代码 (ASCII letters, digits and `_ . -`). A project the store holds no "
                                        "fact about is unknown: 404.",
                       examples=["2501-140522-04-01-000123"],
                       **_string(PROJECT_ID_PATTERN, minLength=1, maxLength=limits.PROJECT_ID_MAX))
# the desk (services/entry/http/desk.py)
DESK_ON = Query(None, description="Business date YYYY-MM-DD (a real day, 1990–2199). Default: the as-of day "
                                  "(today). Not with `period`.", **_string(f"^{DATE}$", format="date"))
DESK_PERIOD = Query(None, description="Instead of `on`: " + _PERIOD_TEXT.replace("(through = that period's last day)",
                                                                                 "— its last day, but never later "
                                                                                 "than the as-of day"),
                    **_string(f"^{PERIOD_PATTERN}$"))
LEDGER_PERIOD = Query(..., description="2025, 2025H1, 2025Q3 or 2025-05 — its last day, but never later than the "
                                       "as-of day; years 1990–2199.", examples=["2025Q2"],
                      **_string(f"^{PERIOD_PATTERN}$"))
YEAR = Query(None, description="Plan year of the list, 1990–2199 (default: the year of the date).",
             json_schema_extra={"minimum": limits.YEAR_MIN, "maximum": limits.YEAR_MAX})
KIND = PathParam(..., description="starts, procedures, stats-entry, problems, leaders or funding.",
                 examples=["starts"], json_schema_extra={"enum": LEDGER_KINDS})


class ErrorBody(BaseModel):
    """A refused request: which event, which field, and why."""

    event_id: str | None = None
    field: str | None = None
    reason: str


def _error(text: str) -> dict:
    return {"model": ErrorBody, "description": text}


# The refusals every read may answer: a parameter the server refuses (the body names it), a
# reader token missing or not allowed (when the server asks for one), a region or project the
# store knows nothing of. (422: a parameter FastAPI itself checks — an enum, an integer's range.)
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("A parameter is invalid: the body names it and why."),
    401: _error("Missing, unknown or revoked token (when reads require a token)."),
    403: _error("The token may not read this region."),
    404: _error("Unknown region (no project registered under the prefix) or unknown project."),
}


class Accepted(BaseModel):
    event_id: str
    outcome: str = Field(description="`appended` (new) or `duplicate` (same id and content, a no-op)")
    position: int = Field(description="position of the event in the log")
    recorded_at: str = Field(description="when the system learned it (stamped on append)")


class PageOut(BaseModel):
    """Where a paged answer is (services/entry/http/paging.py): present when `limit` or `cursor` was given."""

    list: str = Field(description="the answer's list that is paged (a dotted path)")
    cursor: str
    limit: int | None
    total: int = Field(description="items in the whole list")
    next_cursor: str | None = Field(description="the next page's cursor; null on the last page")


class FigureOut(BaseModel):
    kind: str = Field(description="rate, amount (万元) or count")
    numerator: int | str
    denominator: int | str | None
    value: int | str | None
    target: str | None = None
    behind: bool | None = None


class ReportOut(BaseModel):
    """CONTRACT.md §4 and §6 `projfacts report --format json`."""

    region: str
    region_name: str | None
    period: str
    through: str
    as_of: str
    figures: dict[str, FigureOut]
    pace: str


class ExplainItem(BaseModel):
    project_id: str
    amount: int | str
    events: list[str]


class ExplainSide(BaseModel):
    value: int | str | None
    items: list[ExplainItem]


class ExplainOut(BaseModel):
    figure: str
    formula: str
    numerator: ExplainSide
    denominator: ExplainSide
    page: PageOut | None = None


class RankRow(BaseModel):
    rank: int | None = Field(description="standard competition ranking; null: no value, unranked")
    region: str
    region_name: str | None
    township: str | None
    numerator: int | str
    denominator: int | str | None
    value: int | str | None
    target: str | None
    behind: bool | None


class RankOut(BaseModel):
    """CONTRACT.md §7 `projfacts rank --format json`."""

    figure: str
    region: str
    period: str
    through: str
    as_of: str
    rows: list[RankRow]
    page: PageOut | None = None


class ViewOut(BaseModel):
    """A view for a region on a business date `on`, as of a recorded time."""

    region: str
    on: str
    as_of: str
    page: PageOut | None = None

    model_config = {"extra": "allow"}


class StagesOut(ViewOut):
    """项目阶段: counts per stage, flagged projects (续建未复工, 新建未开工), each project with its timeline."""

    counts: dict[str, int]
    flagged: dict[str, int]
    projects: list[dict[str, Any]]


class StatsEntryOut(ViewOut):
    """入库纳统: every project's eligibility and status, the 应统未统 list, counts per region and township."""

    projects: list[dict[str, Any]]
    not_entered: list[dict[str, Any]]
    by_region: list[dict[str, Any]]
    by_township: list[dict[str, Any]]


class LeadersOut(ViewOut):
    """领导包联: each leader's projects, visits within the interval, leaders flagged for a missed visit, units
    (包联部门, 帮办部门) apart."""

    month: str
    leaders: list[dict[str, Any]]
    flagged: list[str]
    by_project: dict[str, list[dict[str, Any]]]


class ProblemsOut(ViewOut):
    """问题闭环: open problems grouped, near deadline (提醒), overdue (帮办/督办), closure."""

    policy: dict[str, Any]
    open: int
    open_by_region: dict[str, int]
    open_by_township: dict[str, int]
    open_by_unit: dict[str, int]
    open_by_category: dict[str, int]
    near_deadline: list[dict[str, Any]]
    overdue: list[dict[str, Any]]
    escalation_candidates: list[str]
    closure: dict[str, Any]
    problems: list[dict[str, Any]]


class DossierOut(BaseModel):
    """一项一档: every fact of the project with retractions and supersessions, and its stage."""

    project_id: str
    on: str
    as_of: str
    project: dict[str, Any] | None
    stage: dict[str, Any] | None
    leaders: list[dict[str, Any]]
    counts: dict[str, int]
    facts: list[dict[str, Any]]
    page: PageOut | None = None


# ---- POST /v1/events: one schema per event type and version, from the catalogue ------------------
EVENT_SCHEMA: dict = {"$ref": "#/components/schemas/Event"}  # the request body; `document` adds the components
_UUID36 = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
# every form pydantic reads as a UUID (stored in the canonical lowercase hyphenated form)
UUID_PATTERN = rf"^(?:[0-9A-Fa-f]{{32}}|{_UUID36}|\{{{_UUID36}\}}|urn:uuid:{_UUID36})$"
TIMESTAMP_PATTERN = (f"^{DATE}T" r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
                     r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))$")
# No control character (Unicode Cc) in any string; free text alone may hold \n and \t (events/types.py).
SINGLE_LINE = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
FREE_TEXT = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"


def _walk(node: Any, visit) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _strict_strings(schema: dict) -> None:
    """What pydantic's JSON schema leaves to validators, written into the schema: the exact UUID,
    date and timestamp forms, and no control characters in names, codes and free text."""
    def visit(node: dict) -> None:
        if node.get("type") != "string":
            return
        if node.get("format") == "uuid":
            node["pattern"] = UUID_PATTERN
        elif node.get("format") == "date":
            node["pattern"] = f"^{DATE}$"
        elif node.get("format") == "date-time":
            node["pattern"] = TIMESTAMP_PATTERN
            node["maxLength"] = limits.TIMESTAMP_TEXT_MAX
        elif "maxLength" in node and "pattern" not in node:
            node["pattern"] = FREE_TEXT if node["maxLength"] == limits.TEXT_MAX else SINGLE_LINE
        elif node.get("pattern") == r"^\S+$":  # events.types.Code: no blank, no control character
            node["pattern"] = "^[^\\s\\u0000-\\u001f\\u007f-\\u009f]+$"
    _walk(schema, visit)


# WGS-84 degrees inside China (limits.LONGITUDE_*, LATITUDE_*): at most 3 digits before the point
# (so one leading zero for two-digit degrees), at most 6 places; the bounds themselves included.
_PLACES = r"(?:\.[0-9]{1,6})?"
_ZEROS = r"(?:\.0{1,6})?"
COORDINATE_PATTERNS = {
    "lng": rf"^(?:(?:0?(?:7[3-9]|[89][0-9])|1[0-2][0-9]|13[0-5]){_PLACES}|136{_ZEROS})$",
    "lat": rf"^(?:(?:0{{0,2}}[3-9]|0?[1-4][0-9]|0?5[0-3]){_PLACES}|0?54{_ZEROS})$",
}
assert (limits.LONGITUDE_MIN, limits.LONGITUDE_MAX, limits.LATITUDE_MIN, limits.LATITUDE_MAX) == (73, 136, 3, 54)


def _decimal_pattern(digits: int, places: int, signed: bool) -> str:
    return f"^{'-?' if signed else ''}[0-9]{{1,{digits}}}" + (f"(\\.[0-9]{{1,{places}}})?$" if places else "$")


def _only_with(field: str, needs: dict) -> dict:
    """JSON Schema for a validator's rule 'when `field` is given (not null), `needs` holds'."""
    return {"if": {"required": [field], "properties": {field: {"not": {"type": "null"}}}}, "then": needs}


def _cross_field_rules(components: dict) -> None:
    """The catalogue's validators that look at two fields (events/catalogue.py), as JSON Schema."""
    from events.types import FIGURE_KINDS, FigureKind

    for name, body in components.items():
        if name == "Location":
            for field, pattern in COORDINATE_PATTERNS.items():
                body["properties"][field]["pattern"] = pattern
        elif name == "ProjectRegistered.v2.payload":  # a village only with its township
            body.update(_only_with("village", {"required": ["township"],
                                               "properties": {"township": {"type": "string"}}}))
        elif name == "AnnualPlanAdopted.v2.payload":  # a 旬 only with a month
            body.update(_only_with("planned_start_dekad", {"required": ["planned_start_month"],
                                                           "properties": {"planned_start_month": {"type": "integer"}}}))
    target = components["TargetSet.v2.payload"]  # the target by its figure's kind; a township only in a county
    kinds = {
        FigureKind.rate: _decimal_pattern(limits.RATE_TARGET_DIGITS, limits.RATE_TARGET_PLACES, signed=True),
        FigureKind.amount: _decimal_pattern(limits.AMOUNT_DIGITS, limits.AMOUNT_PLACES, signed=False),
        FigureKind.count: _decimal_pattern(limits.COUNT_DIGITS, 0, signed=False),
    }
    target["oneOf"] = [{"properties": {
        "figure": {"enum": [figure for figure, k in FIGURE_KINDS.items() if k is kind]},
        "target": {"type": "string", "pattern": pattern}}, "description": f"a {kind.value} figure's target"}
        for kind, pattern in kinds.items()]
    target.update(_only_with("township", {"properties": {"region": {"pattern": r"^[0-9]{6}$"}}}))


def event_components() -> dict[str, dict]:
    """`Event` (a oneOf over the types, discriminated by `event_type`), one `<Type>` per type (a
    oneOf over its schema versions, told apart by `schema_version`), one `<Type>.v<N>` envelope per
    version and its `<Type>.v<N>.payload`, and the shared enums and objects — all generated from
    the pydantic models of the registry."""
    schemas = REGISTRY.schemas()
    models = [(s.event_model, "validation") for s in schemas] + [(s.payload_model, "validation") for s in schemas]
    refs, found = models_json_schema(models, ref_template="#/$defs/{model}")
    defs = found["$defs"]
    names = {}
    for s in schemas:
        names[refs[(s.event_model, "validation")]["$ref"].rsplit("/", 1)[1]] = f"{s.event_type}.v{s.version}"
        names[refs[(s.payload_model, "validation")]["$ref"].rsplit("/", 1)[1]] = f"{s.event_type}.v{s.version}.payload"
    components = {names.get(name, name): body for name, body in defs.items()}

    def rename(node: dict) -> None:
        if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/$defs/"):
            name = node["$ref"].rsplit("/", 1)[1]
            node["$ref"] = f"#/components/schemas/{names.get(name, name)}"
    _walk(components, rename)
    for s in schemas:
        envelope = components[f"{s.event_type}.v{s.version}"]
        envelope["title"] = f"{s.event_type} v{s.version}"
        envelope["properties"]["recorded_at"]["description"] = (
            "Stamped by the system when it appends the event; a value sent over HTTP is checked and ignored.")
        if s.event_type not in PROJECTLESS_TYPES:  # project_id may be null only for these (events.envelope)
            project_id = envelope["properties"]["project_id"]
            envelope["properties"]["project_id"] = {
                **next(option for option in project_id["anyOf"] if option.get("type") == "string"),
                "title": project_id.get("title", "Project Id"), "description": "项目代码"}
    by_type = {}
    for event_type, group in groupby(schemas, key=lambda s: s.event_type):
        versions = [f"#/components/schemas/{event_type}.v{s.version}" for s in group]
        if len(versions) == 1:
            by_type[event_type] = versions[0]
            continue
        components[event_type] = {"title": event_type, "oneOf": [{"$ref": ref} for ref in versions],
                                  "description": f"{event_type}, any of its schema versions (`schema_version`)."}
        by_type[event_type] = f"#/components/schemas/{event_type}"
    components["Event"] = {
        "title": "Event",
        "description": "One event (CONTRACT.md §1): the envelope and the payload of its `event_type` and "
                       "`schema_version` (§2, §5). `recorded_at` is stamped by the system.",
        "oneOf": [{"$ref": ref} for ref in by_type.values()],
        "discriminator": {"propertyName": "event_type", "mapping": by_type},
    }
    _strict_strings(components)
    _cross_field_rules(components)
    return components


def _collapse_nullable(parameter: dict) -> None:
    """A query parameter with a default of None is written `anyOf: [X, null]` by FastAPI; a query
    string cannot say null (the parameter is left out), so the schema is X."""
    schema = parameter.get("schema", {})
    options = schema.get("anyOf")
    if options and len(options) == 2 and {"type": "null"} in options:
        (kept,) = [option for option in options if option != {"type": "null"}]
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        parameter["schema"] = {**kept, **rest}


def document(app: FastAPI) -> None:
    """Make `app.openapi()` the strict description: the event components, nullable query parameters
    as plain ones."""
    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(title=app.title, version=app.version, openapi_version=app.openapi_version,
                           description=app.description, routes=app.routes, tags=app.openapi_tags,
                           servers=app.servers)
        spec.setdefault("components", {}).setdefault("schemas", {}).update(event_components())
        for item in spec.get("paths", {}).values():
            for operation in item.values():
                for parameter in operation.get("parameters", []):
                    _collapse_nullable(parameter)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
