"""Charts as files: Chinese labels stay text in the SVG, the PNG has the figure's size and is drawn
with a CJK font that has every glyph (no tofu), and the same input gives the same bytes."""
from __future__ import annotations

import os
import struct
import warnings
from decimal import Decimal

import pytest

from services.entry.render import charts

MONTHS = [(1, "0.0068"), (2, "0.0196"), (3, "0.0654"), (4, "0.1202"), (5, "0.1794"), (6, "0.2497")]
RANK = [("阳城经济技术开发区", "0.9412"), ("北留镇", "0.8500"), ("东冶镇", "0.8462"), ("演礼乡", "0.7222"),
        ("町店镇", None)]
FIVE = {"北留镇": (5, 4, 6, 2, 1), "润城镇": (3, 3, 4, 1, 0), "演礼乡": (1, 1, 2, 1, 1),
        "阳城经济技术开发区": (6, 5, 5, 3, 2)}


@pytest.fixture(autouse=True)
def cjk_font():
    try:
        charts.cjk_family()
    except charts.NoCJKFont as missing:
        if os.environ.get("CI"):
            pytest.fail(str(missing), pytrace=False)
        pytest.skip(str(missing))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def draw(tmp_path, kind: str, suffix: str, name: str = "chart") -> bytes:
    path = tmp_path / f"{name}.{suffix}"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" would be tofu in the PNG
        if kind == "months":
            charts.completion_by_month(MONTHS, path, year=2024, title="投资完成进度")
        elif kind == "rank":
            charts.ranking(RANK, path, title="2024年1–6月 开复工率 比学赶超", behind=[False, False, False, True, False])
        else:
            charts.five_batches(FIVE, path, title="2024年1–6月 五个一批")
    return path.read_bytes()


LABELS = {
    "months": ["2024年 投资完成进度", "累计完成率", "序时进度", "占年度计划", "1月", "12月", "24.97%", "0.68%"],
    "rank": ["2024年1–6月 开复工率 比学赶超", "阳城经济技术开发区", "北留镇", "94.12%", "72.22%", "无数据"],
    "five": ["2024年1–6月 五个一批", "签约", "落地", "开工", "投产", "达效", "润城镇", "项目数(个)"],
}


@pytest.mark.parametrize("kind", sorted(LABELS))
def test_the_svg_keeps_the_chinese_labels_as_text(tmp_path, kind):
    svg = draw(tmp_path, kind, "svg").decode("utf-8")
    for label in LABELS[kind]:
        assert f">{label}</text>" in svg, label
    assert "Noto Sans CJK SC" in svg or charts.cjk_family() in svg
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg


@pytest.mark.parametrize("kind,size", [("months", (1200, 675)), ("five", (1200, 675)),
                                       ("rank", (1200, round(max(3.0, 1.2 + 0.32 * len(RANK)) * 150)))])
def test_the_png_has_the_figure_size_and_no_tofu(tmp_path, kind, size):
    assert png_size(draw(tmp_path, kind, "png")) == size
    assert charts.missing_glyphs("".join(LABELS[kind])) == set()


def test_a_missing_glyph_is_found():
    assert charts.missing_glyphs("阳城\U0001fae0") == {"\U0001fae0"}  # a 2021 emoji no CJK font has


@pytest.mark.parametrize("kind", sorted(LABELS))
@pytest.mark.parametrize("suffix", ["svg", "png"])
def test_the_same_input_gives_the_same_bytes(tmp_path, kind, suffix):
    assert draw(tmp_path, kind, suffix, "a") == draw(tmp_path, kind, suffix, "b")


def test_inputs_are_checked(tmp_path):
    with pytest.raises(ValueError, match="svg or .png"):
        charts.completion_by_month(MONTHS, tmp_path / "chart.pdf")
    with pytest.raises(ValueError, match="1..12"):
        charts.completion_by_month([(13, Decimal("0.5"))], tmp_path / "chart.svg")
    with pytest.raises(ValueError, match="five counts"):
        charts.five_batches({"北留镇": (1, 2, 3)}, tmp_path / "chart.svg")
