"""What the benches share: the configuration without the rate limits (a bench sends far more than a person), and
the percentile they print."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.config import AppConfig, load_config

ROOT = Path(__file__).resolve().parent.parent
UNLIMITED = {"count": 1_000_000, "per_seconds": 60}


def bench_config(**sections: dict[str, Any]) -> AppConfig:
    """config.yml with every per-chat and per-login limit lifted, `sections` merged over it."""
    limits = {"lookups_per_chat": UNLIMITED, "operations_per_chat": UNLIMITED, "operations_per_login": UNLIMITED}
    return load_config(ROOT / "config.yml", overrides={"rate_limits": limits, **sections})


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank `q`th percentile of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]
