"""The dashboard's French labels, from knowledge/dashboard.yml: the page, the charts, the CSV columns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import ConfigError
from bot.placeholders import fill
from bot.yaml_files import read_yaml

if TYPE_CHECKING:
    from bot.core.dashboard import Granularity

LABELS_FILE = Path("knowledge") / "dashboard.yml"
SECTIONS = ("page", "top_by", "periods", "month_names", "charts", "diagnoses", "unknown_tenant", "columns", "totals")


def _strings_only(value: Any, where: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _strings_only(item, f"{where}.{key}")
    elif not isinstance(value, str):
        raise ConfigError(f"{LABELS_FILE}: {where} must be a text")


class DashboardLabels:
    def __init__(self, raw: Any) -> None:
        if not isinstance(raw, dict) or any(section not in raw for section in SECTIONS):
            raise ConfigError(f"{LABELS_FILE}: needs the sections {', '.join(SECTIONS)}")
        _strings_only(raw, "dashboard")
        self._raw: dict[str, Any] = raw
        self._months = raw["month_names"].split()
        if len(self._months) != 12:
            raise ConfigError(f"{LABELS_FILE}: month_names must name 12 months")

    @classmethod
    def load(cls, path: Path) -> DashboardLabels:
        return cls(read_yaml(path, ConfigError))

    def text(self, *keys: str, **values: Any) -> str:
        """The label at `keys` (e.g. `text("charts", "activity", "title", period=...)`), placeholders filled."""
        found: Any = self._raw
        for key in keys:
            if not isinstance(found, dict) or key not in found:
                raise ConfigError(f"{LABELS_FILE}: no label {'.'.join(keys)}")
            found = found[key]
        if not isinstance(found, str):
            raise ConfigError(f"{LABELS_FILE}: {'.'.join(keys)} is a section, not a label")
        return fill(found, values)

    def section(self, name: str) -> dict[str, str]:
        """A section of plain labels (the page's, the columns'), as it is written."""
        found = self._raw[name]
        return {key: value for key, value in found.items() if isinstance(value, str)}

    def diagnosis(self, code: str) -> str:
        return self._raw["diagnoses"].get(code, code)

    def period_name(self, granularity: Granularity) -> str:
        return self.text("periods", granularity.value)

    def period(self, start: dt.date, granularity: Granularity) -> str:
        """A period on an axis or in a CSV: `25/11` (a day, a week by its Monday), `nov. 2026` (a month)."""
        if granularity.value == "month":
            return f"{self._months[start.month - 1]} {start.year}"
        return start.strftime("%d/%m")

    def decimal(self, value: float | None, digits: int = 1) -> str:
        """A number as French people write it (`1,3`), or the label of a figure not available."""
        return self.text("page", "not_available") if value is None else f"{value:.{digits}f}".replace(".", ",")

    def percent(self, share: float | None) -> str:
        """A share from 0 to 1 as `69 %`, or the label of a figure not available."""
        return self.text("page", "not_available") if share is None else f"{share:.0%}".replace("%", " %")
