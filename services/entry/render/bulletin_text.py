"""The 通报 as Markdown and as one self-contained HTML page (print CSS, the charts as inline SVG),
from the same document as the workbook (services/entry/render/bulletin_doc.py)."""
from __future__ import annotations

import html
import re
import tempfile
from pathlib import Path

from services.entry.render.bulletin_doc import Cell, Document, Table, cell_text

NUMERIC = {"number", "wan", "percent", "multiple", "count", "points", "multiple_change", "rank_change"}


# ---- Markdown ------------------------------------------------------------------------------------------
def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_cell(cell: Cell, style: str | None) -> str:
    text = _md_escape(cell_text(cell))
    if cell.kind == "light" and text:
        text = {"红": "🔴 红", "黄": "🟡 黄", "绿": "🟢 绿"}.get(text, text)
    if style in ("total", "subtotal") and text:
        text = f"**{text}**"
    return text


def md_table(table: Table, caption: bool = True) -> str:
    headers = [(c.group + "·" if c.group else "") + c.header for c in table.columns]
    align = ["---:" if c.kind in NUMERIC else (":---:" if c.kind == "light" else "---") for c in table.columns]
    lines = ([f"**{table.caption}**", ""] if caption else []) + ["| " + " | ".join(map(_md_escape, headers)) + " |",
                                                                "| " + " | ".join(align) + " |"]
    for row in table.rows:
        cells = [_md_cell(cell, row.style) for cell in row.cells]
        lines.append("| " + " | ".join(cells) + " |")
    if not table.rows:
        lines.append("| " + " | ".join(["（无）"] + [""] * (len(headers) - 1)) + " |")
    if table.note:
        lines += ["", f"注：{table.note}"]
    return "\n".join(lines)


def _captioned(section) -> bool:
    """A table's caption is shown unless it would repeat its section's heading (a single table)."""
    return len(section.tables) > 1 or section.key == "overview"


def markdown(doc: Document) -> str:
    parts = [f"# {doc.title}", "", doc.subtitle, "", f"> {doc.stamp}  ", f"> {doc.source}", ""]
    for section in doc.sections:
        parts += [f"## {section.heading}", ""]
        if section.key == "notes":
            parts += [f"{n}. {text}" for n, text in enumerate(section.paragraphs, start=1)] + [""]
        else:
            for text in section.paragraphs:
                parts += [text, ""]
        for table in section.tables:
            parts += [md_table(table, _captioned(section)), ""]
    return "\n".join(parts).rstrip() + "\n"


