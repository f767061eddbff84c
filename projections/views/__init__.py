"""The views people work in, as pure functions over visible facts (no I/O):

- `stage`       项目阶段: lifecycle stage of each project on a business date;
- `stats_entry` 入库纳统: eligibility, submission status, the 应统未统 list;
- `leaders`     领导包联: each leader's projects, visits this month, missed visits;
- `problems`    问题闭环: open, near-deadline (提醒), overdue (帮办/督办), on-time closure;
- `dossier`     一项一档: every fact of one project, with retractions and supersessions.

Every view takes the facts visible as of a recorded time (projections.ledger) and a business
date `on`; facts that happen after `on` are ignored.
"""
