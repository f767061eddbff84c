"""The 通报 as a document: its wording (the lead paragraph in the bulletins' usual phrasing) and its
tables as typed cells — the one layout that the .xlsx, .md and .html writers each render, so that
the three say the same thing. Pure: from `services.query.bulletin.Bulletin`, nothing computed but
sums' wording, percentages and points.

Amounts in the text are in 亿元 when they reach 1亿 (10000万元), else in 万元 (CONTRACT §7); the
tables keep 万元.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from projections.names import CATEGORY_LABELS, FIGURE_KIND_LABELS, KEY_LEVEL_LABELS, figure_label, region_label
from projections.periods import LOCAL, Period
from services.entry.render.tables import MULTIPLES
from services.query.bulletin import NO_TOWNSHIP, Bulletin, Ranking, pace_light

YI = Decimal(10000)  # 1亿元 = 10000万元
LIGHT_TEXT = {"red": "红", "yellow": "黄", "green": "绿"}
CHINESE_NUMBERS = "一二三四五六七八九十"
QUARTERS = {1: "一季度", 2: "上半年", 3: "前三季度", 4: "全年"}


# ---- words and numbers ------------------------------------------------------------------------------
def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals (一, 十一, 二十三): how a bulletin numbers its parts."""
    tens, ones = divmod(n, 10)
    if n <= 10:
        return CHINESE_NUMBERS[n - 1]
    return (CHINESE_NUMBERS[tens - 1] if tens > 1 else "") + "十" + (CHINESE_NUMBERS[ones - 1] if ones else "")


def months_phrase(month: int) -> str:
    """1—5月 (1月 for January): the months a cumulative figure covers."""
    return "1月" if month == 1 else f"1—{month}月"


def period_phrase(period: Period) -> str:
    """How a title names the period: 2025年5月 / 2025年一季度 / 2025年上半年 / 2025年."""
    label = period.label
    if "Q" in label:
        return f"{period.year}年{QUARTERS[int(label[-1])]}"
    if "H" in label:
        return f"{period.year}年{'上半年' if label.endswith('H1') else '全年'}"
    if "-" in label:
        return f"{period.year}年{period.month}月"
    return f"{period.year}年"


def cumulative_phrase(period: Period) -> str:
    """The subtitle: (2025年1—5月)."""
    return f"{period.year}年{months_phrase(period.month)}"


def through_phrase(period: Period) -> str:
    return f"截至{period.year}年{period.month}月底"


def scope_word(region: str) -> str:
    """全县 / 全市 / 全区 / 全省 … from the region's name."""
    name = region_label(region)
    for ending in ("县", "市", "区", "省", "旗", "州", "盟"):
        if name.endswith(ending):
            return "全" + ending
    return name


def _trim(number: Decimal) -> str:
    text = f"{number:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def amount_text(wan) -> str:
    """An amount for the text: 亿元 (2 decimals) from 1亿 on, else 万元 (no trailing zeros)."""
    value = Decimal(str(wan))
    if abs(value) >= YI:
        return f"{(value / YI).quantize(Decimal('0.01'), ROUND_HALF_UP)}亿元"
    return f"{_trim(value)}万元"


def percent_text(value) -> str:
    return "—" if value is None else f"{Decimal(str(value)) * 100:.2f}%"


def value_text(value, figure_id: str, kind: str = "rate") -> str:
    if value is None:
        return "—"
    if kind == "amount":
        return amount_text(value)
    if kind == "count":
        return f"{value}个"
    if figure_id in MULTIPLES:
        return f"{Decimal(str(value)):.2f}倍"
    return percent_text(value)


def points_text(gap: Decimal) -> str:
    return f"{abs(gap) * 100:.2f}"


def pace_clause(value, pace) -> str:
    """超序时进度X个百分点 / 欠序时进度X个百分点 / 与序时进度持平."""
    if value is None:
        return "序时进度无从比较"
    gap = Decimal(str(value)) - Decimal(str(pace))
    if gap > 0:
        return f"超序时进度{points_text(gap)}个百分点"
    if gap < 0:
        return f"欠序时进度{points_text(gap)}个百分点"
    return "与序时进度持平"


