"""`python -m bot report`: the support leads' dashboard for a range, an ENT and a school, as CSV and PNG files."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from bot.bootstrap import build_services
from bot.config import AppConfig
from bot.dashboard.labels import LABELS_FILE, DashboardLabels
from bot.dashboard.report import write_report
from bot.services.dashboard import dashboard
from bot.services.dashboard import filters as parse_filters


def report(config: AppConfig, args: argparse.Namespace, out: TextIO) -> int:
    services = build_services(config)
    try:
        asked = parse_filters(services, args.start, args.end, args.tenant, args.uai, args.top_by)
        figures = dashboard(services, asked)
        labels = DashboardLabels.load(config.path(LABELS_FILE))
        written = write_report(figures, labels, Path(args.out))
    finally:
        services.database.dispose()
    done = figures.totals
    print(
        f"report {asked.start.isoformat()}..{asked.end.isoformat()}: {done.conversations} conversations, "
        f"{done.tickets_opened} tickets opened, {len(written)} files",
        file=out,
    )
    for path in written:
        print(path, file=out)
    return 0
