"""`python -m bot report`: the dashboard's figures as CSV files (`;`-separated, UTF-8 with a byte-order mark, as a
French spreadsheet opens them) and its charts as PNG files, in one folder."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.core.dashboard import RATINGS, Figures
from bot.dashboard.charts import CHARTS, render
from bot.dashboard.labels import DashboardLabels
from bot.dashboard.views import totals

ENCODING = "utf-8-sig"


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", encoding=ENCODING, newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _hours(value: float | None) -> str:
    """Hours with a decimal comma, as a French spreadsheet reads a number; empty when there is none."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def write_csv(figures: Figures, labels: DashboardLabels, folder: Path) -> list[Path]:
    column = labels.section("columns")
    days = [p.isoformat() for p in figures.periods]
    diagnoses = list(figures.by_diagnosis)
    conversations = _write(
        folder / "conversations.csv",
        [
            column["period"],
            column["conversations"],
            column["without_human"],
            column["with_human"],
            column["misses"],
            *(labels.diagnosis(code) for code in diagnoses),
        ],
        (
            [day, alone + handed, alone, handed, missed, *(figures.by_diagnosis[code][i] for code in diagnoses)]
            for i, (day, alone, handed, missed) in enumerate(
                zip(days, figures.without_human, figures.with_human, figures.misses, strict=True)
            )
        ),
    )
    tickets = _write(
        folder / "tickets.csv",
        [
            column["period"],
            column["tickets_opened"],
            column["tickets_solved"],
            column["hours_to_answer"],
            *(labels.text("charts", "ratings", "rating", rating=rating) for rating in RATINGS),
        ],
        (
            [day, opened, solved, _hours(hours), *(figures.ratings[rating][i] for rating in RATINGS)]
            for i, (day, opened, solved, hours) in enumerate(
                zip(days, figures.tickets_opened, figures.tickets_solved, figures.hours_to_answer, strict=True)
            )
        ),
    )
    tenants = _write(
        folder / "tenants.csv",
        [column["tenant"], column["conversations"], column["tickets"]],
        ([ranked.name or labels.text("unknown_tenant"), ranked.count, count] for ranked, count in figures.tenants),
    )
    schools = _write(
        folder / "schools.csv",
        [column["uai"], column["school"], labels.text("top_by", figures.filters.top_by.value)],
        ([school.key, school.name, school.count] for school in figures.schools),
    )
    shown = totals(figures, labels)
    summed = _write(
        folder / "totals.csv",
        [column["figure"], column["value"]],
        ([labels.text("totals", name), value] for name, value in shown.items()),
    )
    return [conversations, tickets, tenants, schools, summed]


def write_png(figures: Figures, labels: DashboardLabels, folder: Path) -> list[Path]:
    written = []
    for chart in CHARTS:
        image, _ = render(chart, figures, labels, "png")
        path = folder / f"{chart}.png"
        path.write_bytes(image)
        written.append(path)
    return written


def write_report(figures: Figures, labels: DashboardLabels, folder: Path) -> list[Path]:
    """Every CSV and PNG file of the figures in `folder` (created), replacing those of an earlier report."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_csv(figures, labels, folder) + write_png(figures, labels, folder)