def as_of_text(as_of: datetime) -> str:
    local = as_of.astimezone(LOCAL)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}（北京时间）"


def sub_header(b: Bulletin) -> str:
    return "乡镇" if b.by == "township" else "县（市、区）"


def scope_label(b: Bulletin) -> str:
    """What the projects are: 重点项目, or 省级重点工程 / 工业 … when the query keeps only those."""
    q = b.query
    parts = []
    if q.level:
        parts.append(KEY_LEVEL_LABELS[q.level])
    if q.category:
        parts.append(f"{CATEGORY_LABELS.get(q.category, q.category)}类")
    return "（" + "、".join(parts) + "）" if parts else ""


def title(b: Bulletin) -> str:
    """阳城县2025年5月重大项目建设通报 (also the file's name)."""
    return f"{b.region_name}{period_phrase(b.query.period)}重大项目建设通报{scope_label(b)}"


def subtitle(b: Bulletin) -> str:
    return f"（{cumulative_phrase(b.query.period)}累计）"


def stamp(b: Bulletin) -> str:
    return f"数据截至 {as_of_text(b.query.as_of)}"


def source_text(b: Bulletin) -> str:
    regions = b.source.get("regions") or {}
    names = (f"；行政区划名称：民政部全国行政区划信息（{regions.get('package')} {regions.get('version')}，"
             f"数据截至{regions.get('data_as_of')}）") if regions else ""
    return (f"数据来源：重大项目建设事实库（projfacts），各部门报送并于 {b.query.as_of.isoformat()} 前记录的事实"
            f"{names}")


# ---- the lead paragraph ---------------------------------------------------------------------------------
def lead_paragraph(b: Bulletin) -> str:
    """截至2025年5月底，全县纳入年度计划重点项目N项，总投资X亿元，年度计划投资Y亿元；1—5月完成投资Z亿元，
    占年度计划的A%，超（欠）序时进度B个百分点。新建项目…已开工…；续建项目…已复工…；开复工率…。"""
    period, fig = b.query.period, b.figure
    completion = fig("investment_completion_rate")
    new, continuing, both = fig("new_start_rate"), fig("resume_rate"), fig("start_or_resume_rate")
    projects = "重点项目" if not scope_label(b) else f"{scope_label(b).strip('（）')}项目"
    text = (f"{through_phrase(period)}，{scope_word(b.query.region)}纳入年度计划{projects}{b.plan_projects}项，"
            f"总投资{amount_text(b.plan_total_investment)}，年度计划投资{amount_text(completion['denominator'])}；"
            f"{months_phrase(period.month)}完成投资{amount_text(completion['numerator'])}，"
            f"占年度计划的{percent_text(completion['value'])}，{pace_clause(completion['value'], b.report['pace'])}。")
    text += (f"计划新开工项目{new['denominator']}项，已开工{new['numerator']}项，开工率{percent_text(new['value'])}；"
             f"续建项目{continuing['denominator']}项，已复工{continuing['numerator']}项，"
             f"复工率{percent_text(continuing['value'])}；开复工率{percent_text(both['value'])}。")
    due = fig("due_start_rate")
    if due["denominator"]:
        text += (f"按开复工计划，截至{period.month}月底应开复工{due['denominator']}项，已开复工{due['numerator']}项，"
                 f"按计划开复工率{percent_text(due['value'])}。")
    growth, invested = fig("investment_growth"), fig("investment_total")
    if growth["value"] is not None:
        word = "增长" if Decimal(growth["value"]) >= 0 else "下降"
        text += (f"全部项目{months_phrase(period.month)}完成固定资产投资{amount_text(invested['numerator'])}，"
                 f"同比{word}{points_text(Decimal(growth['value']))}%。")
    behind = [figure_label(fid, b.query.category) for fid, f in b.report["figures"].items() if f.get("behind")]
    if behind:
        text += f"对照年度目标，{'、'.join(behind)}等{len(behind)}项指标未达到目标进度，予以预警。"
    return text


