"""Deterministic generators of realistic event histories (事件历史).

Both generators yield CONTRACT §1 event dicts in the order they would be recorded
(non-decreasing ``recorded_at``) and give the same events for the same seed:

* :func:`demo_county` — 阳城 (140522) in 2024: the 126 key projects of 阳政办函〔2024〕5号 among
  a plan of some 270 projects, with the pipeline behind them (谋划, 储备, 招商签约) and the
  campaign's own facts (catalogue v2, CONTRACT §5): plans to the month and 旬, the 前期手续清单,
  funds secured, 双包联, month-end, amount, count and township targets; plus every irregularity a
  statistician meets: late reports, corrections, retractions, amendments and duplicates.
* :func:`province` — Shanxi (14) at province scale (millions of events), streamed month by
  month, over any run of years (a decade: tens of millions); see :mod:`tools.history.province`.

Catalogue versions: the departments' systems moved to catalogue v2 on :data:`V2_FROM`. Facts of
the types v2 revised are sent as v1 before that day and as v2 after it (a v1 registration lists
only v1 categories and procedures); ProcedurePlanned and FundingSecured exist from that day on.
The yearly rate targets (Q1/H1/Y) are still sent as v1 by the target sheet; the new targets
(month ends, amounts, counts, townships) need v2. So a store holds a mixed v1/v2 history.

``python -m tools.history.county {demo,province} OUT.jsonl`` writes one of them to a file.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from operator import itemgetter
from pathlib import Path

import orjson

# ---------------------------------------------------------------------------------------
# Vocabulary shared by both generators (CONTRACT §2, §5)
# ---------------------------------------------------------------------------------------

TZ = timezone(timedelta(hours=8))  # Asia/Shanghai has no daylight saving time

# The day the project database and the departments' systems started sending catalogue v2.
V2_FROM = date(2023, 7, 1)

DEPARTMENT_SYSTEMS = {
    "ndrc": "ndrc-projects",
    "approval": "approval-egov",
    "natural_resources": "nr-land-use",
    "ecology": "eco-eia",
    "energy": "energy-review",
    "water": "water-permit",
    "housing": "housing-permit",
    "industry": "industry-capacity",
    "culture": "culture-relics",
    "finance": "finance-funds",
    "investment_promotion": "invest-promo-crm",
    "project_center": "project-dispatch",
    "stats": "stats-fai",
    "supervision": "supervision-duban",
}

# Owner of each event type whose owner does not depend on the fact itself.
# ProcedureApproved (issuing department), ProblemResolved (assigned unit), FundingSecured
# (by channel: FUNDING_CHANNELS) and EventRetracted (owner of the retracted event) are decided
# per event.
OWNERS = {
    "ProjectRegistered": "ndrc",
    "AnnualPlanAdopted": "ndrc",
    "KeyProjectDesignated": "ndrc",
    "AgreementSigned": "investment_promotion",
    "ProjectLanded": "investment_promotion",
    "ConstructionStarted": "project_center",
    "ConstructionResumed": "project_center",
    "InvestmentReported": "project_center",
    "StatsEntrySubmitted": "stats",
    "StatsEntryApproved": "stats",
    "StatsEntryReturned": "stats",
    "ProjectCompleted": "ndrc",
    "ProductionStarted": "ndrc",
    "DesignOutputReached": "ndrc",
    "LeaderAssigned": "ndrc",
    "LeaderReleased": "ndrc",
    "SiteVisitRecorded": "project_center",
    "ProblemRaised": "project_center",
    "ProblemAssigned": "project_center",
    "ProblemFollowedUp": "project_center",
    "ProblemEscalated": "supervision",
    "TargetSet": "ndrc",
    "ProcedurePlanned": "approval",  # the 前期手续专班 is led by the administrative approval bureau
}

# Preliminary procedures (前期手续) in the order they are usually obtained; 消防验收 comes at
# completion. v1 knows eight of them; v2 adds 产能置换, 取水许可, 文物保护, 消防验收.
PROCEDURES = (
    "approval_filing",       # 立项 审批/核准/备案
    "land_pre_review",       # 用地预审与选址
    "capacity_replacement",  # 产能置换 (v2)
    "eia",                   # 环评批复
    "energy_review",         # 节能审查
    "water_use",             # 取水许可 (v2)
    "soil_water",            # 水土保持
    "cultural_relics",       # 文物保护 (v2)
    "land_approval",         # 用地批复
    "planning_permit",       # 规划许可
    "construction_permit",   # 施工许可
    "fire_acceptance",       # 消防验收 (v2)
)
PROCEDURES_V1 = tuple(c for c in PROCEDURES if c not in {"capacity_replacement", "water_use", "cultural_relics",
                                                        "fire_acceptance"})
PROCEDURES_V2_ONLY = frozenset(PROCEDURES) - frozenset(PROCEDURES_V1)
# The department that issues each procedure in 阳城 (one of events.catalogue.PROCEDURE_ISSUERS):
# 行政审批局 took over 立项, 水土保持 and 施工许可 (相对集中行政许可权); 能评 stays with 能源局.
# Other counties differ (tools.history.province.ISSUER_CHOICES).
PROCEDURE_DEPARTMENTS = {
    "approval_filing": "approval",
    "land_pre_review": "natural_resources",
    "capacity_replacement": "industry",  # 钢铁/水泥/铸造: 工信; 煤炭: energy (see issuer())
    "eia": "ecology",
    "energy_review": "energy",
    "water_use": "water",
    "soil_water": "approval",
    "cultural_relics": "culture",
    "land_approval": "natural_resources",
    "planning_permit": "natural_resources",
    "construction_permit": "approval",
    "fire_acceptance": "housing",
}
CATEGORIES = ("industrial", "private", "high_tech", "transformation", "six_new", "two_new_one_heavy", "industry")
CATEGORIES_V1 = CATEGORIES[:-1]
LEVELS = ("province", "city", "county")

# Seasonal shape of monthly completed investment (percent of an average month):
# slow over winter and the Spring Festival, fastest in the autumn push.
SEASON = (40, 55, 90, 100, 110, 110, 105, 100, 115, 120, 110, 95)

# Problem categories, the unit a problem of that kind is assigned to (a department code,
# which also publishes ProblemResolved), and typical descriptions.
PROBLEM_KINDS = (
    ("land", "natural_resources", ("用地报批进度滞后", "土地征收补偿未落实", "林地占用手续未办结")),
    ("permit", "approval", ("施工许可办理材料不全", "立项备案信息需变更")),
    ("environment", "ecology", ("环评批复尚未取得", "施工扬尘整改")),
    ("energy", "energy", ("节能审查意见未出具", "用能指标不足")),
    ("funding", "ndrc", ("项目资金到位率低", "专项债资金拨付滞后")),
    ("statistics", "stats", ("入库佐证材料不全", "投资数据与财务凭证不符")),
    ("utilities", "project_center", ("施工用电接入滞后", "供水管网配套未完成", "进场道路未打通")),
    ("attraction", "investment_promotion", ("招商协议条款需重新协商", "企业注册落地迟缓")),
)
STATS_RETURN_REASONS = (
    "佐证材料不全,缺少施工合同",
    "开工时间与施工许可不符",
    "计划总投资与备案信息不一致",
    "缺少项目现场照片",
    "财务支出凭证不足",
)
DOCUMENT_PREFIXES = {  # 文号 prefixes, after the issuing county's short name
    "approval_filing": "审批发", "land_pre_review": "自然资预", "eia": "环审", "energy_review": "能审",
    "soil_water": "审批水保", "land_approval": "自然资批", "planning_permit": "规字", "construction_permit": "建施",
    "capacity_replacement": "工信产能", "water_use": "水许", "cultural_relics": "文物审", "fire_acceptance": "住建消验",
}
RETRACTION_REASONS = {
    "ConstructionStarted": "开工信息误报,经现场核查以实际开工日期为准",
    "InvestmentReported": "项目代码填报错误,误报至本项目",
    "ProcedureApproved": "批复文件关联项目错误",
    "SiteVisitRecorded": "重复录入",
}

# Yearly rate targets (目标) a region sets, as (figure, by, target): sent as TargetSet v1.
TARGETS = (
    ("new_start_rate", "Q1", "0.5000"),
    ("new_start_rate", "H1", "0.8000"),
    ("new_start_rate", "Y", "0.9500"),
    ("resume_rate", "Q1", "1.0000"),
    ("start_or_resume_rate", "H1", "0.8500"),
    ("investment_completion_rate", "H1", "0.5000"),
    ("investment_completion_rate", "Y", "1.0000"),
    ("signed_same_year_start_rate", "Y", "0.4000"),
    ("reserve_conversion_rate", "Y", "0.3000"),
    ("procedure_completion_rate", "Y", "0.6500"),
    ("stats_entry_rate", "Y", "1.0000"),
    ("investment_growth", "Y", "0.1000"),
    ("reserve_multiple", "Y", "5.0000"),
    ("problem_on_time_rate", "Y", "0.9000"),
)
# Month-end milestones of the rate targets (TargetSet v2, by M01..M12): cumulative targets
# interpolated between these anchors (month → target), which agree with TARGETS where both name
# a day (M03 = Q1, M06 = H1, M12 = Y), so that whichever is recorded last the target is the same.
MONTHLY_ANCHORS = {
    "new_start_rate": {3: "0.5000", 6: "0.8000", 12: "0.9500"},
    "resume_rate": {2: "0.6000", 3: "1.0000", 12: "1.0000"},
    "start_or_resume_rate": {3: "0.7000", 6: "0.8500", 12: "0.9700"},
    "investment_completion_rate": {3: "0.1300", 6: "0.5000", 9: "0.7800", 12: "1.0000"},  # 开门红, 双过半, 超时序
}
# 五个一批: the count figures a county and each of its townships are scored on.
FIVE_BATCHES = ("signed_count", "landed_count", "started_count", "production_count", "output_count")
# 争取资金: channel → (the department that reports it, 文号 prefix of the allocating document).
FUNDING_CHANNELS = {
    "central_budget": ("ndrc", "晋发改投资发"),   # 中央预算内投资
    "ultra_long_bond": ("ndrc", "晋发改投资发"),  # 超长期特别国债
    "special_bond": ("finance", "晋财债"),        # 地方政府专项债券
    "provincial": ("finance", "晋财建"),          # 省级资金
    "other": ("finance", "晋财预"),
}


def monthly_targets(anchors: dict[int, str]) -> list[str]:
    """Targets for M01..M12, linear between the anchors (and from 0 before the first)."""
    points = [(0, Decimal(0))] + [(m, Decimal(t)) for m, t in sorted(anchors.items())]
    out = []
    for month in range(1, 13):
        (m0, t0), (m1, t1) = next((a, b) for a, b in zip(points, points[1:]) if a[0] < month <= b[0])
        out.append(str((t0 + (t1 - t0) * (month - m0) / (m1 - m0)).quantize(Decimal("0.0001"))))
    return out


SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘蒋蔡杜程苏魏吕丁任沈姚卢崔范"
GIVEN_NAMES = "建国志强海军晓东丽华文斌俊峰红梅立新永刚卫东春生宏伟少华振华学军玉兰鹏飞云龙晋平宝山"
INDUSTRIES = (  # what enterprises and investors build
    "年产30万吨新型建材", "精细化工", "高端铸造", "智能装备制造", "光伏发电", "分散式风电",
    "煤矿智能化改造", "煤层气综合利用", "储能电站", "蚕桑丝绸深加工", "农产品冷链物流", "中药材加工",
    "物流园区", "数据中心", "新能源汽车零部件", "氢能产业园", "固废综合利用", "标准化厂房", "全域旅游提升",
)
PUBLIC_WORKS = (  # what the government builds
    "城区道路改造", "污水处理厂提标改造", "城乡供水一体化", "集中供热管网改造", "学校建设", "医院综合楼",
    "保障性住房", "老旧小区改造", "乡村振兴示范", "农村公路提质",
)
BIG_WORKS = (  # the large ideas of a 谋划 list (several 亿 to tens of 亿)
    "抽水蓄能电站", "煤电一体化", "风光储一体化基地", "高速公路连接线", "铁路专用线", "现代煤化工",
)
# What a kind of works needs and who leads it: (traits, lead unit). Traits: h heavy industry
# (产能置换: i by 工信, e by 能源), w draws water (取水许可), c near relics or old villages (文物保护),
# b a building that needs 消防验收.
WORKS = {
    "年产30万吨新型建材": ("hi", "industry"), "精细化工": ("w", "industry"), "高端铸造": ("hi", "industry"),
    "智能装备制造": ("b", "industry"), "光伏发电": ("", "energy"), "分散式风电": ("", "energy"),
    "煤矿智能化改造": ("he", "energy"), "煤层气综合利用": ("", "energy"), "储能电站": ("b", "energy"),
    "蚕桑丝绸深加工": ("w", "agriculture"), "农产品冷链物流": ("b", "commerce"), "中药材加工": ("w", "agriculture"),
    "物流园区": ("b", "commerce"), "数据中心": ("wb", "industry"), "新能源汽车零部件": ("b", "industry"),
    "氢能产业园": ("w", "energy"), "固废综合利用": ("", "industry"), "标准化厂房": ("b", "devzone"),
    "全域旅游提升": ("c", "culture"),
    "城区道路改造": ("c", "housing"), "污水处理厂提标改造": ("w", "housing"), "城乡供水一体化": ("w", "water"),
    "集中供热管网改造": ("", "housing"), "学校建设": ("b", "education"), "医院综合楼": ("b", "health"),
    "保障性住房": ("b", "housing"), "老旧小区改造": ("cb", "housing"), "乡村振兴示范": ("c", "agriculture"),
    "农村公路提质": ("", "transport"),
    "抽水蓄能电站": ("wc", "energy"), "煤电一体化": ("hew", "energy"), "风光储一体化基地": ("", "energy"),
    "高速公路连接线": ("c", "transport"), "铁路专用线": ("", "transport"), "现代煤化工": ("hiw", "industry"),
}
# County units (包联/牵头部门, 帮办部门, 承办单位): key → (code suffix, name after the county's name).
UNITS = {
    "ndrc": ("FGJ", "发展和改革局"), "industry": ("GXJ", "工业和信息化局"), "energy": ("NYJ", "能源局"),
    "housing": ("ZJJ", "住房和城乡建设局"), "transport": ("JTJ", "交通运输局"), "water": ("SWJ", "水务局"),
    "agriculture": ("NNJ", "农业农村局"), "culture": ("WLJ", "文化和旅游局"), "education": ("JYJ", "教育局"),
    "health": ("WJJ", "卫生健康局"), "commerce": ("SWUJ", "商务局"), "approval": ("SPJ", "行政审批服务管理局"),
    "natural_resources": ("ZRZYJ", "自然资源局"), "ecology": ("STHJJ", "生态环境分局"),
    "project_center": ("XMZX", "项目推进中心"), "finance": ("CZJ", "财政局"), "devzone": ("KFQ", "开发区管委会"),
}
SUPPORT_UNITS = ("approval", "natural_resources", "project_center")  # 帮办: 手续, 用地, 要素保障
COMPANY_WORDS = ("宏达", "晋阳", "太行", "润丰", "鑫源", "华晟", "恒通", "泰和", "金鼎", "瑞祥", "兴业", "中诚")
COMPANY_TRADES = ("新材料", "能源", "建设", "实业", "科技", "农业开发", "文旅", "化工", "物流", "装备")
INVESTOR_CITIES = ("深圳", "上海", "北京", "杭州", "苏州", "郑州", "天津", "广州", "西安", "济南")
VILLAGE_FIRST, VILLAGE_SECOND = "上下东西南北中前后大小新", "杨李张王刘郭赵庄沟河坡峪岭头堡"


def new_event_id(rng: random.Random) -> str:
    """``str(uuid.UUID(int=rng.getrandbits(128), version=4))``, computed about twice as fast."""
    bits = rng.getrandbits(128)
    bits = (bits & ~(0xF000 << 64)) | (0x4000 << 64)  # version 4
    bits = (bits & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
    h = "%032x" % bits
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def money(cents: int) -> str:
    """An amount in 万元 given in hundredths, as a decimal string with exactly 2 places."""
    return str(Decimal(cents).scaleb(-2))


def project_code(registered_on: date, region: str, serial: int) -> str:
    """项目代码 ``yyMM-region-04-01-serial``, e.g. ``2401-140522-04-01-000123``."""
    return f"{registered_on:%y%m}-{region}-04-01-{serial:06d}"


def envelope(
    event_id: str,
    event_type: str,
    project_id: str | None,
    occurred_on: str,
    recorded_at: str,
    department: str,
    payload: dict,
    version: int = 1,
) -> dict:
    """One event in the CONTRACT §1 shape."""
    return {
        "event_id": event_id,
        "event_type": event_type,
        "schema_version": version,
        "project_id": project_id,
        "occurred_on": occurred_on,
        "recorded_at": recorded_at,
        "source": {"department": department, "system": DEPARTMENT_SYSTEMS[department]},
        "payload": payload,
    }


def split_exactly(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to integer ``weights``, the parts summing exactly to it."""
    parts = [total * w // sum(weights) for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def split_cents(rng: random.Random, total: int, parts: int, spread: float = 0.8) -> list[int]:
    """Split ``total`` hundredths into ``parts`` positive amounts summing exactly to it."""
    weights = [rng.uniform(1 - spread, 1 + spread) ** 2 for _ in range(parts)]
    scale = total / sum(weights)
    amounts = [max(1, int(w * scale)) for w in weights]
    amounts[-1] += total - sum(amounts)
    return amounts


def project_kind(rng: random.Random, origin: str) -> tuple[str, list[str]]:
    """What a project builds and its categories (latest catalogue), by who invests: government
    projects are public works (两新一重); the others are mostly private (民间投资), industrial,
    and 产业项目 (industry)."""
    if origin == "government":
        categories = rng.sample(("six_new", "two_new_one_heavy"), rng.randint(0, 2))
        return rng.choice(PUBLIC_WORKS), sorted(categories, key=CATEGORIES.index)
    categories = ["private"] if rng.random() < 0.8 else []
    categories += rng.sample(("industrial", "high_tech", "transformation", "six_new"), rng.randint(0, 2))
    if rng.random() < 0.9:
        categories.append("industry")
    return rng.choice(INDUSTRIES), sorted(categories, key=CATEGORIES.index)


def required_procedures(rng: random.Random, works: str, v2: bool) -> list[str]:
    """立项 always, one to five other v1 procedures, and (in v2) what the works call for:
    产能置换 for heavy industry, 取水许可 for water users, 文物保护 near relics, 消防验收 for
    buildings."""
    required = {"approval_filing", *rng.sample(PROCEDURES_V1[1:], rng.randint(1, 5))}
    if v2:
        traits = WORKS[works][0]
        for trait, code, chance in (("h", "capacity_replacement", 0.9), ("w", "water_use", 0.7),
                                    ("c", "cultural_relics", 0.6), ("b", "fire_acceptance", 0.5)):
            if trait in traits and rng.random() < chance:
                required.add(code)
        if "c" not in traits and rng.random() < 0.05:  # 考古勘探 turns something up
            required.add("cultural_relics")
    return sorted(required, key=PROCEDURES.index)


def issuer(code: str, works: str, departments: dict[str, str] = PROCEDURE_DEPARTMENTS) -> str:
    """The department that issues ``code`` for these works (产能置换 of coal by 能源局)."""
    if code == "capacity_replacement" and "e" in WORKS[works][0]:
        return "energy"
    return departments[code]


def procedure_level(code: str, total_wan: int, key_level: str | None) -> str:
    """办理层级: who grants a procedure, by its kind and the project's size (万元)."""
    if code == "approval_filing":
        return "province" if key_level == "province" or total_wan >= 500_000 else "county"
    if code == "land_approval":  # 农用地转用, 土地征收: the province, the State Council for the largest
        return "national" if total_wan >= 1_000_000 else "province"
    if code == "land_pre_review":
        return "province" if total_wan >= 50_000 else "city"
    if code == "eia":
        return "province" if total_wan >= 200_000 else "city"
    if code == "energy_review":  # ≥ 10000 tce no longer a county matter
        return "province" if total_wan >= 100_000 else "county"
    if code in ("soil_water", "water_use"):
        return "city" if total_wan >= 50_000 else "county"
    if code == "cultural_relics":
        return "province" if total_wan >= 50_000 else "city"
    if code == "capacity_replacement":
        return "province"
    return "county"  # planning permit, construction permit, fire acceptance


def dekad_of(day: date) -> int:
    """旬: 1 上旬 (days 1–10), 2 中旬 (11–20), 3 下旬 (21–end)."""
    return 1 if day.day <= 10 else 2 if day.day <= 20 else 3


def registration_payload(version: int, name: str, region: str, township: str | None, total: int, owner: str,
                         legal_entity: bool, origin: str, categories: list[str], required: list[str],
                         location: tuple[str, str] | None = None, village: str | None = None) -> dict:
    """ProjectRegistered in ``version``: v1 keeps only v1 categories and procedures and no place."""
    if version == 1:
        categories = [c for c in categories if c != "industry"]
        required = [c for c in required if c not in PROCEDURES_V2_ONLY]
    payload = {
        "name": name, "region": region, "township": township, "total_investment": money(total),
        "owner": owner, "legal_entity": legal_entity, "origin": origin,
        "categories": list(categories), "required_procedures": list(required),
    }
    if version == 2:
        if location is not None:
            payload["location"] = {"lng": location[0], "lat": location[1]}
        if village is not None:
            payload["village"] = village
    return payload


def person_name(rng: random.Random) -> str:
    given = rng.randrange(len(GIVEN_NAMES) // 2) * 2
    return rng.choice(SURNAMES) + GIVEN_NAMES[given : given + 2]


def company_name(rng: random.Random, place: str) -> str:
    return f"{place}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_TRADES)}有限公司"


def village_name(rng: random.Random) -> str:
    return rng.choice(VILLAGE_FIRST) + rng.choice(VILLAGE_SECOND) + "村"


def retraction_of(event_id: str, retracted: dict, occurred_on: str, recorded_at: str, reason: str) -> dict:
    """EventRetracted for ``retracted``, published by the retracted event's owner."""
    source = retracted["source"]["department"]
    payload = {"retracted_event_id": retracted["event_id"], "reason": reason}
    return envelope(event_id, "EventRetracted", retracted["project_id"], occurred_on, recorded_at, source, payload)


# ---------------------------------------------------------------------------------------
# 阳城 2024
# ---------------------------------------------------------------------------------------

YANGCHENG = "140522"
DEV_ZONE = "阳城经济技术开发区"
YANGCHENG_TOWNSHIPS = ("凤城镇", "北留镇", "润城镇", "町店镇", "芹池镇", "演礼乡", "东冶镇", DEV_ZONE)
# Approximate centre of each township (WGS-84, degrees) and villages to name (illustrative); the
# county lies within about 112.0–112.7 °E, 35.2–35.7 °N.
YANGCHENG_SITES = {
    "凤城镇": ((112.418, 35.487), ("东关村", "西关村", "南关村", "北关村")),
    "北留镇": ((112.556, 35.524), ("皇城村", "郭峪村", "史山村", "大桥村")),
    "润城镇": ((112.522, 35.476), ("上庄村", "屯城村", "中庄村", "润城村")),
    "町店镇": ((112.295, 35.415), ("町店村", "崦山村", "大端村")),
    "芹池镇": ((112.355, 35.572), ("芹池村", "刘东村", "宜壁村")),
    "演礼乡": ((112.262, 35.488), ("演礼村", "固隆村", "下交村")),
    "东冶镇": ((112.488, 35.318), ("东冶村", "月院村", "西冶村")),
    DEV_ZONE: ((112.452, 35.503), ()),
}
URBAN = frozenset({"凤城镇", DEV_ZONE})  # no 行政村 named for projects there
YANGCHENG_AUTHORITIES = {
    "ndrc": "阳城县发展和改革局", "approval": "阳城县行政审批服务管理局", "natural_resources": "阳城县自然资源局",
    "ecology": "晋城市生态环境局阳城分局", "energy": "阳城县能源局", "water": "阳城县水务局",
    "housing": "阳城县住房和城乡建设局", "industry": "阳城县工业和信息化局", "culture": "阳城县文化和旅游局",
}

# Key projects of 阳政办函〔2024〕5号: level, count, Σ total_investment, Σ 2024 planned
# investment (万元), and how many of them continue from earlier years.
KEY_PROJECTS_2024 = (
    ("province", 6, 1069900, 176100, 3),
    ("city", 18, 7094000, 269700, 7),
    ("county", 102, 3130600, 785600, 36),
)
# The rest of the 2024 plan (阳城 2025 had 285 projects): continuing and new ordinary projects.
# With the 80 new key projects the new ones make the 1366 notice's 113 planned starts.
ORDINARY_2024 = (100, 33)
RESERVE_PROJECTS = 9   # 1366: "9个前期项目"
SIGNED_2024 = 30       # 招商引资 signed during 2024 besides the key projects
IDEAS = 230            # 谋划: 1366 wants Σ ≥ 4 × the FAI target and ≥ 1.5 × as many as new projects
MATURING = 0.2         # share of them that obtain a first procedure (→ 储备) during 2024
YANGCHENG_LEADER_TITLES = (
    "县委书记", "县长", "县委副书记", "常务副县长", "县委常委、组织部部长", "县委常委、宣传部部长",
    "县委常委、政法委书记", "县委常委、统战部部长", "县委常委、县委办主任", "县委常委、副县长",
    "副县长", "副县长", "副县长", "副县长", "县人大常委会副主任", "副县长",
)
# 责任领导 of the 前期手续清单: the county leader in charge of each issuing department (分管).
RESPONSIBLE_LEADER = {"approval": 3, "natural_resources": 10, "ecology": 11, "energy": 12, "water": 13,
                      "industry": 9, "culture": 12, "housing": 11, "ndrc": 3}
PLAN_DAY_2023 = date(2023, 1, 12)
UPGRADE_DAY_2024 = date(2024, 1, 3)    # v1 registrations of the 2024 plan completed in v2 (坐标, 产业分类)
PLAN_DAY_2024 = date(2024, 1, 10)
DESIGNATION_DAY_2024 = date(2024, 1, 19)
LEADERS_DAY_2024 = date(2024, 1, 26)
LIST_DAY_2024 = date(2024, 2, 26)      # 前期手续专班's 审批事项清单
PUBLISHED_2024Q1 = date(2024, 4, 10)   # 一季度通报: "Q1 as published on 10 April"
FIVE_BATCHES_DAY_2024 = date(2024, 4, 8)  # 《2024年乡镇产业项目"五批五纳入"考核办法》: township targets
# Amount targets for 2024 (万元): 1366's 160.05亿 FAI; 招商签约 (2025: 195亿); 争取资金 (2025: 4.0亿);
# 储备 ≥ 35 % of 谋划, 谋划 ≥ 4 × the FAI target.
FAI_TARGET_2024 = 1_600_500
SIGNED_TARGET_2024 = 1_800_000
FUNDING_TARGET_2024 = 40_000
RESERVE_TARGET_2024 = FAI_TARGET_2024 * 4 * 35 // 100
# 争取资金 in 2024: channel → batches of (allocating document's date, how many projects, 万元 range).
FUNDING_2024 = {
    "central_budget": ((date(2024, 3, 28), 2, (1500, 2800)), (date(2024, 7, 16), 1, (1200, 2000))),
    "special_bond": ((date(2024, 3, 12), 2, (3000, 6000)), (date(2024, 8, 27), 2, (3000, 5000))),
    "ultra_long_bond": ((date(2024, 7, 5), 1, (4000, 6000)), (date(2024, 10, 22), 1, (3000, 5000))),
    "provincial": ((date(2024, 5, 20), 2, (500, 1500)), (date(2024, 11, 6), 2, (400, 1200))),
    "other": ((date(2024, 6, 18), 2, (800, 2000)),),
}


@dataclass
class DemoProject:
    """What the demo decides about one project before writing its facts."""

    kind: str  # key | plan | reserve | signed | done2023 | idea
    total: int = 0  # total_investment, hundredths of 万元
    level: str | None = None  # key-project level for 2024
    construction: str | None = None  # 2024 plan: new | continuing
    planned: int = 0  # 2024 planned_investment, hundredths
    plan_on: date | None = None  # when it entered the 2024 plan
    id: str = ""
    name: str = ""
    works: str = ""
    township: str = ""
    village: str | None = None
    location: tuple[str, str] | None = None
    owner: str = ""
    legal_entity: bool = True
    origin: str = "enterprise"
    categories: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    version: int = 1  # of the registration in force
    upgraded: bool = False  # a v1 registration completed in v2 for the 2024 plan
    matures: bool = False  # an idea that obtains its first procedure in 2024
    registered_on: date = date(2023, 1, 1)
    signed_on: date | None = None
    landed_on: date | None = None
    planned_start: date | None = None  # 2024 plan: planned start (new) or resumption (continuing)
    dekad: bool = False  # the plan names the 旬 too
    started_on: date | None = None
    resumed_on: date | None = None  # in 2024
    resumed_2023: date | None = None
    completed_on: date | None = None
    production_on: date | None = None
    output_on: date | None = None
    investment: dict[int, dict[int, int]] = field(default_factory=dict)  # year → month → hundredths


def demo_county(seed: int = 2024) -> Iterator[dict]:
    """阳城 (140522) 2024: about 10,000 events, recorded from 2020 to early 2025, in recording order."""
    yield from _DemoCounty(seed).history()


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


class _DemoCounty:
    """Builds the 阳城 history: decide the projects, write their facts, then add irregularities."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.out: list[dict] = []
        self.reports: dict[tuple[str, int, int], dict] = {}  # (project, year, month) → InvestmentReported
        self.starts: dict[str, dict] = {}
        self.approvals: dict[str, list[dict]] = {}
        self.visits: list[dict] = []
        self.special: set[str] = set()  # projects already given an irregularity
        self.document_numbers: Counter = Counter()
        rng = self.rng
        self.roster = [(f"YC-L{i + 1:02d}", person_name(rng), title) for i, title in enumerate(YANGCHENG_LEADER_TITLES)]
        self.officers = {d: [person_name(rng) for _ in range(3)] for d in YANGCHENG_AUTHORITIES}

    # -- output -------------------------------------------------------------------------

    def recorded(self, day: date, lag: int = 1, after: str | None = None) -> str:
        """A business-hours timestamp 0..lag days after ``day`` (strictly after ``after``)."""
        moment = datetime.combine(day + timedelta(days=self.rng.randint(0, lag)), time(8, 30), TZ)
        moment += timedelta(seconds=self.rng.randrange(9 * 3600 + 1800))
        stamp = moment.isoformat()
        if after is not None and stamp <= after:
            stamp = (datetime.fromisoformat(after) + timedelta(seconds=self.rng.randint(60, 900))).isoformat()
        return stamp

    def emit(self, event_type: str, project_id: str | None, day: date, recorded_at: str, payload: dict,
             department: str | None = None, version: int = 1) -> dict:
        event = envelope(new_event_id(self.rng), event_type, project_id, day.isoformat(), recorded_at,
                         department or OWNERS[event_type], payload, version)
        self.out.append(event)
        return event

    def fact(self, event_type: str, p: DemoProject, day: date, payload: dict | None = None, lag: int = 1,
             department: str | None = None, version: int = 1) -> dict:
        return self.emit(event_type, p.id, day, self.recorded(day, lag), payload or {}, department, version)

    def history(self) -> list[dict]:
        projects = self.projects()
        self.targets(projects)
        for p in projects:
            self.project_facts(p)
        plan = [p for p in projects if p.construction]
        self.funding(plan)
        self.leaders([p for p in projects if p.level])
        self.problems(plan)
        self.irregularities(plan)
        return sorted(self.out, key=itemgetter("recorded_at"))

    # -- deciding the projects ----------------------------------------------------------

    def projects(self) -> list[DemoProject]:
        key = self.key_projects()
        projects = key + self.non_key_projects(key)
        for p in projects:
            self.describe(p)
        self.schedule_new_starts([p for p in projects if p.construction == "new" and p.kind in ("key", "plan")])
        self.schedule_resumptions([p for p in projects if p.construction == "continuing"])
        self.schedule_completions(projects)
        for p in projects:
            self.amounts_2024(p)
        self.amounts_2023(projects)
        self.schedule_plan_starts([p for p in projects if p.construction])
        projects.sort(key=lambda p: (p.registered_on, p.kind))
        for serial, p in enumerate(projects, start=101):
            p.id = project_code(p.registered_on, YANGCHENG, serial)
        return projects

    def key_projects(self) -> list[DemoProject]:
        projects = []
        for level, count, total, planned, continuing in KEY_PROJECTS_2024:
            for i, (t, pl) in enumerate(self.paired_amounts(total * 100, planned * 100, count)):
                construction = "continuing" if i < continuing else "new"
                projects.append(DemoProject("key", t, level, construction, pl, PLAN_DAY_2024))
        attraction = self.rng.sample([p for p in projects if p.construction == "new"], 8)
        for i, p in enumerate(attraction):
            p.origin = "investment_attraction"
            p.signed_on = _day(self.rng, date(2023, 6, 1), date(2023, 11, 30)) if i < 4 else \
                _day(self.rng, date(2024, 1, 2), date(2024, 1, 5))
        return projects

    def paired_amounts(self, total: int, planned: int, count: int) -> list[tuple[int, int]]:
        """(total, planned) per project with exact sums and planned well under total."""
        while True:
            totals = sorted(self.whole(split_cents(self.rng, total, count)))
            plans = sorted(self.whole(split_cents(self.rng, planned, count, spread=0.5)))
            pairs = list(zip(totals, plans))
            if all(0 < pl and pl * 5 <= t * 4 for t, pl in pairs):
                self.rng.shuffle(pairs)
                return pairs

    @staticmethod
    def whole(amounts: list[int]) -> list[int]:
        """Round to whole 万元, like the plan tables, keeping the sum."""
        rounded = [(a + 50) // 100 * 100 for a in amounts[:-1]]
        return rounded + [sum(amounts) - sum(rounded)]

    def non_key_projects(self, key: list[DemoProject]) -> list[DemoProject]:
        rng = self.rng
        projects = []
        continuing, new = ORDINARY_2024
        for i in range(continuing + new):  # ordinary projects of the 2024 plan
            total = min(60000, max(600, int(math.exp(rng.gauss(math.log(4200), 0.9))))) * 100
            share = rng.uniform(0.25, 0.6) if i < continuing else rng.uniform(0.3, 0.7)
            p = DemoProject("plan", total, None, "continuing" if i < continuing else "new",
                            int(total * share) // 100 * 100, PLAN_DAY_2024)
            p.legal_entity = rng.random() >= 0.05
            projects.append(p)
        projects[0].total, projects[0].planned = 42000, 20000  # 420万: under the 500万 statistical-entry threshold
        projects[-1].legal_entity = False
        projects += [DemoProject("reserve", rng.randint(2000, 80000) * 100) for _ in range(RESERVE_PROJECTS)]
        # 招商引资: what is signed in 2024 comes near the target (the key projects signed in January count too)
        key_signed = sum(p.total for p in key if p.signed_on and p.signed_on.year == 2024)
        signed = max(300_000_00, SIGNED_TARGET_2024 * 100 * rng.randint(92, 104) // 100 - key_signed)
        projects += [DemoProject("signed", t, origin="investment_attraction")
                     for t in self.whole(split_cents(rng, signed, SIGNED_2024, spread=0.9))]
        projects += [DemoProject("done2023") for _ in range(10)]
        projects += [DemoProject("idea") for _ in range(IDEAS)]
        return projects

    def describe(self, p: DemoProject) -> None:
        """Name, place, owner, procedures and the dates up to the start of construction."""
        rng = self.rng
        p.township = rng.choice(YANGCHENG_TOWNSHIPS)
        place = "阳城县" + (p.township[:2] if p.township != DEV_ZONE else "开发区")
        if p.origin == "enterprise" and rng.random() < 0.3:
            p.origin = "government"
        if p.kind == "idea" and rng.random() < 0.08:  # the large ideas of the 谋划 list
            p.works = rng.choice(BIG_WORKS)
            p.categories = ["two_new_one_heavy"] if WORKS[p.works][1] == "transport" else ["industrial", "industry"]
            p.total = rng.randint(100_000, 500_000) * 100
        else:
            p.works, p.categories = project_kind(rng, p.origin)
            if p.kind == "idea":
                p.total = min(200_000, max(500, int(math.exp(rng.gauss(math.log(11000), 1.1))))) * 100
        p.name = f"{place}{p.works}项目"
        p.owner = (f"阳城县{p.township}人民政府" if p.township != DEV_ZONE else "阳城经济技术开发区管委会") \
            if p.origin == "government" else company_name(rng, "山西阳城")
        if not p.legal_entity:
            p.owner = f"{person_name(rng)}(个人投资)"
        getattr(self, f"timeline_{p.kind}")(p)
        p.version = 2 if p.registered_on >= V2_FROM else 1
        p.required = required_procedures(rng, p.works, p.version == 2)
        if p.version == 2:
            self.place(p)

    def place(self, p: DemoProject, township: str | None = None) -> None:
        """Coordinates for most v2 registrations, and a village for many outside the towns."""
        rng = self.rng
        township = township or p.township
        (lng, lat), villages = YANGCHENG_SITES[township]
        p.location = None
        if rng.random() < 0.75:
            p.location = (f"{lng + rng.uniform(-0.035, 0.035):.6f}", f"{lat + rng.uniform(-0.03, 0.03):.6f}")
        p.village = rng.choice(villages) if villages and township not in URBAN and rng.random() < 0.5 else None

    def timeline_key(self, p: DemoProject) -> None:
        if p.construction == "continuing":
            p.started_on = _day(self.rng, date(2022, 3, 1), date(2023, 9, 30))
            p.registered_on = p.started_on - timedelta(days=self.rng.randint(90, 360))
        elif p.signed_on and p.signed_on.year == 2024:
            p.registered_on = p.signed_on + timedelta(days=self.rng.randint(1, 3))
            p.landed_on = p.registered_on + timedelta(days=self.rng.randint(5, 25))
        elif p.signed_on:
            p.registered_on = p.signed_on + timedelta(days=self.rng.randint(10, 40))
            p.landed_on = p.registered_on + timedelta(days=self.rng.randint(10, 50))
        elif self.rng.random() < 0.75:
            p.registered_on = _day(self.rng, date(2023, 3, 1), date(2023, 11, 30))
        else:
            p.registered_on = _day(self.rng, date(2024, 1, 2), date(2024, 1, 8))

    timeline_plan = timeline_key

    def timeline_reserve(self, p: DemoProject) -> None:
        """储备: registered in 2023, a procedure before 2024, not started before 2024."""
        p.registered_on = _day(self.rng, date(2023, 3, 1), date(2023, 10, 31))

    def timeline_signed(self, p: DemoProject) -> None:
        """Signed in 2024 (招商引资签约); most land, some start the same year."""
        rng = self.rng
        p.signed_on = _day(rng, date(2024, 2, 1), date(2024, 9, 30))
        p.registered_on = p.signed_on + timedelta(days=rng.randint(10, 40))
        if rng.random() < 0.85:
            p.landed_on = p.registered_on + timedelta(days=rng.randint(10, 40))

    def timeline_done2023(self, p: DemoProject) -> None:
        """Built in 2021–2023 and completed at the end of 2023: the base of 2024's growth; most go
        into production during 2024 (投产), some reach their design output (达效)."""
        rng = self.rng
        p.started_on = _day(rng, date(2021, 4, 1), date(2022, 10, 31))
        p.registered_on = p.started_on - timedelta(days=rng.randint(90, 300))
        p.completed_on = _day(rng, date(2023, 12, 1), date(2023, 12, 22))
        if rng.random() < 0.8:
            p.production_on = p.completed_on + timedelta(days=rng.randint(20, 150))
            if rng.random() < 0.6:
                p.output_on = p.production_on + timedelta(days=rng.randint(90, 200))

    def timeline_idea(self, p: DemoProject) -> None:
        """谋划: registered from the autumn of 2023 (for 2024) to late 2024, most after the 1366
        notice; some obtain a first procedure in 2024 and so become reserve projects."""
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            p.registered_on = _day(rng, date(2023, 10, 9), date(2023, 12, 20))
        elif r < 0.8:
            p.registered_on = _day(rng, date(2024, 3, 1), date(2024, 6, 28))
        else:
            p.registered_on = _day(rng, date(2024, 7, 1), date(2024, 11, 29))
        p.matures = rng.random() < MATURING

    def schedule_new_starts(self, projects: list[DemoProject]) -> None:
        """About half of the new projects start by 10 April, most by the end of the year."""
        shares = ((0.08, date(2024, 2, 19), date(2024, 2, 29)), (0.37, date(2024, 3, 1), date(2024, 3, 31)),
                  (0.07, date(2024, 4, 1), date(2024, 4, 10)), (0.38, date(2024, 4, 11), date(2024, 11, 30)))
        self.rng.shuffle(projects)
        start = 0
        for share, first, last in shares:
            end = start + round(share * len(projects))
            for p in projects[start:end]:
                p.started_on = _day(self.rng, max(first, p.registered_on + timedelta(days=30),
                                                  (p.landed_on or first) + timedelta(days=10)), last)
            start = end
        # the rest (about a tenth) do not start in 2024

    def schedule_resumptions(self, projects: list[DemoProject]) -> None:
        """Continuing projects resume mostly in Q1 after the Spring Festival; a few never do."""
        self.rng.shuffle(projects)
        stalled, late = max(3, len(projects) * 3 // 100), max(8, len(projects) * 8 // 100)
        for i, p in enumerate(projects):
            if i < stalled:
                continue
            first, last = (date(2024, 4, 8), date(2024, 5, 31)) if i < late else (date(2024, 2, 19), date(2024, 3, 29))
            p.resumed_on = _day(self.rng, first, last)

    def schedule_completions(self, projects: list[DemoProject]) -> None:
        """Some continuing projects complete in 2024, and a few small new factories started in
        spring; most go into production within weeks (投产), a few reach design output (达效)."""
        rng = self.rng
        continuing = [p for p in projects if p.construction == "continuing" and p.resumed_on]
        small = [p for p in projects if p.construction == "new" and p.started_on and p.origin != "government"
                 and p.started_on <= date(2024, 4, 10) and p.total <= 20000_00]
        done = rng.sample(continuing, len(continuing) // 8)
        for p in done + rng.sample(small, min(5, len(small))):
            first = max(date(2024, 5, 1), (p.resumed_on or p.started_on) + timedelta(days=60))
            last = date(2024, 11, 15) if p.construction == "continuing" else date(2024, 12, 5)
            p.completed_on = _day(rng, first, last)
            if rng.random() < 0.7:
                p.production_on = p.completed_on + timedelta(days=rng.randint(10, 40))
                if rng.random() < 0.35 and p.production_on < date(2024, 10, 1):
                    p.output_on = p.production_on + timedelta(days=rng.randint(30, 80))

    def amounts_2024(self, p: DemoProject) -> None:
        """Investment completed in 2024, a share of the planned investment."""
        rng = self.rng
        if p.kind in ("reserve", "signed"):
            self.maybe_start_in_2024(p)
        if p.construction == "continuing" and p.resumed_on:
            amount = p.planned * rng.randint(88, 115) // 100
        elif p.started_on and p.started_on.year == 2024 and p.plan_on > PLAN_DAY_2024:
            amount = p.planned * rng.randint(85, 115) // 100  # planned for the months left
        elif p.started_on and p.started_on.year == 2024:
            months_left = 13 - p.started_on.month
            amount = p.planned * rng.randint(85, 115) // 100 * min(9, months_left) // 9
        else:
            return
        p.investment[2024] = self.spread(p, 2024, amount)

    @staticmethod
    def spread(p: DemoProject, year: int, amount: int) -> dict[int, int]:
        """A year's investment over the months under construction, slower over winter and
        before the yearly resumption (复工)."""
        first = 1 if p.started_on.year < year else p.started_on.month
        last = p.completed_on.month if p.completed_on and p.completed_on.year == year else 12
        resumed = p.resumed_on if year == 2024 else p.resumed_2023
        weights = {m: SEASON[m - 1] * (60 if resumed and m < resumed.month else 100) for m in range(first, last + 1)}
        return dict(zip(weights, split_exactly(amount, list(weights.values()))))

    def maybe_start_in_2024(self, p: DemoProject) -> None:
        """Half of the reserve and some of the landed signed projects start in 2024 and join the plan."""
        rng = self.rng
        ready = p.registered_on if p.kind == "reserve" else p.landed_on
        if ready is None or rng.random() < (0.5 if p.kind == "reserve" else 0.35):
            return
        first, last = max(date(2024, 5, 1), ready + timedelta(days=15)), date(2024, 11, 15)
        if first > last:
            return
        p.started_on = _day(rng, first, last)
        p.construction, p.plan_on = "new", p.started_on - timedelta(days=rng.randint(5, 20))
        p.planned = p.total * rng.randint(20, 40) * (13 - p.started_on.month) // 1200 // 100 * 100

    def amounts_2023(self, projects: list[DemoProject]) -> None:
        """2023 investment: the continuing projects' part, and the projects finished at the end of
        2023 make up the rest, month by month, so that each month grows by 4–14 % in 2024."""
        rng = self.rng
        for p in projects:
            if p.started_on and p.started_on.year < 2023 and p.kind != "idea":
                p.resumed_2023 = _day(rng, date(2023, 2, 6), date(2023, 3, 20))
        carried = Counter()
        for p in projects:
            if p.construction == "continuing":
                months = 12 if p.started_on.year < 2023 else 13 - p.started_on.month
                p.investment[2023] = self.spread(p, 2023, p.planned * rng.randint(60, 110) // 100 * months // 12)
                carried.update(p.investment[2023])
        done = [p for p in projects if p.kind == "done2023"]
        shares = [rng.randint(1, 4) for _ in done]
        for p in done:
            p.investment[2023] = {}
        for month in range(1, 13):
            in_2024 = sum(p.investment.get(2024, {}).get(month, 0) for p in projects)
            gap = max(in_2024 * 100 // rng.randint(104, 114) - carried[month], 300_00 * len(done))
            for p, cents in zip(done, split_exactly(gap // 100 * 100, shares)):
                p.investment[2023][month] = cents
        for p in done:
            p.total = sum(p.investment[2023].values()) * 100 // rng.randint(25, 45) // 100 * 100

    def schedule_plan_starts(self, plan: list[DemoProject]) -> None:
        """开复工计划到月、到旬: the planned start (new) or resumption (continuing) of every project of
        the 2024 plan. Most start on plan, some late, some not at all; most plans name the 旬."""
        rng = self.rng
        for p in plan:
            if p.construction == "continuing":
                if p.resumed_on and p.resumed_on <= date(2024, 3, 31) and rng.random() < 0.85:
                    planned = min(date(2024, 3, 31), p.resumed_on + timedelta(days=rng.randint(0, 20)))
                else:
                    planned = _day(rng, date(2024, 2, 19), date(2024, 3, 20))
            elif p.plan_on > PLAN_DAY_2024:  # joined the plan weeks before it started
                planned = p.started_on + timedelta(days=rng.randint(0, 10))
            elif p.started_on and rng.random() < 0.72:
                planned = p.started_on + timedelta(days=rng.randint(0, 25))
            elif p.started_on:  # late: planned weeks or months before it really started
                planned = max(date(2024, 2, 1), p.started_on - timedelta(days=rng.randint(20, 110)))
            else:  # not started in 2024: overdue, on the red list by the autumn
                planned = _day(rng, date(2024, 3, 1), date(2024, 8, 31))
            p.planned_start, p.dekad = min(planned, date(2024, 12, 31)), rng.random() < 0.7

    # -- writing a project's facts ------------------------------------------------------

    def project_facts(self, p: DemoProject) -> None:
        if p.signed_on:
            self.fact("AgreementSigned", p, p.signed_on, {"investor": company_name(self.rng, self.rng.choice(
                INVESTOR_CITIES)), "agreed_investment": money(p.total * self.rng.randint(100, 110) // 100)})
        version = p.version
        self.fact("ProjectRegistered", p, p.registered_on, self.registration(p), version=version)
        if p.version == 1 and p.construction and p.plan_on == PLAN_DAY_2024 and self.rng.random() < 0.7:
            self.upgrade(p)
        if p.landed_on:
            self.fact("ProjectLanded", p, p.landed_on)
        self.procedures(p)
        if p.construction == "new" or p.kind == "reserve":
            self.procedure_list(p, max(LIST_DAY_2024, p.plan_on or LIST_DAY_2024))
        self.plans(p)
        self.construction(p)
        self.investment(p, 2023)
        self.investment(p, 2024)
        self.stats_entry(p)
        for event_type, day in (("ProjectCompleted", p.completed_on), ("ProductionStarted", p.production_on),
                                ("DesignOutputReached", p.output_on)):
            if day:
                self.fact(event_type, p, day)

    def registration(self, p: DemoProject, **changes) -> dict:
        f = {"township": p.township, "total": p.total, "village": p.village, "location": p.location} | changes
        return registration_payload(p.version, p.name, YANGCHENG, f["township"], f["total"], p.owner, p.legal_entity,
                                    p.origin, p.categories, p.required, f["location"], f["village"])

    def upgrade(self, p: DemoProject) -> None:
        """For the 2024 plan a v1 registration is sent again in v2: its coordinates (and village)
        and its 产业项目 category added (项目库信息完善)."""
        p.version, p.upgraded = 2, True
        self.place(p)
        day = _day(self.rng, UPGRADE_DAY_2024, PLAN_DAY_2024 - timedelta(days=2))
        self.fact("ProjectRegistered", p, day, self.registration(p), version=2)

    def procedures(self, p: DemoProject) -> None:
        """前期手续: all before the start for started projects, part of them otherwise; 消防验收 at
        completion."""
        rng = self.rng
        first = p.registered_on + timedelta(days=5)
        before = [c for c in p.required if c != "fire_acceptance"]
        if p.started_on and p.started_on.year < 2024 or p.kind == "done2023":
            codes, last = before, p.started_on - timedelta(days=3)
        elif p.started_on:
            codes, last = before[: len(before) - (rng.random() < 0.15)], p.started_on - timedelta(days=3)
        elif p.kind == "idea":
            if not p.matures:
                return
            first, last = first + timedelta(days=25), date(2024, 12, 20)
            codes = before[: rng.randint(1, 2)]
        elif p.kind == "signed" and rng.random() < 0.4:
            return  # signed, but nothing obtained yet: still 谋划 by the contract's definition
        else:
            codes = before[: max(1, round(len(before) * rng.uniform(0.2, 0.7)))]
            last = date(2023, 12, 28) if p.kind == "reserve" else date(2024, 11, 30)
        days = sorted(_day(rng, first, max(first, last)) for _ in codes)
        if p.registered_on.year == 2023 and p.kind in ("key", "reserve") and days:
            days[0] = _day(rng, first, max(first, min(last, date(2023, 12, 28))))  # 储备 on 1 January 2024
            days.sort()
        self.approvals[p.id] = [self.approve(p, code, day) for code, day in zip(codes, days)]
        building = "fire_acceptance" in p.required or "b" in WORKS[p.works][0]  # required or not, a building needs it
        if building and p.completed_on and p.completed_on >= V2_FROM + timedelta(days=30):
            done = p.completed_on - timedelta(days=rng.randint(3, 12))
            self.approvals[p.id].append(self.approve(p, "fire_acceptance", done))

    def approve(self, p: DemoProject, code: str, day: date) -> dict:
        department = issuer(code, p.works)
        version = 2 if code in PROCEDURES_V2_ONLY or department == "approval" and day >= V2_FROM else 1
        return self.fact("ProcedureApproved", p, day, {
            "procedure": code, "document_no": self.document_no(code, day),
            "authority": self.authority(code, department, p.level)}, department=department, version=version)

    def document_no(self, code: str, day: date) -> str:
        key = (code, day.year)
        self.document_numbers[key] += 1
        number = self.document_numbers[key]
        if code == "construction_permit":
            return f"{YANGCHENG}{day:%Y%m%d}{number:02d}01"  # 施工许可证编号
        return f"阳{DOCUMENT_PREFIXES[code]}〔{day.year}〕{number}号"

    @staticmethod
    def authority(code: str, department: str, level: str | None) -> str:
        if code == "approval_filing" and level == "province":
            return "山西省行政审批服务管理局"
        if code == "capacity_replacement":  # 产能置换方案 are confirmed by the province
            return "山西省工业和信息化厅" if department == "industry" else "山西省能源局"
        return YANGCHENG_AUTHORITIES[department]

    def procedure_list(self, p: DemoProject, listed: date) -> None:
        """前期手续清单 (1366: 逐项明确办理层级、时限、责任领导和承办人): each procedure still
        missing on the day the list is made, with a deadline — most met, some missed, some
        pushed back later (a second ProcedurePlanned with a later due date)."""
        rng = self.rng
        approved = {e["payload"]["procedure"]: date.fromisoformat(e["occurred_on"])
                    for e in self.approvals.get(p.id, ())}
        for code in p.required:
            done = approved.get(code)
            if code == "fire_acceptance" or done is not None and done < listed:
                continue
            if done is None:
                due = _day(rng, listed + timedelta(days=30), max(listed + timedelta(days=30),
                                                                 min(date(2024, 11, 30), listed + timedelta(days=200))))
            elif rng.random() < 0.75:
                due = done + timedelta(days=rng.randint(3, 30))
            else:
                due = done - timedelta(days=rng.randint(10, 60))
            due = max(due, listed + timedelta(days=14))
            department = issuer(code, p.works)
            item = {"procedure": code, "level": procedure_level(code, p.total // 100, p.level),
                    "due_on": due.isoformat(), "unit": YANGCHENG_AUTHORITIES[department],
                    "leader": self.roster[RESPONSIBLE_LEADER[department]][1],
                    "officer": rng.choice(self.officers[department])}
            first = self.fact("ProcedurePlanned", p, listed, item, lag=2)
            if (done is None or done > due) and rng.random() < 0.3:  # 延期: a later deadline agreed
                moved = max(listed + timedelta(days=7), due - timedelta(days=rng.randint(0, 7)))
                later = {**item, "due_on": (due + timedelta(days=rng.randint(20, 60))).isoformat()}
                self.emit("ProcedurePlanned", p.id, moved, self.recorded(moved, 1, after=first["recorded_at"]), later)

    def plans(self, p: DemoProject) -> None:
        """Annual plans (2023 and 2024) and the 2024 key-project designation."""
        if p.started_on and p.started_on.year <= 2023 and (p.construction or p.kind == "done2023"):
            construction = "new" if p.started_on.year == 2023 else "continuing"
            planned = sum(p.investment[2023].values()) * self.rng.randint(95, 120) // 100 // 100 * 100
            day = max(PLAN_DAY_2023, p.registered_on + timedelta(days=5))
            payload = {"year": 2023, "construction": construction, "planned_investment": money(planned)}
            if day >= V2_FROM:
                payload["planned_start_month"] = p.started_on.month if construction == "new" else 3
            self.fact("AnnualPlanAdopted", p, day, payload, version=2 if day >= V2_FROM else 1)
        if p.construction:
            self.fact("AnnualPlanAdopted", p, p.plan_on, self.plan(p), version=2)
        if p.level:
            self.fact("KeyProjectDesignated", p, DESIGNATION_DAY_2024, {"year": 2024, "level": p.level}, lag=3)

    def plan(self, p: DemoProject, planned: int | None = None) -> dict:
        """The 2024 plan entry (v2): planned investment, and the planned start month and 旬."""
        payload = {"year": 2024, "construction": p.construction, "planned_investment": money(planned or p.planned),
                   "planned_start_month": p.planned_start.month}
        if p.dekad:
            payload["planned_start_dekad"] = dekad_of(p.planned_start)
        return payload

    def construction(self, p: DemoProject) -> None:
        if p.started_on:
            self.starts[p.id] = self.fact("ConstructionStarted", p, p.started_on)
        if p.resumed_2023:
            self.fact("ConstructionResumed", p, p.resumed_2023, {"year": 2023})
        if p.resumed_on:
            self.fact("ConstructionResumed", p, p.resumed_on, {"year": 2024})

    def investment(self, p: DemoProject, year: int) -> None:
        """Monthly completed investment, each reported in the first days of the next month."""
        for month, cents in p.investment.get(year, {}).items():
            reported_on = _month_end(year, month) + timedelta(days=self.rng.randint(2, 8))
            self.reports[p.id, year, month] = self.report(p.id, year, month, cents, reported_on)

    def report(self, project_id: str, year: int, month: int, cents: int, day: date) -> dict:
        """InvestmentReported for a month, dated the month's last day (the period it covers)."""
        return self.emit("InvestmentReported", project_id, _month_end(year, month), self.recorded(day, 0),
                         {"year": year, "month": month, "amount": money(cents)})

    def stats_entry(self, p: DemoProject) -> None:
        """入库纳统 for started projects of ≥ 500万 owned by a legal entity."""
        rng = self.rng
        if not (p.started_on and p.total >= 500_00 and p.legal_entity) or rng.random() < 0.06:
            return  # not eligible, or on the statistics bureau's chase list
        day = p.started_on + timedelta(days=rng.randint(7, 30))
        last = self.fact("StatsEntrySubmitted", p, day)
        if rng.random() < 0.15:
            day += timedelta(days=rng.randint(3, 10))
            self.fact("StatsEntryReturned", p, day, {"reason": rng.choice(STATS_RETURN_REASONS)})
            day += timedelta(days=rng.randint(5, 15))
            last = self.fact("StatsEntrySubmitted", p, day)
        if rng.random() < 0.95:
            day += timedelta(days=rng.randint(3, 12))
            self.emit("StatsEntryApproved", p.id, day, self.recorded(day, 1, after=last["recorded_at"]), {})

    # -- county-wide facts --------------------------------------------------------------

    def targets(self, projects: list[DemoProject]) -> None:
        """The year's targets: the rate targets of the target sheet (v1) in early January; month-end,
        amount and count targets (v2) a few days later; the townships' 五个一批 and investment
        targets with the 考核办法 in April."""
        rng = self.rng
        day = date(2024, 1, 5)
        for figure, by, target in TARGETS:
            self.emit("TargetSet", None, day, self.recorded(day, 2),
                      {"region": YANGCHENG, "year": 2024, "figure": figure, "by": by, "target": target})
        day = date(2024, 1, 9)
        targets = [(figure, f"M{m:02d}", t) for figure, anchors in MONTHLY_ANCHORS.items()
                   for m, t in enumerate(monthly_targets(anchors), start=1)]
        targets += [("due_start_rate", f"M{m:02d}", "0.9000") for m in range(3, 13)]
        targets += [("conceived_count_multiple", "Y", "1.5000"), ("reserve_to_conceived", "Y", "0.3500")]
        pace = monthly_targets(MONTHLY_ANCHORS["investment_completion_rate"])
        targets += [("investment_total", f"M{m:02d}", money(FAI_TARGET_2024 * int(Decimal(share) * 10000) // 100))
                    for m, share in enumerate(pace, start=1)]
        targets += [("signed_investment", "Y", money(SIGNED_TARGET_2024 * 100)),
                    ("funding_secured", "H1", money(FUNDING_TARGET_2024 * 50)),
                    ("funding_secured", "Y", money(FUNDING_TARGET_2024 * 100)),
                    ("reserve_investment", "Y", money(RESERVE_TARGET_2024 * 100))]
        actual, townships = self.five_batches(projects)
        targets += [(figure, "Y", str(math.ceil(actual[figure] * rng.uniform(0.9, 1.15)))) for figure in FIVE_BATCHES]
        for figure, by, target in targets:
            self.emit("TargetSet", None, day, self.recorded(day, 2),
                      {"region": YANGCHENG, "year": 2024, "figure": figure, "by": by, "target": target}, version=2)
        day = FIVE_BATCHES_DAY_2024
        for township in YANGCHENG_TOWNSHIPS:
            done = townships[township]
            goals = [(figure, str(max(1, round(done[figure] * rng.uniform(0.7, 1.4))))) for figure in FIVE_BATCHES]
            invested = done["investment_total"] * rng.randint(90, 115) // 100
            goals.append(("investment_total", money(invested // 10000 * 10000)))
            for figure, target in goals:
                self.emit("TargetSet", None, day, self.recorded(day, 1),
                          {"region": YANGCHENG, "year": 2024, "figure": figure, "by": "Y", "target": target,
                           "township": township}, version=2)

    @staticmethod
    def five_batches(projects: list[DemoProject]) -> tuple[Counter, dict[str, Counter]]:
        """What 2024 will bring, county-wide and per township: 五个一批 and investment."""
        county, townships = Counter(), defaultdict(Counter)
        for p in projects:
            for figure, day in (("signed_count", p.signed_on), ("landed_count", p.landed_on),
                                ("started_count", p.started_on), ("production_count", p.production_on),
                                ("output_count", p.output_on)):
                if day and day.year == 2024:
                    county[figure] += 1
                    townships[p.township][figure] += 1
            townships[p.township]["investment_total"] += sum(p.investment.get(2024, {}).values())
        return county, townships

    def funding(self, plan: list[DemoProject]) -> None:
        """争取资金: central budget, bonds and provincial money for the plan's public works (and
        provincial money for some industry), in batches, each batch one allocating document."""
        rng = self.rng
        public = [p for p in plan if p.origin == "government"]
        industry = [p for p in plan if "industry" in p.categories and p.origin != "government"]
        for channel, batches in FUNDING_2024.items():
            department, prefix = FUNDING_CHANNELS[channel]
            for day, count, (low, high) in batches:
                document = f"{prefix}〔{day.year}〕{rng.randint(8, 160)}号"
                pool = industry if channel == "provincial" and rng.random() < 0.5 else public
                for p in rng.sample([p for p in pool if p.total >= high * 300], count):
                    amount = min(rng.randint(low, high) * 100, p.total * 60 // 100 // 100 * 100)
                    self.fact("FundingSecured", p, day, {"channel": channel, "amount": money(amount),
                                                         "document_no": document}, lag=3, department=department)

    def leaders(self, key: list[DemoProject]) -> None:
        """双包联: every key project gets one county leader (3–10 each, the larger projects to the
        senior leaders) and a lead unit, some a supporting unit; two projects still lack a leader
        and four a lead unit (the office's coverage list). The leader with fewest projects is
        transferred in June and replaced."""
        rng = self.rng
        leaders = list(self.roster)
        successor = leaders.pop()
        counts = [3] * len(leaders)
        while sum(counts) < len(key) - 2:
            i = rng.randrange(len(leaders))
            counts[i] += counts[i] < 10
        ranked = iter(sorted(key, key=lambda p: (LEVELS.index(p.level), -p.total)))
        transferred = min(range(len(leaders)), key=counts.__getitem__)
        release = date(2024, 6, 17)
        led = []
        for i, (leader, count) in enumerate(zip(leaders, counts)):
            attendance = rng.choice((0.6, 0.75, 0.9, 0.95, 1.0, 1.0))  # some leaders miss months
            for p in itertools.islice(ranked, count):
                led.append(p)
                self.assign(p, leader, LEADERS_DAY_2024)
                if i != transferred:
                    self.site_visits(p, leader[0], 2, 12, attendance)
                    continue
                self.site_visits(p, leader[0], 2, 5, attendance)
                self.fact("LeaderReleased", p, release, {"leader_id": leader[0]})
                self.assign(p, successor, release + timedelta(days=3))
                self.site_visits(p, successor[0], 7, 12, 0.9)
        without_unit = set(map(id, rng.sample(led, 4)))
        for p in key:
            if id(p) in without_unit:
                continue
            unit = "devzone" if p.township == DEV_ZONE and p.origin != "government" else WORKS[p.works][1]
            day = LEADERS_DAY_2024 + timedelta(days=rng.randint(0, 4))
            self.assign(p, self.unit(unit), day, "lead_unit")
            if rng.random() < 0.3:
                self.assign(p, self.unit(rng.choice([u for u in SUPPORT_UNITS if u != unit])), day, "support_unit")

    @staticmethod
    def unit(key: str) -> tuple[str, str, str]:
        code, name = UNITS[key]
        return f"U-{YANGCHENG}-{code}", DEV_ZONE + "管委会" if key == "devzone" else "阳城县" + name, ""

    def assign(self, p: DemoProject, leader: tuple[str, str, str], day: date, role: str = "leader") -> None:
        leader_id, name, title = leader
        title = title or {"lead_unit": "牵头部门", "support_unit": "帮办部门"}[role]
        self.fact("LeaderAssigned", p, day, {"leader_id": leader_id, "leader_name": name, "title": title, "role": role},
                  lag=2, version=2)

    def site_visits(self, p: DemoProject, leader_id: str, first: int, last: int, attendance: float) -> None:
        for month in range(first, last + 1):
            if self.rng.random() < attendance:
                day = _day(self.rng, date(2024, month, 1), date(2024, month, 25))
                self.visits.append(self.fact("SiteVisitRecorded", p, day, {"leader_id": leader_id}))

    def problems(self, plan: list[DemoProject]) -> None:
        """问题闭环 raise → assign → resolve → follow up; some overdue and escalated (督办)."""
        rng = self.rng
        days = sorted(_day(rng, date(2024, 2, 1), date(2024, 11, 15)) for _ in range(90))
        for n, raised in enumerate(days, start=1):
            self.problem(rng.choice(plan), f"P{YANGCHENG}-2024-{n:04d}", raised, rng.random())

    def problem(self, p: DemoProject, problem_id: str, raised: date, fate: float) -> None:
        """``fate`` < 0.70 closed on time; < 0.80 the company is not satisfied at first;
        < 0.95 resolved late (the first of them escalated); otherwise still open, escalated."""
        rng = self.rng
        category, unit, descriptions = rng.choice(PROBLEM_KINDS)
        ids = {"problem_id": problem_id}
        last = self.emit("ProblemRaised", p.id, raised, self.recorded(raised, 0),
                         {**ids, "category": category, "description": rng.choice(descriptions)})
        assigned = raised + timedelta(days=rng.randint(1, 3))
        due = assigned + timedelta(days=rng.randint(10, 45))
        last = self.step("ProblemAssigned", p, assigned, last, {**ids, "unit": unit, "due_on": due.isoformat()})
        resolved = assigned + timedelta(days=rng.randint(3, (due - assigned).days - 2))
        if fate >= 0.80:  # overdue: 督办
            resolved = due + timedelta(days=rng.randint(3, 10))
            if fate < 0.86 or fate >= 0.95:
                level = rng.choice(("county", "city", "city", "province")) if fate >= 0.95 else "county"
                last = self.step("ProblemEscalated", p, resolved, last, {**ids, "level": level})
                resolved += timedelta(days=rng.randint(3, 20))
            if fate >= 0.95:
                return
        last = self.step("ProblemResolved", p, resolved, last, {**ids}, department=unit)
        followed = resolved + timedelta(days=rng.randint(1, 2))
        satisfied = not 0.70 <= fate < 0.80
        last = self.step("ProblemFollowedUp", p, followed, last, {**ids, "satisfied": satisfied})
        if not satisfied:  # 回访不满意: reopened, resolved again
            resolved = followed + timedelta(days=rng.randint(5, 15))
            last = self.step("ProblemResolved", p, resolved, last, {**ids}, department=unit)
            self.step("ProblemFollowedUp", p, resolved + timedelta(days=2), last, {**ids, "satisfied": True})

    def step(self, event_type: str, p: DemoProject, day: date, previous: dict, payload: dict,
             department: str | None = None) -> dict:
        return self.emit(event_type, p.id, day, self.recorded(day, 0, after=previous["recorded_at"]), payload,
                         department)

    # -- irregularities -----------------------------------------------------------------

    def irregularities(self, plan: list[DemoProject]) -> None:
        """Late reports, corrections, retractions, amendments and duplicate deliveries, with
        Q1 facts affected so that Q1 as published on 10 April differs from Q1 as known now."""
        self.late_starts(plan)
        self.late_reports()
        self.corrections()
        self.wrong_start(plan)
        self.wrong_investment(plan)
        self.wrong_approval(plan)
        self.wrong_visit()
        self.amendments(plan)
        self.duplicates()

    def pick(self, candidates: list[DemoProject]) -> DemoProject:
        p = self.rng.choice([p for p in candidates if p.id not in self.special])
        self.special.add(p.id)
        return p

    def after_publication(self, first: int = 5, last: int = 20) -> str:
        return self.recorded(PUBLISHED_2024Q1 + timedelta(days=self.rng.randint(first, last)), 0)

    def late_starts(self, plan: list[DemoProject]) -> None:
        """迟报: two March starts reported only after the Q1 publication."""
        march = [p for p in plan if p.started_on and date(2024, 3, 10) <= p.started_on <= date(2024, 3, 31)]
        for _ in range(2):
            self.starts[self.pick(march).id]["recorded_at"] = self.after_publication()

    def late_reports(self) -> None:
        """Three March investment reports recorded after the Q1 publication."""
        march = sorted(k for k in self.reports if k[1:] == (2024, 3) and k[0] not in self.special)
        for key in self.rng.sample(march, 3):
            self.special.add(key[0])
            self.reports[key]["recorded_at"] = self.after_publication(6, 25)

    def corrections(self) -> None:
        """更正: about 2 % of 2024 reports superseded later (by the statistics bureau), four in Q1."""
        rng = self.rng
        keys = sorted(k for k in self.reports if k[1] == 2024)
        q1 = rng.sample([k for k in keys if k[2] <= 3], 4)
        rest = rng.sample([k for k in keys if k[2] > 3], max(1, len(keys) // 50 - 4))
        for key in q1 + rest:
            original = self.reports[key]
            cents = int(Decimal(original["payload"]["amount"]) * 100)
            corrected = cents * rng.choice((80, 85, 90, 110, 115, 125)) // 100
            day = date.fromisoformat(original["recorded_at"][:10]) + timedelta(days=rng.randint(20, 60))
            if key[2] <= 3:
                day = max(day, PUBLISHED_2024Q1 + timedelta(days=3))
            self.emit("InvestmentReported", key[0], date.fromisoformat(original["occurred_on"]),
                      self.recorded(day, 0), {**original["payload"], "amount": money(corrected)}, "stats")

    def retract(self, event: dict, day: date, reason: str) -> dict:
        stamp = self.recorded(day, 0, after=event["recorded_at"])
        retraction = retraction_of(new_event_id(self.rng), event, day.isoformat(), stamp, reason)
        self.out.append(retraction)
        return retraction

    def wrong_start(self, plan: list[DemoProject]) -> None:
        """A start wrongly reported in March (it really started in the summer), retracted in May."""
        p = self.pick([p for p in plan if p.started_on and p.started_on >= date(2024, 6, 1)])
        day = _day(self.rng, date(2024, 3, 11), date(2024, 3, 22))
        wrong = self.fact("ConstructionStarted", p, day)
        self.retract(wrong, _day(self.rng, date(2024, 5, 6), date(2024, 5, 17)),
                     RETRACTION_REASONS["ConstructionStarted"])

    def wrong_investment(self, plan: list[DemoProject]) -> None:
        """A March investment reported against a project that had not started, retracted in May."""
        p = self.pick([p for p in plan if p.started_on and p.started_on >= date(2024, 5, 1)])
        wrong = self.report(p.id, 2024, 3, self.rng.randint(200, 900) * 100, date(2024, 4, 5))
        retracted_on = _day(self.rng, date(2024, 5, 8), date(2024, 5, 20))
        self.retract(wrong, retracted_on, RETRACTION_REASONS["InvestmentReported"])

    def wrong_approval(self, plan: list[DemoProject]) -> None:
        """A February approval attached to the wrong project, retracted after the publication."""
        def missing(p: DemoProject) -> int:
            return len(p.required) - len(self.approvals.get(p.id, ()))

        p = self.pick([p for p in plan if p.construction == "new" and missing(p) > 0])
        code = p.required[-missing(p)]  # the first procedure not yet approved
        wrong = self.approve(p, code, _day(self.rng, date(2024, 2, 19), date(2024, 2, 29)))
        retracted_on = PUBLISHED_2024Q1 + timedelta(days=self.rng.randint(8, 14))
        self.retract(wrong, retracted_on, RETRACTION_REASONS["ProcedureApproved"])

    def wrong_visit(self) -> None:
        visit = self.rng.choice(self.visits)
        day = date.fromisoformat(visit["occurred_on"]) + timedelta(days=self.rng.randint(2, 6))
        self.retract(visit, day, RETRACTION_REASONS["SiteVisitRecorded"])

    def amendments(self, plan: list[DemoProject]) -> None:
        """变更: a township corrected (in force from March, recorded after the Q1 publication),
        a total investment raised in June, a planned investment adjusted in July (年中调整)."""
        rng = self.rng
        p = self.pick([p for p in plan if p.level == "county" and p.registered_on < date(2024, 1, 1)])
        township = rng.choice([t for t in YANGCHENG_TOWNSHIPS if t != p.township])
        p.version = 2  # sent by the upgraded project database, whatever the registration's version was
        self.place(p, township)  # the new township's coordinates and village
        self.emit("ProjectRegistered", p.id, date(2024, 3, 20), self.after_publication(9, 9),
                  self.registration(p, township=township), version=2)
        p = self.pick([p for p in plan if p.kind == "plan"])
        p.version = 2
        enlarged = self.registration(p, total=p.total * 125 // 100)
        self.fact("ProjectRegistered", p, _day(rng, date(2024, 6, 10), date(2024, 6, 20)), enlarged, version=2)
        p = self.pick([p for p in plan if p.kind == "plan"])
        adjusted = p.planned * rng.choice((70, 80, 120, 130)) // 100
        self.fact("AnnualPlanAdopted", p, _day(rng, date(2024, 7, 8), date(2024, 7, 15)), self.plan(p, adjusted),
                  version=2)

    def duplicates(self) -> None:
        """重复推送: about twenty events delivered twice (same event_id, same content)."""
        kinds = {"InvestmentReported", "SiteVisitRecorded", "ConstructionResumed", "ProcedureApproved",
                 "StatsEntrySubmitted"}
        candidates = [e for e in self.out if e["event_type"] in kinds and e["occurred_on"] >= "2024-01-01"]
        first = self.rng.choice([e for e in candidates if e["occurred_on"] <= "2024-03-31"])
        for event in [first] + self.rng.sample([e for e in candidates if e is not first], 19):
            self.out.append(orjson.loads(orjson.dumps(event)))


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------


def write_jsonl(events: Iterable[dict], path, limit: int | None = None) -> int:
    """Write one JSON object per line (UTF-8, no ASCII escaping); return how many were written."""
    count = 0
    with open(Path(path), "wb", buffering=1 << 20) as out:
        for event in itertools.islice(events, limit):
            out.write(orjson.dumps(event, option=orjson.OPT_APPEND_NEWLINE))
            count += 1
    return count
