"""Charts of a document as PNG pictures (matplotlib, Agg backend: no display, no global pyplot
state). The chart's content and colours come from the core (:class:`ctcong_xl.core.documents.Chart`)."""

from __future__ import annotations

import io
import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..core.documents import Chart

FONTS = ["Times New Roman", "Liberation Serif", "DejaVu Serif"]  # Liberation Serif stands in on Linux
GRID = "#D9D9D9"
DPI = 200


def chart_png(chart: Chart) -> bytes:
    """The chart as a PNG picture, about ``chart.width_mm`` wide at :data:`DPI`."""
    import matplotlib

    width = chart.width_mm / 25.4
    height = max(3.0, 0.26 * len(chart.categories) + 1.6) if chart.kind == "barh" else width * 0.5
    with matplotlib.rc_context({"font.family": "serif", "font.serif": _installed(FONTS), "font.size": 9}):
        fig = Figure(figsize=(width, height), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        if chart.kind == "doughnut":
            _doughnut(ax, chart)
        else:
            _stacked(ax, chart)
        fig.suptitle(chart.title, fontsize=12, fontweight="bold")
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI, facecolor="white", bbox_inches="tight", pad_inches=0.08)
    return out.getvalue()


def _installed(names: list[str]) -> list[str]:
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    return [n for n in names if n in have] or ["DejaVu Serif"]


def _doughnut(ax, chart: Chart) -> None:
    values = [s.values[0] for s in chart.series]
    shown = [(v, s) for v, s in zip(values, chart.series) if v > 0]
    if not shown:
        ax.text(0.5, 0.5, "Chưa có công việc", ha="center", va="center", transform=ax.transAxes)
        ax.axis("off")
        return
    wedges, _ = ax.pie([v for v, _ in shown], colors=[s.color for _, s in shown], startangle=90, counterclock=False,
                       wedgeprops={"width": 0.45, "edgecolor": "white"})
    total = sum(v for v, _ in shown)
    for w, (v, _) in zip(wedges, shown):
        angle = math.radians((w.theta1 + w.theta2) / 2)
        ax.text(0.78 * math.cos(angle), 0.78 * math.sin(angle), str(v), ha="center", va="center",
                color="white", fontweight="bold", fontsize=9 if v / total > 0.04 else 7)
    ax.legend(wedges, [s.name for _, s in shown], loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    ax.set_aspect("equal")


def _stacked(ax, chart: Chart) -> None:
    n = len(chart.categories)
    positions = list(range(n))
    base = [0] * n
    for s in chart.series:
        if chart.kind == "barh":
            ax.barh(positions, s.values, left=base, color=s.color, label=s.name, height=0.65)
        else:
            ax.bar(positions, s.values, bottom=base, color=s.color, label=s.name, width=0.65)
        base = [b + v for b, v in zip(base, s.values)]
    if chart.kind == "barh":
        ax.set_yticks(positions, chart.categories)
        ax.invert_yaxis()
        ax.xaxis.grid(True, color=GRID)
    else:
        ax.set_xticks(positions, chart.categories)
        ax.yaxis.grid(True, color=GRID)
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if chart.kind == "barh" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.5 / (0.26 * n + 1.6) if chart.kind == "barh" else -0.1),
              ncol=2 if chart.kind == "barh" else len(chart.series), frameon=False, fontsize=8)
