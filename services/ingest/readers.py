"""Who may read (issue 17): reader tokens and the dashboard's login sessions.

A reader token is shown once, when created; only its SHA-256 is kept (256 random bits, as the
department tokens in `tokens.py`). Each names a role and a territory:

- `reader`: reports, rankings, views, dossiers, the desk, ledgers, bulletins and the dashboard;
- `statistician`: also `explain` (the projects and events behind a figure) and revisions;
- `admin`: what a statistician may, and may be issued for every region (no territory).

The territory is a region code prefix (2, 4 or 6 digits: province, city, county), optionally a
township of a county, by its registered name. A session (the dashboard's login) is a random id
in an HttpOnly cookie, stored hashed, ending when it expires, on logout, or when its token is
revoked. The command line on the machine itself is the administrator's and needs no token.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select, update

from services.ingest.tables import reader_sessions, reader_tokens
from services.ingest.tokens import digest
from services.log.store import EventStore, now_local, to_micros

PREFIX = "pfr_"
SESSION_PREFIX = "pfs_"
ROLES = ("reader", "statistician", "admin")
SEES_ITEMS = frozenset({"statistician", "admin"})  # explain items and revisions
SESSION_HOURS = 12
_TERRITORY = re.compile(r"^(\d{2}|\d{4}|\d{6})$")


@dataclass(frozen=True)
class Viewer:
    """Who reads: a reader token's id, role and territory ("" is every region), maybe a township."""

    token_id: str
    role: str
    territory: str
    township: str | None = None

    @property
    def sees_items(self) -> bool:
        return self.role in SEES_ITEMS

    def covers(self, region: str) -> bool:
        """Whether a region code prefix lies inside this territory (a county token does not cover
        its city or province: their figures hold other counties)."""
        return region.startswith(self.territory)

    def describe(self) -> str:
        where = self.territory or "every region"
        return f"{self.role} of {where}" + (f" township {self.township}" if self.township else "")


def _check(role: str, territory: str | None, township: str | None) -> tuple[str, str | None]:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if not territory:
        if role != "admin":
            raise ValueError("a territory is required (a 2-, 4- or 6-digit region code prefix); only an admin "
                             "token may cover every region")
        territory = ""
    elif not _TERRITORY.match(territory):
        raise ValueError(f"territory must be a 2-, 4- or 6-digit region code prefix, got {territory!r}")
    if township is not None:
        township = township.strip()
        if len(territory) != 6:
            raise ValueError("a township needs a 6-digit (county) territory")
        if not township or len(township) > 100 or any(not ch.isprintable() for ch in township):
            raise ValueError("township must be a name of 1 to 100 printable characters")
    return territory, township


def create_reader(store: EventStore, role: str, territory: str | None, township: str | None = None,
                  label: str | None = None) -> tuple[str, str]:
    """A new reader token: returns (token_id, token). Only its hash is kept."""
    territory, township = _check(role, territory, township)
    token = PREFIX + secrets.token_urlsafe(32)
    hashed = digest(token)
    token_id = "r" + hashed[:11]
    with store.engine.begin() as conn:
        conn.execute(insert(reader_tokens).values(
            token_hash=hashed, token_id=token_id, role=role, territory=territory, township=township,
            label=label[:200] if label else None, created_at=now_local().isoformat(), revoked_at=None))
    return token_id, token


def list_readers(store: EventStore) -> list[dict]:
    query = select(reader_tokens).order_by(reader_tokens.c.created_at, reader_tokens.c.token_id)
    with store.engine.connect() as conn:
        return [{str(k): v for k, v in row._asdict().items() if k != "token_hash"} for row in conn.execute(query)]


def revoke_reader(store: EventStore, token_id: str) -> bool:
    """Revoke a reader token; its sessions end with it."""
    stamp = now_local().isoformat()
    with store.engine.begin() as conn:
        done = conn.execute(update(reader_tokens)
                            .where(reader_tokens.c.token_id == token_id, reader_tokens.c.revoked_at.is_(None))
                            .values(revoked_at=stamp))
        conn.execute(update(reader_sessions)
                     .where(reader_sessions.c.token_id == token_id, reader_sessions.c.ended_at.is_(None))
                     .values(ended_at=stamp))
    return done.rowcount > 0


def _viewer(row) -> Viewer | None:
    if row is None or row.revoked_at is not None:
        return None
    return Viewer(row.token_id, row.role, row.territory, row.township)


def verify_reader(store: EventStore, token: str | None) -> Viewer | None:
    """The viewer a reader token stands for, or None when it is missing, unknown or revoked."""
    if not token:
        return None
    with store.engine.connect() as conn:
        row = conn.execute(select(reader_tokens).where(reader_tokens.c.token_hash == digest(token))).first()
    return _viewer(row)


def start_session(store: EventStore, viewer: Viewer, hours: int = SESSION_HOURS) -> str:
    """A login session for a verified viewer: the cookie's value (only its hash is kept)."""
    session = SESSION_PREFIX + secrets.token_urlsafe(32)
    stamp = now_local()
    with store.engine.begin() as conn:
        conn.execute(insert(reader_sessions).values(
            session_hash=digest(session), token_id=viewer.token_id, created_at=stamp.isoformat(),
            expires_us=to_micros(stamp + timedelta(hours=hours)), ended_at=None))
    return session


def verify_session(store: EventStore, session: str | None) -> Viewer | None:
    """The viewer of a live session (not ended, not expired, its token not revoked), else None."""
    if not session:
        return None
    query = (select(reader_tokens)
             .join(reader_sessions, reader_sessions.c.token_id == reader_tokens.c.token_id)
             .where(reader_sessions.c.session_hash == digest(session), reader_sessions.c.ended_at.is_(None),
                    reader_sessions.c.expires_us > to_micros(now_local())))
    with store.engine.connect() as conn:
        return _viewer(conn.execute(query).first())


def end_session(store: EventStore, session: str | None) -> None:
    if not session:
        return
    with store.engine.begin() as conn:
        conn.execute(update(reader_sessions)
                     .where(reader_sessions.c.session_hash == digest(session), reader_sessions.c.ended_at.is_(None))
                     .values(ended_at=now_local().isoformat()))
