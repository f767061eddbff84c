"""Charts as files (SVG or PNG, by the path's suffix) for bulletins and the desk, in Chinese.

Pure functions of their input: the numbers come from a report or ranking already computed
(`/v1/report`, `/v1/rank`, the CLI's JSON); nothing here computes a figure. The same input gives
the same bytes: no dates or versions in the metadata, fixed SVG ids (`svg.hashsalt`).

- `completion_by_month`: cumulative investment completion (bars) against 序时进度 (line), by month.
- `ranking`: 比学赶超, one rate per county or township, best first.
- `five_batches`: 五个一批 counts (签约, 落地, 开工, 投产, 达效) by township, grouped bars.

Text is drawn with a CJK font: Noto Sans CJK SC from Debian's `fonts-noto-cjk` (scripts/setup.sh
installs it; it is also what headless Chromium uses for the dashboard), or the TTF/OTF/TTC named by
`$PROJFACTS_CJK_FONT`. In SVG the text stays text (`svg.fonttype = none`): searchable, and
rendered by the viewer's own CJK font.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure  # pyplot is never imported: no backend, no screen, no global figures
from matplotlib.ticker import FuncFormatter

DPI = 150
WIDE = (8.0, 4.5)  # inches: 1200 × 675 px at DPI
FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
            "WenQuanYi Zen Hei", "Noto Sans SC")
FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
FIVE = ("签约", "落地", "开工", "投产", "达效")
COLORS = {"bar": "#1565c0", "pace": "#e65100", "behind": "#c62828", "grid": "#dde3ea", "ink": "#1f2d3d",
          "five": ("#1565c0", "#00897b", "#f9a825", "#6a1b9a", "#c62828")}


class NoCJKFont(RuntimeError):
    pass


@functools.cache
def cjk_family() -> str:
    """The CJK font family the charts use; NoCJKFont when the machine has none."""
    chosen = os.environ.get("PROJFACTS_CJK_FONT")
    if chosen:
        if not Path(chosen).is_file():
            raise NoCJKFont(f"PROJFACTS_CJK_FONT={chosen}: no such file")
        return _add(chosen)[0]
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in FAMILIES:
        if family in known:
            return family
    for path in FONT_FILES:  # installed after matplotlib cached its font list
        if Path(path).is_file():
            return _add(path)[0]
    raise NoCJKFont("no CJK font for the charts: install Debian's fonts-noto-cjk (scripts/setup.sh does), "
                    "or set PROJFACTS_CJK_FONT to a TTF/OTF/TTC file")


def _add(path: str) -> list[str]:
    """Register a font file (every face of a collection); its families, preferred ones first."""
    before = len(font_manager.fontManager.ttflist)
    font_manager.fontManager.addfont(path)
    added = list(dict.fromkeys(e.name for e in font_manager.fontManager.ttflist[before:]))
    return sorted(added, key=lambda name: FAMILIES.index(name) if name in FAMILIES else len(FAMILIES))


def font_file() -> str:
    """The file (a FontPath, with its face in a collection) that regular text is drawn with."""
    properties = font_manager.FontProperties(family=cjk_family(), weight="normal")
    return font_manager.findfont(properties, fallback_to_default=False)


def missing_glyphs(text: str) -> set[str]:
    """The characters of `text` that the CJK font cannot draw (what would come out as tofu □)."""
    font = font_manager.get_font(font_file())
    return {ch for ch in text if not ch.isspace() and font.get_char_index(ord(ch)) == 0}


def _style() -> dict:
    return {
        "font.family": [cjk_family(), "DejaVu Sans"], "axes.unicode_minus": False,
        "font.size": 10, "axes.titlesize": 13, "axes.titleweight": "bold",
        "axes.edgecolor": COLORS["grid"], "axes.labelcolor": COLORS["ink"], "text.color": COLORS["ink"],
        "xtick.color": COLORS["ink"], "ytick.color": COLORS["ink"],
        "svg.fonttype": "none", "svg.hashsalt": "projfacts", "svg.id": "projfacts-chart",
        "path.simplify": False,
    }


def _number(value) -> float | None:
    return None if value is None else float(Decimal(str(value)))


def _percent_text(value) -> str:
    return "—" if value is None else f"{Decimal(str(value)) * 100:.2f}%"


def _save(figure: Figure, path: str | Path) -> Path:
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in {"svg", "png"}:
        raise ValueError(f"chart files are .svg or .png, got {path.name!r}")
    metadata = {"Date": None, "Creator": "projfacts"} if kind == "svg" else {"Software": "projfacts"}
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format=kind, dpi=DPI, metadata=metadata)  # no bbox_inches: the size is the figure's
    return path


def _frame(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_axisbelow(True)


def completion_by_month(points: Sequence[tuple[int, object]], path: str | Path, *, title: str = "投资完成进度",
                        year: int | None = None) -> Path:
    """points: (month 1..12, cumulative investment completion as a fraction — a report's
    `investment_completion_rate.value` for that month — or None). 序时进度 is month ÷ 12 for all 12 months."""
    values = {int(month): _number(value) for month, value in points}
    if any(not 1 <= m <= 12 for m in values):
        raise ValueError("months are 1..12")
    months = list(range(1, 13))
    with rc_context(_style()):
        figure = Figure(figsize=WIDE, dpi=DPI, layout="constrained")
        ax = figure.add_subplot()
        shown = [m for m in months if values.get(m) is not None]
        bars = ax.bar(shown, [values[m] * 100 for m in shown], width=0.6, color=COLORS["bar"], label="累计完成率")
        ax.bar_label(bars, labels=[_percent_text(values[m]) for m in shown], padding=2, fontsize=8)
        ax.plot(months, [m * 100 / 12 for m in months], color=COLORS["pace"], linestyle="--", marker="o",
                markersize=3.5, linewidth=1.6, label="序时进度")
        ax.set_xticks(months, [f"{m}月" for m in months])
        top = max([100.0, *(values[m] * 100 for m in shown)])
        ax.set_ylim(0, top * 1.08)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))
        ax.grid(axis="y", color=COLORS["grid"], linewidth=0.8)
        ax.set_ylabel("占年度计划")
        ax.set_title(f"{year}年 {title}" if year else title)
        handles, labels = ax.get_legend_handles_labels()
        order = sorted(range(len(labels)), key=lambda i: labels[i] != "累计完成率")
        ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="upper left", frameon=False, ncols=2)
        _frame(ax)
        return _save(figure, path)


def ranking(rows: Sequence[tuple[str, object]], path: str | Path, *, title: str, unit: str = "%",
            behind: Sequence[bool] | None = None) -> Path:
    """rows: (name, value as a fraction — or a multiple when unit is '倍' — or None), best first as
    `/v1/rank` gives them; drawn top to bottom. `behind[i]`: row i is behind its target (red)."""
    n = len(rows)
    height = max(3.0, 1.2 + 0.32 * n)
    scale = 100 if unit == "%" else 1
    names = [name for name, _ in rows][::-1]
    numbers = [_number(value) for _, value in rows][::-1]
    late = list(behind or [False] * n)[::-1]
    with rc_context(_style()):
        figure = Figure(figsize=(WIDE[0], height), dpi=DPI, layout="constrained")
        ax = figure.add_subplot()
        positions = range(n)
        bars = ax.barh(positions, [0 if v is None else v * scale for v in numbers], height=0.6,
                       color=[COLORS["behind"] if b else COLORS["bar"] for b in late])
        labels = ["无数据" if v is None else (f"{Decimal(str(v)) * 100:.2f}%" if unit == "%" else f"{v:.2f}倍")
                  for v in numbers]
        ax.bar_label(bars, labels=labels, padding=3, fontsize=9)
        ax.set_yticks(list(positions), names)
        most = max([0.0, *(v * scale for v in numbers if v is not None)])
        ax.set_xlim(0, (most or (100 if unit == "%" else 1)) * 1.15)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}{unit}"))
        ax.grid(axis="x", color=COLORS["grid"], linewidth=0.8)
        ax.tick_params(axis="y", length=0)
        ax.set_title(title)
        _frame(ax)
        return _save(figure, path)


def five_batches(counts: Mapping[str, Sequence[int]], path: str | Path, *, title: str = "五个一批") -> Path:
    """counts: township → (signed, landed, started, in production, reaching output), in the order given."""
    towns = list(counts)
    for town, row in counts.items():
        if len(row) != 5:
            raise ValueError(f"{town}: five counts (签约, 落地, 开工, 投产, 达效), got {len(row)}")
    width = 0.16
    with rc_context(_style()):
        figure = Figure(figsize=WIDE, dpi=DPI, layout="constrained")
        ax = figure.add_subplot()
        for k, (label, color) in enumerate(zip(FIVE, COLORS["five"])):
            xs = [i + (k - 2) * width for i in range(len(towns))]
            bars = ax.bar(xs, [int(counts[t][k]) for t in towns], width=width, color=color, label=label)
            ax.bar_label(bars, padding=1, fontsize=7)
        ax.set_xticks(range(len(towns)), towns, rotation=30 if len(towns) > 6 else 0,
                      ha="right" if len(towns) > 6 else "center")
        ax.yaxis.get_major_locator().set_params(integer=True)
        most = max([1, *(int(c) for row in counts.values() for c in row)])
        ax.set_ylim(0, most * 1.3)  # room for the legend above the tallest bar
        ax.set_ylabel("项目数(个)")
        ax.grid(axis="y", color=COLORS["grid"], linewidth=0.8)
        ax.set_title(title)
        ax.legend(loc="upper center", frameon=False, ncols=5)
        _frame(ax)
        return _save(figure, path)
