"""CSV exports cannot carry formulas or break rows (issue item 5)."""

from __future__ import annotations

import csv
import io

import pytest

from bot.services.unactivated import csv_cell as _csv_cell

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "＝")


@pytest.mark.parametrize(
    "hostile",
    ['=HYPERLINK("http://x","clic")', "+33 1 23", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", " =1+1", "＝1+1"],
)
def test_no_cell_starts_a_formula(hostile: str) -> None:
    (row,) = list(csv.reader(io.StringIO(";".join(["0750001A", _csv_cell(hostile), "x"]) + "\n"), delimiter=";"))
    assert len(row) == 3
    assert not row[1].lstrip(" ").startswith(FORMULA_LEADS), row[1]
    assert hostile in row[1]  # kept readable, only prefixed


@pytest.mark.parametrize("breaking", ["Dupont;Martin", 'Le "grand"', "ligne\r\nsuivante", "retour\rchariot", "fin\n"])
def test_separators_quotes_and_line_breaks_stay_in_their_cell(breaking: str) -> None:
    text = ";".join(["a", _csv_cell(breaking), "b"]) + "\n"
    (row,) = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert row == ["a", breaking, "b"]


def test_plain_values_are_left_alone() -> None:
    assert [_csv_cell(v) for v in ("marie.dupont", "Élodie", "", "0750001A")] == [
        "marie.dupont",
        "Élodie",
        "",
        "0750001A",
    ]
