"""The event envelope (CONTRACT.md §1): the same for every type; `payload` differs per type."""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated
from uuid import UUID

import orjson
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, model_validator

from events import limits
from events.catalogue import Payload
from events.types import LocalDate, SystemName, Timestamp

# ASCII letters, digits and `_ . -`, starting with a letter or digit (项目代码 `2501-140522-04-01-000123`).
ProjectId = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=limits.PROJECT_ID_MAX,
                                             pattern=r"^[0-9A-Za-z][0-9A-Za-z_.\-]*$")]
Department = Annotated[str, StringConstraints(strict=True, max_length=limits.DEPARTMENT_MAX,
                                              pattern=r"^[a-z][a-z0-9_]*$")]

# Types whose project_id may be null: a target is regional; a retraction carries the project_id of
# the event it retracts, so retracting a target is project-less too (the store checks the match).
# A published report (ReportPublished) is about a region, not a project.
PROJECTLESS_TYPES = frozenset({"TargetSet", "EventRetracted", "ReportPublished"})


def content_hash(body_without_recorded_at: dict) -> str:
    """SHA-256 of the canonical bytes of what the producer said: everything but `recorded_at`.

    Two sends of one `event_id` are the same event exactly when these hashes are equal.
    """
    return hashlib.sha256(orjson.dumps(body_without_recorded_at, option=orjson.OPT_SORT_KEYS)).hexdigest()


class Source(BaseModel):
    """Who published the fact: a department code (DOMAIN.md) and its system."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    department: Department
    system: SystemName


class Event(BaseModel):
    """One immutable fact. Subclassed per (event_type, schema_version) by the registry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID  # any form pydantic reads; dumped (and so stored and hashed) as str(UUID): canonical
    event_type: str
    schema_version: Annotated[StrictInt, Field(ge=1)]
    project_id: ProjectId | None
    occurred_on: LocalDate
    recorded_at: Timestamp | None = None
    source: Source
    payload: Payload

    @model_validator(mode="after")
    def _project_id_null_only_for_targets(self) -> "Event":
        if self.project_id is None and self.event_type not in PROJECTLESS_TYPES:
            raise ValueError(f"project_id may be null only for TargetSet (or a retraction of one), not for {self.event_type}")
        return self

    @property
    def id(self) -> str:
        return str(self.event_id)

    def to_json(self) -> dict:
        """The JSON object of the contract (amounts as decimal strings, dates as ISO)."""
        return self.model_dump(mode="json")

    def content_hash(self) -> str:
        return content_hash(self.model_dump(mode="json", exclude={"recorded_at"}))

    def stamped(self, recorded_at: datetime) -> "Event":
        return self.model_copy(update={"recorded_at": recorded_at})
