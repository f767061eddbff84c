"""Value limits: one set, at the envelope. Every value validation accepts, every store accepts.

The models in `events/` use these constants and nothing else; the store's column widths and the
read models' integer types are sized from them. A limit is chosen for what a real county, city or
province needs, with room to spare, and no more: a limit that is too loose lets in a value that
breaks a column or a figure later, far from where it came in.

Lengths are counted in characters (Python `len`, i.e. Unicode code points; PostgreSQL `varchar(n)`
counts the same way), never bytes.
"""
from __future__ import annotations

from datetime import timedelta

# ---- identifiers -------------------------------------------------------------------------------
# 项目代码 is 24 characters (`2501-140522-04-01-000123`); a local system's own code may be longer.
# Matches events.project_id / facts.project_id String(64); a label "project:<id>" stays ≤ 72.
PROJECT_ID_MAX = 64
# A department code (`ndrc`, `natural_resources`): ASCII [a-z][a-z0-9_]*. events.department String(64).
DEPARTMENT_MAX = 64
# An event type name from the catalogue (the longest today is 20). events.event_type String(64).
EVENT_TYPE_MAX = 64
# Identifiers chosen by the producer's own system: leader_id, problem_id (`L-007`, `P-2025-031`),
# and a unit's code when a LeaderAssigned names a unit. A label "problem:<id>" stays ≤ 136 < 200.
CODE_MAX = 128
# event_id and retracted_event_id: any form pydantic reads as a UUID, stored in its canonical form
# (lowercase, hyphenated): always exactly 36 characters. events.event_id String(36).
EVENT_ID_LENGTH = 36

# ---- names -------------------------------------------------------------------------------------
# The producer's system (`project-database`). events.system String(200).
SYSTEM_MAX = 200
# 项目名称: the longest real names (with place, product, capacity and phase) run to ~80 characters.
PROJECT_NAME_MAX = 200
# Names of organisations: 项目单位 owner, investor, issuing authority, the unit a problem or an
# approval is assigned to (it may name a lead unit and its helpers), the publishing office.
# Registered enterprise names stay far below 100 characters.
ORG_NAME_MAX = 200
# Short names of a place, a person or a post: township (乡镇), village (行政村), leader, officer,
# leader_name, title, a problem's category. A label "township:<name>" stays ≤ 109 < 200.
NAME_MAX = 100
# 文号 of an approval or a funding document (`阳环审〔2025〕12号`): ~10-30 characters in practice.
DOCUMENT_NO_MAX = 100
# Free text (a problem's description, the reason of a return or a retraction): a paragraph or a
# few. Only free text may hold line breaks (\n) and tabs (\t).
TEXT_MAX = 2000
# Lists of codes (categories, required procedures): never more items than this.
CODE_LIST_MAX = 32

# ---- characters --------------------------------------------------------------------------------
# No string may hold a control character (Unicode Cc: U+0000-U+001F, U+007F-U+009F) or a lone
# surrogate: PostgreSQL refuses NUL in text and jsonb, spreadsheets refuse most C0 controls, and a
# control character in a name is never meant. Free text alone may hold these two:
FREE_TEXT_CONTROLS = "\n\t"
# Wherever digits are meant (region codes, amounts, targets, dates, timestamps, years, project ids)
# they are the ASCII digits 0-9; full-width (１４０５２２) and other scripts' digits are refused.

# ---- numbers -----------------------------------------------------------------------------------
# Money in 万元: at most 16 digits before the point and 2 after, never negative (numeric(18, 2);
# the Avro decimal has precision 18, scale 2). The largest single project ever is ~10^8 万元.
AMOUNT_DIGITS = 16
AMOUNT_PLACES = 2
# A target of a rate figure (a fraction; a multiple for reserve_multiple): sign allowed, at most
# 8 digits before the point and 4 after (numeric(12, 4), the TargetSet v1 Avro decimal).
RATE_TARGET_DIGITS = 8
RATE_TARGET_PLACES = 4
# A target of a count figure: a whole number of projects, at most 9 digits (fits a 32-bit integer).
COUNT_DIGITS = 9
# TargetSet v2's target on the wire holds every kind: numeric(20, 4) (16 digits and 4 places).
TARGET_DIGITS = AMOUNT_DIGITS
TARGET_PLACES = RATE_TARGET_PLACES

# ---- time --------------------------------------------------------------------------------------
# Years of the Year type, of business dates (occurred_on, due_on) and of recorded times: the
# campaigns start in the 1990s' investment statistics; 2199 leaves plans two centuries of room.
YEAR_MIN = 1990
YEAR_MAX = 2199
# A recorded time's offset from UTC: whole minutes within ±14:00 (the widest zone in use). With
# that, its ISO text is at most 32 characters (`2025-03-18T23:30:00.123456+08:00`); events.recorded_at
# is String(40).
OFFSET_MAX = timedelta(hours=14)
TIMESTAMP_TEXT_MAX = 32

# ---- places ------------------------------------------------------------------------------------
# A project's location (WGS-84 degrees): decimal strings with at most 6 places (~0.1 m), inside
# mainland China and its islands (73°E-136°E, 3°N-54°N), so that swapped or zero coordinates are
# refused. numeric(9, 6) holds either.
COORDINATE_PLACES = 6
LONGITUDE_MIN, LONGITUDE_MAX = 73, 136
LATITUDE_MIN, LATITUDE_MAX = 3, 54

# ---- how much of a refused value an error message shows -----------------------------------------
SHOWN_MAX = 60

# ---- every string field, by its path in the event's JSON: its longest value ---------------------
# What the store's columns (and any CSV/xlsx ledger) must hold. The same field name has the same
# limit in every type and version. tests/unit/events/test_limits.py proves the models keep to it
# (and that no string field is missing here).
STRING_FIELDS: dict[str, int] = {
    "project_id": PROJECT_ID_MAX,
    "source.department": DEPARTMENT_MAX,
    "source.system": SYSTEM_MAX,
    "payload.name": PROJECT_NAME_MAX,
    "payload.region": 6,
    "payload.township": NAME_MAX,
    "payload.village": NAME_MAX,
    "payload.owner": ORG_NAME_MAX,
    "payload.investor": ORG_NAME_MAX,
    "payload.document_no": DOCUMENT_NO_MAX,
    "payload.authority": ORG_NAME_MAX,
    "payload.unit": ORG_NAME_MAX,
    "payload.leader": NAME_MAX,
    "payload.officer": NAME_MAX,
    "payload.reason": TEXT_MAX,
    "payload.leader_id": CODE_MAX,
    "payload.leader_name": NAME_MAX,
    "payload.title": NAME_MAX,
    "payload.problem_id": CODE_MAX,
    "payload.category": NAME_MAX,
    "payload.description": TEXT_MAX,
    "payload.period": 7,
    "payload.content_sha256": 64,
    "payload.publisher": ORG_NAME_MAX,
}
# The free-text fields: the only ones where \n and \t may appear.
FREE_TEXT_FIELDS = frozenset({"payload.reason", "payload.description"})
