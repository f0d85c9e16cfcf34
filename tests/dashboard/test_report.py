"""`python -m bot report` on the seeded database: the CSV files a spreadsheet opens and the charts as PNG files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PIL import Image

from bot.__main__ import main
from bot.bootstrap import build_services, load_demo_directory
from bot.config import load_config
from bot.dashboard.charts import CHARTS
from bot.storage.db import make_engine
from tests.support.dashboard_seed import seed_dashboard
from tests.support.processes import write_test_config


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = write_test_config(tmp_path)
    services = build_services(load_config(path))
    load_demo_directory(services)
    seed_dashboard(make_engine(str(services.database.url)))
    services.database.dispose()
    return path


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def test_the_report_writes_the_figures_as_csv_and_the_charts_as_png(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    args = ["--config", str(config_file), "report", "--from", "2026-11-01", "--to", "2026-11-25", "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "report 2026-11-01..2026-11-25: 16 conversations, 5 tickets opened, 13 files" in printed

    conversations = _rows(out / "conversations.csv")
    header = conversations[0]
    assert header[:5] == ["période", "conversations", "sans conseiller", "avec un conseiller", "messages incompris"]
    assert header[5:] == [
        "compte non activé",
        "compte bloqué",
        "lien expiré",
        "à voir par un conseiller",
        "sans diagnostic",
    ]
    assert len(conversations) == 1 + 25
    assert conversations[2] == ["2026-11-02", "6", "4", "2", "3", "4", "0", "2", "0", "0"]

    tickets = _rows(out / "tickets.csv")
    assert tickets[0][:4] == [
        "période",
        "demandes ouvertes",
        "demandes closes",
        "heures avant la première réponse (moyenne)",
    ]
    assert tickets[2][:4] == ["2026-11-02", "2", "1", "1,00"] and tickets[2][4:] == ["0", "0", "0", "0", "1"]
    assert tickets[4][3] == ""  # nothing opened on the 4th: no delay to average

    assert _rows(out / "tenants.csv")[1:] == [
        ["MonLycée.net", "8", "3"],
        ["netocentre (ENT des lycées du Centre-Val de Loire)", "4", "2"],
        ["ENT inconnu", "4", "0"],
    ]
    assert _rows(out / "schools.csv")[1] == ["0750001A", "Lycée Jean Moulin", "5"]
    assert dict(_rows(out / "totals.csv")[1:]) == {
        "conversations": "16",
        "part terminée sans conseiller": "69 %",
        "demandes ouvertes": "5",
        "demandes closes": "4",
        "heures avant la première réponse (moyenne)": "1,3",
        "note moyenne": "3,7",
        "messages incompris": "11",
    }
    for chart in CHARTS:
        with Image.open(out / f"{chart}.png") as image:
            image.verify()
            assert image.format == "PNG" and image.size[0] > 600 and image.size[1] > 300


def test_a_school_filter_and_a_wrong_one(config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "school"
    args = ["--config", str(config_file), "report", "--from", "2026-11-01", "--to", "2026-11-25", "--uai", "0931234B"]
    assert main([*args, "--top-by", "tickets", "--out", str(out)]) == 0
    assert "3 conversations, 2 tickets opened" in capsys.readouterr().out
    assert _rows(out / "schools.csv")[1:] == [["0931234B", "Lycée Paul Éluard", "2"]]
    assert main([*args[:-1], "0931234", "--out", str(out)]) == 2
    assert "error: `uai` must be a school code of 7 digits and a letter" in capsys.readouterr().err
