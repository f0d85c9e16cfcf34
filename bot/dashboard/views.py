"""What the desk's page and `python -m bot report` show of the figures: the summary line, the totals, the charts."""

from __future__ import annotations

from bot.core.dashboard import Figures
from bot.dashboard.charts import CHARTS, render
from bot.dashboard.labels import DashboardLabels
from bot.dashboard.svg import inline_svg


def totals(figures: Figures, labels: DashboardLabels) -> dict[str, str]:
    """The totals of the range, by name, as shown."""
    found = figures.totals
    return {
        "conversations": str(found.conversations),
        "share_without_human": labels.percent(found.share_without_human),
        "tickets_opened": str(found.tickets_opened),
        "tickets_solved": str(found.tickets_solved),
        "mean_hours_to_answer": labels.decimal(found.mean_hours_to_answer),
        "mean_rating": labels.decimal(found.mean_rating),
        "misses": str(found.misses),
    }


def summary(figures: Figures, labels: DashboardLabels) -> str:
    return labels.text("page", "summary", **totals(figures, labels))


def svg_charts(figures: Figures, labels: DashboardLabels) -> list[dict[str, str]]:
    """Each chart as SVG to put in the page: `{"id", "title", "svg"}`."""
    charts = []
    for chart in CHARTS:
        drawn, title = render(chart, figures, labels, "svg")
        charts.append({"id": chart, "title": title, "svg": inline_svg(drawn, title, chart)})
    return charts
