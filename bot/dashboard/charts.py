"""The dashboard's charts, drawn by matplotlib: SVG for the desk's page (`bot.dashboard.svg` makes it safe to put
in the page), PNG for `python -m bot report`. One chart per concern, each from `Figures` and the labels.

matplotlib is imported inside the functions that draw, never at start-up: `python -m bot run` does not load it
until an agent opens the dashboard (bench/startup.py measures the start). Only the object API is used (no pyplot,
no global figure), one figure at a time behind a lock: matplotlib's caches are not made for threads.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from bot.core.dashboard import RATINGS, Figures
from bot.dashboard.labels import DashboardLabels

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

NAMED = frozenset({"tenants", "schools"})  # bars beside names: room on the left for them
CHARTS = ("activity", "tenants", "schools", "tickets", "first_answer", "autonomy", "ratings", "misses")
SIZE = (7.2, 3.4)  # inches; the page scales the SVG to its column
WRAP = 28  # characters of an ENT or school name on one line
LEGEND_WRAP = 22
STYLE: dict[str, Any] = {
    "svg.fonttype": "none",  # text stays text: readable, searchable, and what the browser test looks for
    "svg.hashsalt": "clef-dashboard",  # the same figures give the same file
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "axes.axisbelow": True,
}
BLUE, GREEN, ORANGE, GREY, RED = "#1f5fa8", "#2e8b57", "#e08a1e", "#9a9a9a", "#c0392b"
RATING_COLOURS = ("#c0392b", "#e67e22", "#f1c40f", "#7fb800", "#2e8b57")
_DRAWING = threading.Lock()


def _x_labels(figures: Figures, labels: DashboardLabels) -> list[str]:
    return [labels.period(p, figures.granularity) for p in figures.periods]


def _time_axis(ax: Axes, figures: Figures, labels: DashboardLabels) -> list[int]:
    """Positions of the periods, with at most a dozen labels under them."""
    positions = list(range(len(figures.periods)))
    step = max(1, len(positions) // 12 + (1 if len(positions) % 12 else 0))
    ax.set_xticks(positions[::step], _x_labels(figures, labels)[::step], rotation=0)
    ax.set_xlim(-0.6, len(positions) - 0.4)
    return positions


def _bars(
    ax: Axes,
    at: Sequence[float],
    sizes: Sequence[float],
    colour: str | tuple[float, float, float, float],
    label: str | None = None,
    base: Sequence[float] | None = None,
    width: float = 0.8,
    horizontal: bool = False,
) -> None:
    """Bars as one collection of rectangles (matplotlib's `bar` makes an artist of each, ten times slower on a
    year of weeks); `base` stacks them on others."""
    from matplotlib.collections import PolyCollection

    starts = base or [0.0] * len(at)
    boxes = []
    for middle, size, start in zip(at, sizes, starts, strict=True):
        if size:
            low, high = middle - width / 2, middle + width / 2
            corners = [(low, start), (high, start), (high, start + size), (low, start + size)]
            boxes.append([(y, x) for x, y in corners] if horizontal else corners)
    bars = PolyCollection(
        boxes, facecolors=colour, edgecolors="none", label=_wrapped(label, LEGEND_WRAP) if label else None
    )
    ax.add_collection(bars, autolim=True)
    ax.autoscale_view()


def _legend(ax: Axes, columns: int = 1) -> None:
    """The legend beside the plot, where it hides no bar."""
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), ncols=columns)


def _whole_numbers(ax: Axes, axis: str = "y") -> None:
    from matplotlib.ticker import MaxNLocator

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_locator(MaxNLocator(integer=True))


def _wrapped(name: str, width: int = WRAP) -> str:
    return textwrap.fill(name, width)


def _empty(ax: Axes, labels: DashboardLabels) -> None:
    """A chart without data says so, with no scale to read."""
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.text(0.5, 0.5, labels.text("charts", "empty"), ha="center", va="center", transform=ax.transAxes, color=GREY)


def _activity(ax: Axes, figures: Figures, labels: DashboardLabels) -> str:
    period = labels.period_name(figures.granularity)
    x = _time_axis(ax, figures, labels)
    bottom = [0.0] * len(x)
    from matplotlib import colormaps

    palette = colormaps["tab20"]
    for index, (code, counts) in enumerate(figures.by_diagnosis.items()):
        colour = GREY if code == "none" else palette(index % 20)
        _bars(ax, x, counts, colour, labels.diagnosis(code), bottom)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    ax.set_ylabel(labels.text("charts", "activity", "axis"))
    _whole_numbers(ax)
    if figures.by_diagnosis:
        _legend(ax)
    return labels.text("charts", "activity", "title", period=period)


def _horizontal_pairs(
    ax: Axes, names: list[str], first: list[int], second: list[int] | None, legend: list[str]
) -> None:
    y = list(range(len(names)))
    height = 0.4 if second is not None else 0.7
    shift = height / 2 if second is not None else 0
    _bars(ax, [v - shift for v in y], first, BLUE, legend[0], width=height, horizontal=True)
    if second is not None:
        _bars(ax, [v + shift for v in y], second, ORANGE, legend[1], width=height, horizontal=True)
        _legend(ax)
    ax.set_ylim(len(names) - 0.5, -0.5)  # the first on top
    ax.set_xlim(left=0)
    ax.set_yticks(y, [_wrapped(name) for name in names])
    _whole_numbers(ax, "x")
    ax.grid(axis="x", color="#dddddd")
    ax.grid(axis="y", visible=False)


def _tenants(ax: Axes, figures: Figures, labels: DashboardLabels) -> str:
    names = [ranked.name or labels.text("unknown_tenant") for ranked, _ in figures.tenants]
    legend = [labels.text("charts", "tenants", "conversations"), labels.text("charts", "tenants", "tickets")]
    if names:
        chats = [ranked.count for ranked, _ in figures.tenants]
        _horizontal_pairs(ax, names, chats, [tickets for _, tickets in figures.tenants], legend)
    return labels.text("charts", "tenants", "title")


def _schools(ax: Axes, figures: Figures, labels: DashboardLabels) -> str:
    names = [
        school.name if school.name == school.key else f"{school.name} ({school.key})" for school in figures.schools
    ]
    if names:
        _horizontal_pairs(
            ax, names, [s.count for s in figures.schools], None, [labels.text("charts", "schools", "axis")]
        )
    return labels.text("charts", "schools", "title", top_by=labels.text("top_by", figures.filters.top_by.value))


def _tickets(ax: Axes, figures: Figures, labels: DashboardLabels) -> str:
    x = _time_axis(ax, figures, labels)
    opened, solved = labels.text("charts", "tickets", "opened"), labels.text("charts", "tickets", "solved")
    _bars(ax, [v - 0.2 for v in x], figures.tickets_opened, ORANGE, opened, width=0.4)
    _bars(ax, [v + 0.2 for v in x], figures.tickets_solved, GREEN, solved, width=0.4)
    ax.set_ylabel(labels.text("charts", "tickets", "axis"))
    _whole_numbers(ax)
    _legend(ax)
    return labels.text("charts", "tickets", "title", period=labels.period_name(figures.granularity))


def _first_answer(ax: Axes, figures: Figures, labels: DashboardLabels) -> str:
    x = _time_axis(ax, figures, labels)
    points = [(v, hours) for v, hours in zip(x, figures.hours_to_answer, strict=True) if hours is not None]
    _bars(ax, [v for v, _ in points], [h for _, h in points], BLUE)
    ax.set_ylabel(labels.text("charts", "first_answer", "axis"))
    return labels.text("charts", "first_answer", "title", period=labels.period_name(figures.granularity))


def _autonomy(ax: Axes, figures: Figures, labels: DashboardLabels) -> str:
    x = _time_axis(ax, figures, labels)
    alone = [float(n) for n in figures.without_human]
    _bars(ax, x, alone, GREEN, labels.text("charts", "autonomy", "without"))
    _bars(ax, x, figures.with_human, ORANGE, labels.text("charts", "autonomy", "with"), alone)
    ax.set_ylabel(labels.text("charts", "autonomy", "axis"))
    _whole_numbers(ax)
    _legend(ax)
    share = labels.percent(figures.totals.share_without_human)
    return labels.text("charts", "autonomy", "title", share=share)


def _ratings(ax: Axes, figures: Figures, labels: DashboardLabels) -> str:
    x = _time_axis(ax, figures, labels)
    bottom = [0.0] * len(x)
    for rating, colour in zip(RATINGS, RATING_COLOURS, strict=True):
        counts = figures.ratings[rating]
        _bars(ax, x, counts, colour, labels.text("charts", "ratings", "rating", rating=rating), bottom)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    ax.set_ylabel(labels.text("charts", "ratings", "axis"))
    _whole_numbers(ax)
    _legend(ax)
    return labels.text("charts", "ratings", "title", mean=labels.decimal(figures.totals.mean_rating))


def _misses(ax: Axes, figures: Figures, labels: DashboardLabels) -> str:
    x = _time_axis(ax, figures, labels)
    _bars(ax, x, figures.misses, RED)
    ax.set_ylabel(labels.text("charts", "misses", "axis"))
    _whole_numbers(ax)
    return labels.text("charts", "misses", "title", period=labels.period_name(figures.granularity))


DRAW: dict[str, Callable[[Axes, Figures, DashboardLabels], str]] = {
    "activity": _activity,
    "tenants": _tenants,
    "schools": _schools,
    "tickets": _tickets,
    "first_answer": _first_answer,
    "autonomy": _autonomy,
    "ratings": _ratings,
    "misses": _misses,
}


def _has_data(chart: str, figures: Figures) -> bool:
    totals = figures.totals
    return {
        "activity": totals.conversations > 0,
        "tenants": bool(figures.tenants),
        "schools": bool(figures.schools),
        "tickets": totals.tickets_opened + totals.tickets_solved > 0,
        "first_answer": totals.answered > 0,
        "autonomy": totals.conversations > 0,
        "ratings": totals.ratings > 0,
        "misses": totals.misses > 0,
    }[chart]


def _figure(chart: str, figures: Figures, labels: DashboardLabels) -> tuple[Figure, str]:
    from matplotlib.figure import Figure

    drawn = Figure(figsize=SIZE)
    # fixed margins: matplotlib's constrained layout measures every label, a third of the drawing's time
    drawn.subplots_adjust(left=0.36 if chart in NAMED else 0.08, right=0.76, bottom=0.1, top=0.87)
    ax = drawn.subplots()
    title = DRAW[chart](ax, figures, labels)
    if chart not in NAMED:
        ax.set_ylim(bottom=0)
    if not _has_data(chart, figures):
        _empty(ax, labels)
    drawn.suptitle(title, x=0.01, y=0.97, ha="left", fontsize=10, fontweight="bold")
    return drawn, title


def render(chart: str, figures: Figures, labels: DashboardLabels, file_format: str) -> tuple[bytes, str]:
    """One chart as `file_format` ("svg" or "png") and its title."""
    import matplotlib

    with _DRAWING, matplotlib.rc_context(cast(Any, STYLE)):
        drawn, title = _figure(chart, figures, labels)
        out = io.BytesIO()
        options: dict[str, Any] = {"metadata": {"Date": None}} if file_format == "svg" else {"dpi": 110}
        drawn.savefig(out, format=file_format, **options)
    return out.getvalue(), title
