"""红黄绿灯 for the dashboard (驾驶舱): how many lines of the 开复工台账, the 前期手续清单 and the 入库纳统
list (eligible projects) have each light, per county (`by="county"`) or per township
(`by="township"`), with the region's totals. The same rules as the ledgers (projections.views.lights),
one pass over the region's projects."""
from __future__ import annotations

from datetime import date
from typing import Iterable

from projections.facts import Fact
from projections.names import region_label
from projections.views.common import projects_in
from projections.views.lights import DEFAULT_LIGHTS, LIGHTS, Lights
from projections.views.procedures import procedure_rows
from projections.views.starts import start_row
from projections.views.stats_entry import entry_row

KINDS = {"starts": "开复工", "procedures": "前期手续", "stats_entry": "入库纳统"}


def _empty() -> dict[str, dict[str, int]]:
    return {kind: {light: 0 for light in LIGHTS} | {"none": 0} for kind in KINDS}


def _add(counts: dict, kind: str, light: str | None) -> None:
    counts[kind][light or "none"] += 1


def board_view(facts: Iterable[Fact], region: str, on: date, lights: Lights = DEFAULT_LIGHTS,
               by: str = "county") -> dict:
    if by not in ("county", "township"):
        raise ValueError(f"by must be county or township, got {by!r}")
    groups: dict[tuple, dict] = {}
    totals = _empty()
    for project in projects_in(facts, region, on):
        key = (project.region, project.township or "") if by == "township" else (project.region,)
        counts = groups.setdefault(key, _empty())
        found = [("starts", r["light"]) for r in [start_row(project, lights)] if r is not None]
        found += [("procedures", r["light"]) for r in procedure_rows(project, on.year, lights)]
        entry = entry_row(project, lights)
        if entry["eligible"]:
            found.append(("stats_entry", entry["light"]))
        for kind, light in found:
            _add(counts, kind, light)
            _add(totals, kind, light)
    rows = [{"region": key[0], "region_name": region_label(key[0]),
             **({"township": key[1] or None} if by == "township" else {}), **groups[key]}
            for key in sorted(groups) if any(any(c.values()) for c in groups[key].values())]
    return {"region": region, "on": on.isoformat(), "year": on.year, "by": by, "kinds": KINDS,
            "totals": totals, "rows": rows}
