"""Paging of the lists the API returns (`limit`, `cursor`): pure, after the view is computed.

A view is computed whole for its as-of time (figures and counts need every project), then its
list — `projects`, `problems`, `rows` … — is cut to `limit` items from `cursor`. The cursor is the
offset of the next item, as digits; a client pages through one snapshot by passing the first
page's `as_of` along with each cursor (every view answers with its `as_of`). Without `limit` the
whole list comes back, as before paging existed. The answer says where it is:
`"page": {"list": "projects", "cursor": "0", "limit": 100, "total": 474, "next_cursor": "100"}`.
"""
from __future__ import annotations

import re

from fastapi import Query

MAX_LIMIT = 5000
CURSOR_PATTERN = r"^[0-9]{1,9}$"

LIMIT = Query(None, ge=1, le=MAX_LIMIT, description=f"Page size: at most this many items of the answer's list "
                                                    f"(1–{MAX_LIMIT}); default: the whole list.")
CURSOR = Query(None, description="Where the page starts: the `next_cursor` of the previous page (pass its `as_of` "
                                 "too, so that every page is of one snapshot). Default: the start.",
               json_schema_extra={"pattern": CURSOR_PATTERN})


def check_cursor(cursor: str | None) -> str | None:
    """The cursor as given, when it is one (digits, as `next_cursor` gives); ValueError otherwise."""
    if cursor is not None and not re.fullmatch(CURSOR_PATTERN, cursor):
        raise ValueError(f"cursor must be the next_cursor of a previous page (digits), got {cursor!r}")
    return cursor


def page(result: dict, lists: str | tuple[str, ...], limit: int | None, cursor: str | None) -> dict:
    """`result` with each of `lists` (dotted paths: `numerator.items`) cut to [cursor, cursor+limit).
    The `page` entry names the first list; `next_cursor` is null once every list is exhausted."""
    if limit is None and cursor is None:
        return result
    paths = (lists,) if isinstance(lists, str) else lists
    start = int(cursor or 0)
    out = dict(result)
    more, total = False, None
    for path in paths:
        *parents, key = path.split(".")
        holder = out
        for parent in parents:
            holder[parent] = dict(holder[parent])
            holder = holder[parent]
        whole = holder[key]
        stop = len(whole) if limit is None else start + limit
        holder[key] = whole[start:stop]
        more = more or stop < len(whole)
        total = len(whole) if total is None else total
    out["page"] = {"list": paths[0], "cursor": str(start), "limit": limit, "total": total,
                   "next_cursor": str(start + limit) if more and limit is not None else None}
    return out
