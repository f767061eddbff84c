"""The views people work in, as pure functions over visible facts (no I/O):

- `stage`       项目阶段: lifecycle stage of each project on a business date;
- `stats_entry` 入库纳统: eligibility, submission status, the 应统未统 list, lights;
- `leaders`     领导包联: each leader's projects, visits within the interval, units (包联部门) apart;
- `problems`    问题闭环: open, near-deadline (提醒), overdue (帮办/督办), 13710 deadlines, closure;
- `dossier`     一项一档: every fact of one project, with retractions and supersessions;
- `starts`      开复工台账: the year's plan with planned month/旬, actual start, status, light;
- `procedures`  前期手续清单: each listed or required procedure, status, light; the weekly 情况表;
- `lagging`     滞后项目: projects to chase, their reasons, 包联领导 and 包联部门;
- `coverage`    双包联: key projects missing a leader or a lead unit;
- `funding`     争取资金台账: FundingSecured by channel, project and document;
- `board`       the dashboard's 红黄绿灯 counts per county or township;
- `lights`      the thresholds of the lights and their rules (configured at the edge).

Every view takes the facts visible as of a recorded time (projections.ledger) and a business
date `on`; facts that happen after `on` are ignored.
"""
