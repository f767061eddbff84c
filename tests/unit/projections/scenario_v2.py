"""The hand-computed scenario builder (scenario.History) for Part two (CONTRACT §5–§7): v2 events made
easy, queries with --category, rankings, and facts read as the store reads them.

* `register(n, ...)` / `plan(n, ...)` / `planned(n, ...)` write v2 `ProjectRegistered` and
  `AnnualPlanAdopted` (a planned start month and 旬 only when given); `target(...)` a v2 `TargetSet`.
* `facts()` reads every event as the log hands it to the projections: through the registry's
  upcasters (`events.codec.load_stored`), so a v1 event is seen as v2.
* `report(...)` evaluates the query twice — on the facts the ledger shows as of the query's time
  (as scenario.History does) and on the whole log (the columns apply visibility themselves, as the
  store path does) — and insists both agree before returning the JSON.
"""
from __future__ import annotations

from datetime import datetime

from events.codec import load_stored
from projections.facts import fact_from_json
from projections.periods import parse_as_of, parse_period
from projections.report import Query, explain, rank, report
from scenario import REGION, History, pid
from services.log.store import to_micros

__all__ = ["REGION", "V2History", "pid"]


class V2History(History):
    # ---- writing v2 events ---------------------------------------------------------------------
    def register(self, n: int, on: str = "2024-11-01", *, at: str | None = None, region: str = REGION,
                 township: str | None = "凤城镇", total: str = "1000.00", categories: list[str] | None = None,
                 required: list[str] | None = None, legal_entity: bool = True, **more) -> dict:
        """A v2 registration (categories default: none; required procedures default: 立项, 环评)."""
        return self.add("ProjectRegistered", n, on=on, at=at, schema_version=2, region=region, township=township,
                        total_investment=total, legal_entity=legal_entity,
                        categories=categories if categories is not None else [],
                        required_procedures=required if required is not None else ["approval_filing", "eia"],
                        **more)

    def plan(self, n: int, construction: str = "new", planned: str = "100.00", *, year: int = 2025,
             on: str | None = None, at: str | None = None, month: int | None = None,
             dekad: int | None = None) -> dict:
        """A v2 AnnualPlanAdopted; `month`/`dekad`: the planned start (开复工计划到月/到旬), only when given."""
        start = {}
        if month is not None:
            start["planned_start_month"] = month
        if dekad is not None:
            start["planned_start_dekad"] = dekad
        return self.add("AnnualPlanAdopted", n, on=on or f"{year}-01-05", at=at, schema_version=2, year=year,
                        construction=construction, planned_investment=planned, **start)

    def planned(self, n: int, construction: str = "new", planned: str = "100.00", *, region: str = REGION,
                township: str | None = "凤城镇", total: str = "1000.00", legal_entity: bool = True,
                required: list[str] | None = None, year: int = 2025, registered_on: str = "2024-11-01",
                categories: list[str] | None = None, month: int | None = None, dekad: int | None = None) -> None:
        """A v2-registered project in Y's plan (v2 plan)."""
        self.register(n, on=registered_on, region=region, township=township, total=total,
                      legal_entity=legal_entity, required=required, categories=categories)
        self.plan(n, construction, planned, year=year, month=month, dekad=dekad)

    def target(self, figure: str, by: str, target: str, *, region: str = REGION, year: int = 2025,
               township: str | None = None, on: str = "2025-01-02", at: str | None = None) -> dict:
        """A v2 TargetSet (project-less)."""
        more = {"township": township} if township is not None else {}
        return self.add("TargetSet", None, on=on, at=at, schema_version=2, region=region, year=year, figure=figure,
                        by=by, target=target, **more)

    # ---- reading ---------------------------------------------------------------------------------
    def facts(self, order: list[int] | None = None):
        """Every event as the log hands it over: upcast to its type's latest version (v1 read as v2)."""
        ordered = self.events if order is None else [self.events[i] for i in order]
        return [fact_from_json(i + 1, load_stored(obj).to_json(), to_micros(datetime.fromisoformat(obj["recorded_at"])))
                for i, obj in enumerate(ordered)]

    def query(self, period: str = "2025Q1", as_of: str | None = "2030-01-01", region: str = REGION,
              level: str | None = None, category: str | None = None) -> Query:
        return Query(region, parse_period(period), parse_as_of(as_of), level, category)

    def report(self, order=None, **kw) -> dict:
        query = self.query(**kw)
        shown = report(self.visible(query, order), query)
        whole_log = report(self.facts(order), query)
        assert shown == whole_log, "the report differs when visibility is left to the columns"
        return shown

    def entry(self, figure_id: str, **kw) -> dict:
        """One figure's whole JSON entry (kind, numerator, denominator, value; target and behind when set)."""
        return self.report(**kw)["figures"][figure_id]

    def rank(self, figure_id: str, by: str = "county", **kw) -> dict:
        query = self.query(**kw)
        shown = rank(self.visible(query), figure_id, query, by)
        assert shown == rank(self.facts(), figure_id, query, by), "the ranking differs on the whole log"
        return shown

    def rows(self, figure_id: str, by: str = "county", **kw) -> list[tuple]:
        """rank rows as (rank, region, township, numerator, denominator, value)."""
        return [(r["rank"], r["region"], r["township"], r["numerator"], r["denominator"], r["value"])
                for r in self.rank(figure_id, by, **kw)["rows"]]

    def explain(self, figure_id: str, **kw) -> dict:
        query = self.query(**kw)
        return explain(self.visible(query), figure_id, query)