def ranking_paragraph(b: Bulletin) -> str:
    """比学赶超: who leads and who trails on completion and on starts."""
    parts = []
    for ranking in b.rankings:
        if ranking.figure not in ("investment_completion_rate", "start_or_resume_rate"):
            continue
        ranked = [r for r in ranking.rows if r.rank is not None]
        if len(ranked) < 2:
            continue
        label = figure_label(ranking.figure)
        top = "、".join(r.name for r in ranked[:3] if r.rank <= 3)
        sentence = f"{label}排名前列的是{top}"
        trailing = [r.name for r in ranked if r.bottom]
        if trailing:
            sentence += f"，排名靠后的是{'、'.join(trailing)}"
        parts.append(sentence)
    if not parts:
        return ""
    where = "各乡镇" if b.by == "township" else "各县（市、区）"
    return f"从{where}看，" + "；".join(parts) + "。"


# ---- the document ---------------------------------------------------------------------------------------
@dataclass
class Cell:
    value: Any
    kind: str | None = None  # wan, percent, multiple, count, points, multiple_change, rank_change, light, text


@dataclass
class Column:
    header: str
    kind: str | None = None
    group: str | None = None  # a header over several columns (merged)
    width: int | None = None


@dataclass
class Row:
    cells: list[Cell]
    style: str | None = None  # total, subtotal, bottom, residual


@dataclass
class Table:
    key: str
    caption: str
    columns: list[Column]
    rows: list[Row]
    note: str = ""


@dataclass
class Section:
    key: str
    sheet: str  # the worksheet's name
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    chart: str | None = None  # "monthly": completion vs 序时 by month, drawn from the table "monthly"


@dataclass
class Document:
    title: str
    subtitle: str
    stamp: str
    source: str
    sections: list[Section]
    bulletin: Bulletin


def _rate_kind(figure_id: str) -> str:
    return "multiple" if figure_id in MULTIPLES else "percent"


def _side_kind(value) -> str:
    return "wan" if isinstance(value, str) else "count"


def _figure_value_kind(figure_id: str, kind: str) -> str:
    return {"amount": "wan", "count": "count"}.get(kind, _rate_kind(figure_id))


def _num(value):
    """A JSON number (万元 string or int) as a cell value: Decimal for money, int for counts."""
    if value is None:
        return None
    return Decimal(value) if isinstance(value, str) else value


def monthly_table(b: Bulletin) -> Table:
    columns = [Column("月份", "text"), Column("累计完成投资（万元）", "wan"), Column("年度计划投资（万元）", "wan"),
               Column("累计完成率", "percent"), Column("序时进度", "percent"), Column("超（欠）序时（百分点）", "points"),
               Column("亮灯", "light")]
    rows = [Row([Cell(f"{p.month}月"), Cell(_num(p.completed), "wan"), Cell(_num(p.planned), "wan"),
                 Cell(_num(p.value), "percent"), Cell(Decimal(p.pace), "percent"),
                 Cell(None if p.gap is None else p.gap * 100, "points"),
                 Cell(LIGHT_TEXT.get(pace_light(b.lights, p.value, p.pace)), "light")]) for p in b.monthly]
    return Table("monthly", "年度投资完成进度（按月累计）", columns, rows,
                 note="序时进度 = 月份 ÷ 12；超（欠）序时 = 累计完成率 − 序时进度（百分点）。")


def figures_table(b: Bulletin) -> Table:
    columns = [Column("序号", "count"), Column("指标", "text"), Column("类型", "text"), Column("分子", "number"),
               Column("分母", "number"), Column("单位", "text"), Column("本期值", "number"), Column("目标", "number"),
               Column("预警", "text"), Column("指标代码", "text")]
    rows = []
    for n, (fid, f) in enumerate(b.report["figures"].items(), start=1):
        kind = f.get("kind", "rate")
        value_kind = _figure_value_kind(fid, kind)
        unit = "万元" if isinstance(f["numerator"], str) else ("件" if fid == "procedure_completion_rate" else "个")
        target = f.get("target")
        warning = "" if target is None else ("预警" if f.get("behind") else "达标")
        rows.append(Row([Cell(n, "count"), Cell(figure_label(fid, b.query.category)), Cell(FIGURE_KIND_LABELS[kind]),
                         Cell(_num(f["numerator"]), _side_kind(f["numerator"])),
                         Cell(_num(f["denominator"]), _side_kind(f["denominator"])), Cell(unit),
                         Cell(None if f["value"] is None else (Decimal(f["value"]) if kind != "count" else f["value"]),
                              value_kind),
                         Cell(None if target is None else Decimal(target), value_kind),
                         Cell(warning, "warning"), Cell(fid)]))
    rows.append(Row([Cell(len(rows) + 1, "count"), Cell("序时进度"), Cell(FIGURE_KIND_LABELS["rate"]), Cell(None),
                     Cell(None), Cell(""), Cell(Decimal(b.report["pace"]), "percent"), Cell(None), Cell(""),
                     Cell("pace")]))
    return Table("figures", "主要指标完成情况", columns, rows,
                 note="比率以百分比列示（倍数以倍列示），金额单位为万元；“预警”为本期值低于目标，“达标”为不低于目标，无目标者空白。")


