"""争取资金台账: the FundingSecured of the year of `on` up to `on` (the window [1 January, on]) for
the projects of the region, by channel, project and document (文号), amounts in 万元, with totals per
channel — the same facts, summed, as the `funding_secured` figure for a period ending on `on`."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Iterable

from projections.facts import Fact
from projections.names import FUNDING_CHANNEL_LABELS
from projections.views.common import business_key, money, projects_in

CHANNELS = tuple(FUNDING_CHANNEL_LABELS)


def _channel_order(code: str) -> int:
    return CHANNELS.index(code) if code in CHANNELS else len(CHANNELS)


def funding_view(facts: Iterable[Fact], region: str, on: date) -> dict:
    window = date(on.year, 1, 1)
    found: list[tuple] = []
    for project in projects_in(facts, region, on):
        for fact in project.upto("FundingSecured"):
            if fact.occurred_on >= window:
                found.append((_channel_order(fact.data["channel"]), business_key(fact), project, fact))
    found.sort(key=lambda t: (t[0], t[1][0], t[2].project_id, t[1][1:]))
    rows, totals = [], {}
    for _, _, project, fact in found:
        channel, amount = fact.data["channel"], Decimal(fact.data["amount"])
        rows.append({"secured_on": fact.occurred_on.isoformat(), "channel": channel,
                     "channel_label": FUNDING_CHANNEL_LABELS.get(channel, channel), **project.header(),
                     "document_no": fact.data["document_no"], "amount": money(amount), "event_id": fact.event_id})
        count, total = totals.get(channel, (0, Decimal(0)))
        totals[channel] = (count + 1, total + amount)
    by_channel = [{"channel": c, "channel_label": FUNDING_CHANNEL_LABELS.get(c, c), "count": totals[c][0],
                   "amount": money(totals[c][1])} for c in sorted(totals, key=_channel_order)]
    return {
        "region": region, "on": on.isoformat(), "year": on.year,
        "window": {"from": window.isoformat(), "to": on.isoformat()},
        "count": len(rows),
        "total": money(sum((t for _, t in totals.values()), Decimal(0))),
        "projects": len({r["project_id"] for r in rows}),
        "by_channel": by_channel,
        "items": rows,
    }
