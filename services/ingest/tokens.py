"""Department tokens for the HTTP ingest, and the one audit of refused requests (writes, and since
0010 reads: `services.ingest.readers`).

A token is shown once, when created; only its SHA-256 is stored (a token is 256 random bits, so a
slow password hash adds nothing). Each token names a department (DOMAIN.md codes) and its
territory: the region code prefix (county 140522, city 1405, province 14) it may write about.
"""
from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import insert, select, update

from events.catalogue import OWNERS
from services.ingest.authorise import Publisher
from services.log.store import EventStore, now_local, to_micros
from services.ingest.tables import department_tokens, ingest_refusals

PREFIX = "pf_"
_TERRITORY = re.compile(r"^(\d{2}|\d{4}|\d{6})$")


def departments() -> list[str]:
    """The department codes that own some fact (DOMAIN.md's table)."""
    return sorted({d for owners in OWNERS.values() for d in owners})


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(store: EventStore, department: str, territory: str, label: str | None = None) -> tuple[str, str]:
    """A new token for `department` in `territory`: returns (token_id, token). Only its hash is kept."""
    if department not in departments():
        raise ValueError(f"department must be one of {', '.join(departments())}, got {department!r}")
    if not _TERRITORY.match(territory):
        raise ValueError(f"territory must be a 2-, 4- or 6-digit region code prefix, got {territory!r}")
    token = PREFIX + secrets.token_urlsafe(32)
    hashed = digest(token)
    token_id = hashed[:12]
    with store.engine.begin() as conn:
        conn.execute(insert(department_tokens).values(
            token_hash=hashed, token_id=token_id, department=department, territory=territory, label=label,
            created_at=now_local().isoformat(), revoked_at=None))
    return token_id, token


def list_tokens(store: EventStore) -> list[dict]:
    query = select(department_tokens).order_by(department_tokens.c.created_at)
    with store.engine.connect() as conn:
        return [{str(k): v for k, v in row._asdict().items() if k != "token_hash"} for row in conn.execute(query)]


def revoke_token(store: EventStore, token_id: str) -> bool:
    with store.engine.begin() as conn:
        done = conn.execute(update(department_tokens)
                            .where(department_tokens.c.token_id == token_id, department_tokens.c.revoked_at.is_(None))
                            .values(revoked_at=now_local().isoformat()))
    return done.rowcount > 0


def verify(store: EventStore, token: str | None) -> Publisher | None:
    """The publisher a token stands for, or None when it is missing, unknown or revoked."""
    if not token:
        return None
    query = select(department_tokens).where(department_tokens.c.token_hash == digest(token))
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.revoked_at is not None:
        return None
    return Publisher(row.department, (row.territory,), identity=row.token_id)


def record_refusal(store: EventStore, status: int, reason: str, *, publisher: Publisher | None = None,
                   event_id: str | None = None, event_type: str | None = None, project_id: str | None = None,
                   field: str | None = None, client: str | None = None, token_id: str | None = None,
                   role: str | None = None, request: str | None = None) -> None:
    """A refused request is itself a record: who tried what, and why it was refused. A write names
    its publisher (department, token) and event; a read its reader token (id, role) and `request`
    (method, path and query)."""
    stamp = now_local()
    with store.engine.begin() as conn:
        conn.execute(insert(ingest_refusals).values(
            at=stamp.isoformat(), at_us=to_micros(stamp), status=status,
            department=publisher.department if publisher else None,
            token_id=_short(publisher.identity if publisher else token_id, 12), role=_short(role, 16),
            request=_short(request, 400),
            event_id=_short(event_id, 64), event_type=_short(event_type, 64), project_id=_short(project_id, 64),
            field=_short(field, 200), reason=_short(reason, 2000), client=_short(client, 64)))


def record_refusals(store: EventStore, status: int, rows: list[dict]) -> None:
    """Several refused writes at once (the bus ingest's batch): each row has `reason` and any of
    department, event_id, event_type, project_id, field, client (`token_id` is the HTTP token's)."""
    stamp = now_local()
    values = [dict(at=stamp.isoformat(), at_us=to_micros(stamp), status=status,
                   department=_short(row.get("department"), 64), token_id=None,
                   event_id=_short(row.get("event_id"), 64), event_type=_short(row.get("event_type"), 64),
                   project_id=_short(row.get("project_id"), 64), field=_short(row.get("field"), 200),
                   reason=_short(row.get("reason"), 2000) or "", client=_short(row.get("client"), 64))
              for row in rows]
    with store.engine.begin() as conn:
        conn.execute(insert(ingest_refusals), values)


def refusals(store: EventStore, limit: int = 100) -> list[dict]:
    query = select(ingest_refusals).order_by(ingest_refusals.c.id.desc()).limit(limit)
    with store.engine.connect() as conn:
        return [{str(k): v for k, v in row._asdict().items()} for row in conn.execute(query)]


def _short(value, size: int) -> str | None:
    """A value from the request as the audit can store it on every backend: control characters
    (a NUL in an event id, say) shown as \\xNN, at most `size` characters."""
    if not isinstance(value, str):
        return None
    shown = "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in value[:size])
    return shown[:size]
