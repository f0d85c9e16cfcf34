"""The support leads' dashboard on the agents' desk: the page `/desk/tableau` and its figures at
`/api/desk/dashboard`, which `desk_auth` guards like every desk API (an agent's token).

The desk has no roles: every agent who may work tickets sees the dashboard, which holds nothing personal (counts
by day, ENT and school). The page's French labels come from knowledge/dashboard.yml, escaped into the page; the
charts are SVG drawn by matplotlib in a worker thread and made fit for the page's Content-Security-Policy
(`bot.dashboard.svg`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.channels.desk_page import Layout, desk_page
from bot.channels.desk_web import DESK_LINKS
from bot.dashboard.labels import LABELS_FILE, DashboardLabels
from bot.services import Services

if TYPE_CHECKING:  # the figures and charts are imported on the first request: `bot run` starts without them
    from bot.core.dashboard import Figures, Filters

KEPT_SECONDS = 60  # the same figures asked again within a minute (another lead, a filter back) are not redrawn
KEPT_ANSWERS = 32


class RecentAnswers:
    """The latest answers by the filters asked, each kept `KEPT_SECONDS`: a year's figures and charts take a second
    or two to make (bench/dashboard.py), and the past does not change."""

    def __init__(self) -> None:
        self._kept: OrderedDict[Filters, tuple[dt.datetime, dict[str, Any]]] = OrderedDict()
        self._guard = threading.Lock()

    def get(self, asked: Filters, now: dt.datetime) -> dict[str, Any] | None:
        with self._guard:
            found = self._kept.get(asked)
            if found is None or (now - found[0]).total_seconds() > KEPT_SECONDS:
                return None
            return found[1]

    def keep(self, asked: Filters, now: dt.datetime, answer: dict[str, Any]) -> None:
        with self._guard:
            self._kept[asked] = (now, answer)
            self._kept.move_to_end(asked)
            while len(self._kept) > KEPT_ANSWERS:
                self._kept.popitem(last=False)


LABELS = web.AppKey("dashboard_labels", DashboardLabels)
RECENT = web.AppKey("dashboard_recent", RecentAnswers)
SERVICES = web.AppKey("dashboard_services", Services)
PAGE = web.AppKey("dashboard_page", str)


def install_dashboard(app: web.Application, services: Services) -> None:
    """Give `app` the dashboard's labels (a broken knowledge/dashboard.yml stops the start) and its page."""
    labels = DashboardLabels.load(services.config.path(LABELS_FILE))
    app[LABELS] = labels
    app[SERVICES] = services
    app[RECENT] = RecentAnswers()
    words = labels.section("page")
    layout = Layout(
        title=labels.text("page", "title"),
        heading=labels.text("page", "heading"),
        token_label=labels.text("page", "token"),
        login=labels.text("page", "connect"),
    )
    messages = html.escape(json.dumps(words, ensure_ascii=False))  # the script's labels, in an attribute
    app[PAGE] = desk_page("dashboard", layout, words, {"messages": messages})
    app[DESK_LINKS].append(f'<p><a href="/desk/tableau">{html.escape(words["desk_link"])}</a></p>')


async def page(request: web.Request) -> web.Response:
    return web.Response(text=request.app[PAGE], content_type="text/html", headers={"Cache-Control": "no-cache"})


def _figures_json(services: Services, labels: DashboardLabels, figures: Figures) -> dict[str, Any]:
    from bot.dashboard.views import summary, svg_charts

    asked = figures.filters
    return {
        "filters": {
            "from": asked.start.isoformat(),
            "to": asked.end.isoformat(),
            "tenant": asked.tenant,
            "uai": asked.uai,
            "top_by": asked.top_by.value,
        },
        "granularity": figures.granularity.value,
        "summary": summary(figures, labels),
        "totals": {
            "conversations": figures.totals.conversations,
            "handed_over": figures.totals.handed_over,
            "tickets_opened": figures.totals.tickets_opened,
            "tickets_solved": figures.totals.tickets_solved,
            "misses": figures.totals.misses,
        },
        "charts": svg_charts(figures, labels),
        "tenants": [{"id": tid, "name": t.name} for tid, t in services.config.tenants.items()],
        "top_by": [{"id": key, "name": name} for key, name in labels.section("top_by").items()],
    }


async def figures_api(request: web.Request) -> web.Response:
    from bot.services.dashboard import FiltersRefused, dashboard, filters

    services, labels = request.app[SERVICES], request.app[LABELS]
    query = request.query
    try:
        asked = filters(
            services, query.get("from"), query.get("to"), query.get("tenant"), query.get("uai"), query.get("top_by")
        )
    except FiltersRefused as exc:
        return web.json_response({"error": str(exc)}, status=400)

    recent, now = request.app[RECENT], services.now()
    answer = recent.get(asked, now)
    if answer is None:
        answer = await asyncio.to_thread(lambda: _figures_json(services, labels, dashboard(services, asked)))
        recent.keep(asked, now, answer)
    return web.json_response(answer)


DASHBOARD_ROUTES: list[web.AbstractRouteDef] = [
    web.get("/desk/tableau", page),
    web.get("/api/desk/dashboard", figures_api),
]