# ---- HTML ----------------------------------------------------------------------------------------------
CSS = """
:root { --ink: #1f2d3d; --line: #9aa7b5; --head: #d9e1f2; --total: #ddebf7; --sub: #f2f2f2; --bottom: #fce4d6; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "SimSun", sans-serif;
       color: var(--ink); margin: 2em auto; max-width: 1200px; padding: 0 1em; line-height: 1.6; }
h1 { text-align: center; font-size: 1.6em; margin: 0.2em 0; }
.subtitle, .stamp { text-align: center; color: #44546a; margin: 0.1em 0; }
.stamp { font-size: 0.9em; }
h2 { font-size: 1.2em; border-left: 4px solid #1565c0; padding-left: 0.4em; margin-top: 1.6em; }
p.lead { text-indent: 2em; font-size: 1.05em; }
table { border-collapse: collapse; margin: 0.4em 0 0.2em; font-size: 0.86em; width: 100%; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: 0.3em 0; }
th, td { border: 1px solid var(--line); padding: 0.2em 0.4em; }
th { background: var(--head); font-weight: bold; text-align: center; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { background: var(--total); font-weight: bold; }
tr.subtotal td { background: var(--sub); font-weight: bold; }
tr.bottom td { background: var(--bottom); }
td.light { text-align: center; font-weight: bold; }
/* lights win over the row's shading (合计, 小计, 排名靠后) */
tr td.light.red, tr td.warn { background: #e53935; color: #fff; }
tr td.light.yellow { background: #fdd835; color: var(--ink); }
tr td.light.green, tr td.ok { background: #43a047; color: #fff; }
td.warn, td.ok { text-align: center; }
p.note { font-size: 0.82em; color: #595959; margin: 0 0 1em; }
figure.chart { margin: 0.6em 0; } figure.chart svg { max-width: 100%; height: auto; }
ol.notes { font-size: 0.9em; }
footer { margin-top: 2em; font-size: 0.8em; color: #595959; border-top: 1px solid var(--line); padding-top: 0.5em; }
@page { size: A4 landscape; margin: 12mm 10mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  table { page-break-inside: auto; } tr { break-inside: avoid; } thead { display: table-header-group; }
  section.rankings table, figure.chart { break-inside: avoid; }
  section.breakdown, section.rankings, section.lagging { break-before: page; }
  th, td.red, td.yellow, td.green, td.warn, td.ok, tr.total td, tr.subtotal td, tr.bottom td {
    -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".strip()
LIGHT_CLASS = {"红": "red", "黄": "yellow", "绿": "green"}


def _td(cell: Cell) -> str:
    text = html.escape(cell_text(cell))
    if cell.kind == "light":
        css = LIGHT_CLASS.get(cell_text(cell))
        return f'<td class="light {css}">{text}</td>' if css else "<td></td>"
    if cell.kind == "warning":
        css = {"预警": "warn", "达标": "ok"}.get(cell_text(cell))
        return f'<td class="{css}">{text}</td>' if css else "<td></td>"
    if cell.kind in NUMERIC:
        return f'<td class="num">{text}</td>'
    return f"<td>{text}</td>"


def html_table(table: Table, caption: bool = True) -> str:
    columns = table.columns
    head = []
    if any(c.group for c in columns):
        top, bottom, c = [], [], 0
        while c < len(columns):
            group = columns[c].group
            if not group:
                top.append(f'<th rowspan="2">{html.escape(columns[c].header)}</th>')
                c += 1
                continue
            end = c
            while end + 1 < len(columns) and columns[end + 1].group == group:
                end += 1
            top.append(f'<th colspan="{end - c + 1}">{html.escape(group)}</th>')
            bottom += [f"<th>{html.escape(columns[k].header)}</th>" for k in range(c, end + 1)]
            c = end + 1
        head = ["<tr>" + "".join(top) + "</tr>", "<tr>" + "".join(bottom) + "</tr>"]
    else:
        head = ["<tr>" + "".join(f"<th>{html.escape(c.header)}</th>" for c in columns) + "</tr>"]
    body = []
    for row in table.rows:
        css = f' class="{row.style}"' if row.style else ""
        body.append(f"<tr{css}>" + "".join(_td(cell) for cell in row.cells) + "</tr>")
    if not table.rows:
        body.append(f'<tr><td colspan="{len(columns)}">（无）</td></tr>')
    note = f'<p class="note">注：{html.escape(table.note)}</p>' if table.note else ""
    shown = f"<caption>{html.escape(table.caption)}</caption>" if caption else ""
    return (f'<table id="{html.escape(table.key)}">{shown}'
            f"<thead>{''.join(head)}</thead><tbody>{''.join(body)}</tbody></table>{note}")


def _svg(draw) -> str:
    """A chart drawn by services/entry/render/charts.py as inline SVG (no XML prolog or doctype)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chart.svg"
        draw(path)
        text = path.read_text(encoding="utf-8")
    text = re.sub(r"^<\?xml[^>]*>\s*", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    return text.strip()


def charts_for(doc: Document) -> dict[str, str]:
    """The SVG charts: completion vs 序时 by month; completion by sub-region (best first). Empty when
    the machine has no CJK font (the tables still say everything)."""
    from services.entry.render import charts
    from services.entry.render.bulletin_doc import cumulative_phrase

    b = doc.bulletin
    try:
        charts.cjk_family()
    except charts.NoCJKFont:
        return {}
    out = {"monthly": _svg(lambda p: charts.completion_by_month(
        [(m.month, m.value) for m in b.monthly], p, year=b.query.period.year, title="年度投资完成率与序时进度"))}
    completion = next(r for r in b.rankings if r.figure == "investment_completion_rate")
    if completion.rows:
        where = "乡镇" if b.by == "township" else "县（市、区）"
        out["ranking"] = _svg(lambda p: charts.ranking(
            [(r.name, r.value) for r in completion.rows], p,
            title=f"{cumulative_phrase(b.query.period)} 各{where}年度投资完成率",
            behind=[r.light == "red" for r in completion.rows]))
    return out


def html_page(doc: Document) -> str:
    svgs = charts_for(doc)
    parts = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
             f"<title>{html.escape(doc.title)}</title>", f"<style>\n{CSS}\n</style>", "</head>", "<body>",
             f"<header><h1>{html.escape(doc.title)}</h1><p class=\"subtitle\">{html.escape(doc.subtitle)}</p>"
             f"<p class=\"stamp\">{html.escape(doc.stamp)}</p></header>"]
    for section in doc.sections:
        parts.append(f'<section class="{section.key}"><h2>{html.escape(section.heading)}</h2>')
        if section.key == "notes":
            parts.append('<ol class="notes">' + "".join(f"<li>{html.escape(t)}</li>" for t in section.paragraphs)
                         + "</ol>")
        else:
            parts += [f'<p class="lead">{html.escape(t)}</p>' for t in section.paragraphs]
        for table in section.tables:
            parts.append(html_table(table, _captioned(section)))
            if table.key == "monthly" and "monthly" in svgs:
                parts.append(f'<figure class="chart">{svgs["monthly"]}</figure>')
            if table.key == "breakdown" and "ranking" in svgs:
                parts.append(f'<figure class="chart">{svgs["ranking"]}</figure>')
        parts.append("</section>")
    parts += [f"<footer>{html.escape(doc.stamp)}。{html.escape(doc.source)}。</footer>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"