def breakdown_table(b: Bulletin) -> Table:
    month = months_phrase(b.query.period.month)
    g1, g2, g3 = "开复工情况（个）", "投资完成情况（万元）", "按计划开复工（个）"
    columns = [Column("序号", "count"), Column(sub_header(b), "text"),
               Column("计划项目数", "count", g1), Column("新建项目", "count", g1), Column("已开工", "count", g1),
               Column("开工率", "percent", g1), Column("续建项目", "count", g1), Column("已复工", "count", g1),
               Column("复工率", "percent", g1), Column("开复工率", "percent", g1),
               Column("年度计划投资", "wan", g2), Column(f"{month}完成投资", "wan", g2), Column("完成率", "percent", g2),
               Column("超（欠）序时（百分点）", "points", g2), Column("亮灯", "light", g2),
               Column("应开复工", "count", g3), Column("已开复工", "count", g3), Column("按计划开复工率", "percent", g3)]
    rows, n = [], 0
    pace = Decimal(b.report["pace"])
    for row in b.breakdown:
        f = row.figures
        style = {"total": "total", "subtotal": "subtotal", "residual": "residual"}.get(row.kind)
        if row.kind in ("row", "residual"):
            n += 1
        name = row.name if row.kind != "row" or not (b.by == "county" and len(b.query.region) == 2) else "　" + row.name
        completion = f["investment_completion_rate"].value
        rows.append(Row([
            Cell(n, "count") if row.kind in ("row", "residual") else Cell(None, "text"), Cell(name),
            Cell(_num(f["start_or_resume_rate"].denominator), "count"),
            Cell(_num(f["new_start_rate"].denominator), "count"), Cell(_num(f["new_start_rate"].numerator), "count"),
            Cell(_num(f["new_start_rate"].value), "percent"),
            Cell(_num(f["resume_rate"].denominator), "count"), Cell(_num(f["resume_rate"].numerator), "count"),
            Cell(_num(f["resume_rate"].value), "percent"),
            Cell(_num(f["start_or_resume_rate"].value), "percent"),
            Cell(_num(f["investment_completion_rate"].denominator), "wan"),
            Cell(_num(f["investment_completion_rate"].numerator), "wan"),
            Cell(_num(completion), "percent"),
            Cell(None if completion is None else (Decimal(completion) - pace) * 100, "points"),
            Cell(LIGHT_TEXT.get(row.light), "light"),
            Cell(_num(f["due_start_rate"].denominator), "count"), Cell(_num(f["due_start_rate"].numerator), "count"),
            Cell(_num(f["due_start_rate"].value), "percent"),
        ], style))
    where = "乡镇" if b.by == "township" else "县（市、区）"
    note = (f"序时进度 {percent_text(b.report['pace'])}。亮灯：完成率落后序时进度不到"
            f"{b.lights.pace_yellow_points}个百分点为绿，{b.lights.pace_yellow_points}至{b.lights.pace_red_points}个百分点为黄，"
            f"更多为红。"
            f"合计 = 各{where}之和（与 report 一致）")
    if any(r.kind == "residual" for r in b.breakdown):
        note += f"；“{NO_TOWNSHIP}”为登记时未填乡镇的项目"
    if any(r.kind == "subtotal" for r in b.breakdown):
        note += "；小计为该市所辖县（市、区）之和"
    return Table("breakdown", f"分{where}完成情况", columns, rows, note=note + "。")


