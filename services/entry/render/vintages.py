"""Revisions, verifications and the revision triangle as tables for people (services/query/vintages.py computes them)."""
from __future__ import annotations

from services.entry.render import tables as render
from services.query.vintages import Verification


def _ratio(entry: dict) -> str:
    value = entry["value"]
    return f"{entry['numerator']}/{entry['denominator']} ({value if value is not None else '—'})"


def _effect(effect: dict) -> str:
    parts = []
    for side, short in (("numerator", "num"), ("denominator", "den")):
        if side in effect:
            a, b = effect[side]
            parts.append(f"{short} {'—' if a is None else a}→{'—' if b is None else b}")
    return ", ".join(parts)


def _facts_table(entries: list[dict]) -> str:
    headers = ["recorded_at", "kind", "event_type", "project_id", "occurred_on", "source", "effect"]
    rows = []
    for e in entries:
        kind = e["kind"] + (" (indirect)" if e.get("indirect") else "")
        what = e["event_type"]
        if "retracts" in e:
            what += f" of {e['retracts']['event_type']} {e['retracts']['event_id'][:8]}"
        if "month" in e:
            what += f" {e['month']} {e['amount']}"
        rows.append([e["recorded_at"], kind, what, e["project_id"] or "", e["occurred_on"],
                     f"{e['source']['department']}/{e['source']['system']}", _effect(e.get("effect", {}))])
    return render.table(headers, rows) if rows else "  (no fact recorded in between)"


def figures_text(figures: list[dict]) -> str:
    blocks = []
    for f in figures:
        head = f"{render.LABELS[f['figure']]} {f['figure']}: {_ratio(f['from'])} → {_ratio(f['to'])}"
        blocks.append(head + "\n" + _facts_table(f["facts"]))
    return "\n\n".join(blocks) if blocks else "no figure changed"


def revisions_text(result: dict) -> str:
    level = f" level {result['level']}" if result["level"] else ""
    head = (f"修订 revisions: region {result['region']} period {result['period']}{level}\n"
            f"from {result['from']}\nto   {result['to']}\n")
    return head + "\n" + figures_text(result["figures"])


def verification_text(v: Verification) -> str:
    p = v.publication
    head = (f"publication {p.event_id}: region {p.region} period {p.period}"
            f"{' level ' + p.level if p.level else ''} as of {p.as_of}\n"
            f"published {p.recorded_at} by {p.publisher} ({p.source['department']}/{p.source['system']})\n"
            f"published sha256  {p.content_sha256}\nrecomputed sha256 {v.recomputed_sha256}\n")
    if v.identical:
        return head + "verified: byte-identical"
    if v.rebuilt_matches:
        why = ("DIFFERENT: facts recorded after the publication but stamped at or before its as-of time "
               "changed it (the report as published was rebuilt from the log as it stood then, and matches "
               "the published sha256)")
    else:
        why = (f"DIFFERENT, and the report rebuilt from the log as it stood at publication does not match "
               f"either (sha256 {v.rebuilt_sha256}): the computation itself has changed since "
               f"(projections or upcasters); differences below are against that rebuild")
    return head + why + "\n\n" + figures_text(v.differences)


def triangle_text(result: dict) -> str:
    blocks = []
    for fid, rows in result["figures"].items():
        headers = ["vintage (as of)"] + result["periods"]
        body = [[r["as_of"]] + ["" if c is None else render.percent(c["value"], fid) for c in r["cells"]]
                for r in rows]
        blocks.append(f"{render.LABELS[fid]} {fid}\n" + render.table(headers, body, right=set(range(1, len(headers)))))
    level = f" level {result['level']}" if result["level"] else ""
    return f"实时数据 revision triangle: region {result['region']} period {result['period']}{level}\n\n" + \
        "\n\n".join(blocks)