def _change_kind(figure_id: str) -> str:
    return "multiple_change" if figure_id in MULTIPLES else "points"


def ranking_table(b: Bulletin, ranking: Ranking, number: int) -> Table:
    fid = ranking.figure
    value_kind = _rate_kind(fid)
    province = b.by == "county" and len(b.query.region) == 2
    columns = [Column("名次", "count"), Column(sub_header(b), "text")]
    if province:
        columns.append(Column("所属市", "text"))
    columns += [Column("分子", "number"), Column("分母", "number"), Column("本期值", value_kind), Column("目标", value_kind),
                Column("预警", "text"), Column("上期名次", "count"), Column("上期值", value_kind),
                Column("名次变化", "rank_change"),
                Column("较上期增减（百分点）" if value_kind == "percent" else "较上期增减（倍）", _change_kind(fid))]
    if fid == "investment_completion_rate":
        columns.append(Column("亮灯", "light"))
    columns.append(Column("备注", "text"))
    rows = []
    for r in ranking.rows:
        cells = [Cell(r.rank, "count"), Cell(r.name)]
        if province:
            cells.append(Cell(region_label(r.region[:4])))
        change = None
        if r.value_change is not None:
            change = r.value_change * 100 if value_kind == "percent" else r.value_change
        cells += [Cell(_num(r.numerator), _side_kind(r.numerator)), Cell(_num(r.denominator), _side_kind(r.denominator)),
                  Cell(_num(r.value), value_kind), Cell(_num(r.target), value_kind),
                  Cell("" if r.behind is None else ("预警" if r.behind else "达标"), "warning"),
                  Cell(r.previous_rank, "count"), Cell(_num(r.previous_value), value_kind),
                  Cell(r.rank_change, "rank_change"), Cell(change, _change_kind(fid))]
        if fid == "investment_completion_rate":
            cells.append(Cell(LIGHT_TEXT.get(r.light), "light"))
        remark = "排名靠后" if r.bottom else ("上期无排名" if r.rank is not None and r.previous_rank is None else "")
        if r.rank is None:
            remark = "无数据，不参与排名"
        cells.append(Cell(remark))
        rows.append(Row(cells, "bottom" if r.bottom else None))
    caption = f"{chinese_number(number)}、{figure_label(fid, b.query.category)}"
    return Table(f"rank:{fid}", caption, columns, rows,
                 note=f"上期：{cumulative_phrase(b.previous)}（同一数据截至时间）。")


def lagging_table(b: Bulletin) -> Table:
    place = "乡镇" if b.by == "township" else "县（市、区）"
    columns = [Column("序号", "count"), Column("项目代码", "text"), Column("项目名称", "text"), Column(place, "text"),
               Column("建设性质", "text"), Column("重点工程", "text"), Column("滞后原因", "text"), Column("亮灯", "light"),
               Column("包联领导", "text"), Column("包联部门", "text")]
    rows = []
    for n, p in enumerate(b.lagging, start=1):
        where = (p["township"] or region_label(p["region"])) if b.by == "township" else region_label(p["region"])
        why = "；".join(f"{r['label']}（{r['detail']}）" if r.get("detail") else r["label"] for r in p["reasons"])
        rows.append(Row([Cell(n, "count"), Cell(p["project_id"]), Cell(p["name"]), Cell(where),
                         Cell(p["construction_label"]), Cell(p["key_level_label"] or ""), Cell(why),
                         Cell(LIGHT_TEXT.get(p["light"]), "light"),
                         Cell("、".join(p["leaders"]) or "未明确"), Cell("、".join(p["lead_units"]) or "未明确")]))
    lights = b.lights
    note = (f"截至{b.query.period.through.month}月底的滞后项目（与 projfacts lagging 同一口径）：计划开复工时间已过未开复工、"
            f"落后序时{lights.pace_yellow_points}个百分点以上、开工满{lights.entry_yellow_after_months}个月未入库、问题或前期手续超期。"
            f"亮灯取各原因中最重者：开复工逾期满{lights.start_red_after_months}个月、落后序时超过{lights.pace_red_points}个百分点为红。")
    return Table("lagging", "滞后项目清单", columns, rows, note=note)


def notes(b: Bulletin) -> list[str]:
    q = b.query
    scope = []
    if q.level:
        scope.append(f"重点工程级别：{KEY_LEVEL_LABELS[q.level]}")
    if q.category:
        scope.append(f"项目类别：{CATEGORY_LABELS.get(q.category, q.category)}")
    return [
        f"地区：{b.region_name}（{q.region}）；期间：{q.period.label}（{q.period.start.isoformat()} 至 "
        f"{q.period.through.isoformat()}）" + ("；" + "；".join(scope) if scope else ""),
        f"数据截至：{q.as_of.isoformat()}（只用此时已记录、且未被撤回的事实；同一查询得出同样的数值）。",
        source_text(b) + "。",
        "指标口径：见 CONTRACT §3、§6；分子、分母、本期值、目标与 `projfacts report --format json` 一致，"
        "排名与 `projfacts rank --format json` 一致（标准竞赛排名：并列同名次，无数据者不排名）。",
        f"总投资：纳入年度计划项目的登记总投资之和（登记信息以{q.period.through.isoformat()}有效版本为准）。",
        f"序时进度 = 月份 ÷ 12（本期 {percent_text(b.report['pace'])}）。",
        f"较上期：与上一同长度期间（{cumulative_phrase(b.previous)}）比较，按同一数据截至时间计算；"
        "名次变化 ↑ 为前进、↓ 为后退、— 为持平。",
        f"排名靠后：已排名的前提下取倒数第{b.bottom}名及与其并列或更低者；参与排名的不超过{b.bottom}个时不标注。",
        f"红黄绿：投资完成率落后序时进度不到{b.lights.pace_yellow_points}个百分点为绿，{b.lights.pace_yellow_points}至"
        f"{b.lights.pace_red_points}个百分点为黄，更多为红；开复工计划时间已过未开复工为黄，逾期满"
        f"{b.lights.start_red_after_months}个月为红（阈值见 services/query/lights.toml）。",
    ]


def document(b: Bulletin) -> Document:
    where = "乡镇" if b.by == "township" else "县（市、区）"
    lead = [lead_paragraph(b)]
    ranked = ranking_paragraph(b)
    if ranked:
        lead.append(ranked)
    sections = [
        Section("overview", "通报", "一、总体情况", lead, [monthly_table(b)], chart="monthly"),
        Section("figures", "主要指标", "二、主要指标完成情况", [], [figures_table(b)]),
        Section("breakdown", f"分{where}", f"三、分{where}完成情况", [], [breakdown_table(b)]),
        Section("rankings", "比学赶超", "四、比学赶超（排名及较上期变化）", [],
                [ranking_table(b, r, n) for n, r in enumerate(b.rankings, start=1)]),
        Section("lagging", "滞后项目", "附件：开复工滞后项目及包联领导", [], [lagging_table(b)]),
        Section("notes", "说明", "说明", notes(b)),
    ]
    return Document(title(b), subtitle(b), stamp(b), source_text(b), sections, b)


# ---- cells as text (md, html) -----------------------------------------------------------------------------
def cell_text(cell: Cell) -> str:
    value, kind = cell.value, cell.kind
    if value is None or value == "":
        return "—" if kind not in (None, "text", "warning", "light") else ""
    if kind == "wan":
        return f"{Decimal(value):,.2f}"
    if kind == "percent":
        return f"{Decimal(value) * 100:.2f}%"
    if kind == "multiple":
        return f"{Decimal(value):.2f}倍"
    if kind == "points":
        v = Decimal(value)
        return f"{'+' if v > 0 else ''}{v:.2f}"
    if kind == "multiple_change":
        v = Decimal(value)
        return f"{'+' if v > 0 else ''}{v:.2f}倍"
    if kind == "rank_change":
        return "—" if value == 0 else (f"↑{value}" if value > 0 else f"↓{-value}")
    if kind == "count":
        return str(value)
    return str(value)


def file_stem(b: Bulletin) -> str:
    return title(b)
