"""The machine's wall clock, as tests see it: moved on purpose, never relied on.

Two switches, both read from the environment by this module and by `clock_site/sitecustomize.py`,
which every Python subprocess a test starts imports first (its folder is put on `PYTHONPATH`):

- `CLEF_TEST_CLOCK=<ISO instant>`: the wall clock of a *subprocess* under test starts at that instant
  and ticks on. Subprocess tests set it from the `clock` fixture (`child_env(clock)`), since a real
  server cannot be handed a Python clock object.
- `CLEF_TEST_MACHINE_DATE=<YYYY-MM-DD>`: a check that no test depends on the real date. The test
  process and every subprocess behave as if the machine's calendar said that date (time of day and
  ticking kept). `CLEF_TEST_MACHINE_DATE=2027-07-20 pytest tests/...` must pass like any other day.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

TEST_CLOCK = "CLEF_TEST_CLOCK"
MACHINE_DATE = "CLEF_TEST_MACHINE_DATE"
SITE_DIR = Path(__file__).resolve().parent / "clock_site"


def destination(environ: dict[str, str] | os._Environ[str]) -> dt.datetime | None:
    """Where the wall clock of this process should start, or None to leave it alone."""
    if instant := environ.get(TEST_CLOCK):
        return dt.datetime.fromisoformat(instant)
    if day := environ.get(MACHINE_DATE):
        now = dt.datetime.now(dt.UTC)
        return dt.datetime.combine(dt.date.fromisoformat(day), now.timetz())
    return None


def travel(environ: dict[str, str] | os._Environ[str]) -> None:
    """Move this process's wall clock (datetime.now, date.today, time.time) as the environment asks."""
    target = destination(environ)
    if target is not None:
        import time_machine

        time_machine.travel(target, tick=True).start()


def child_env(clock: Callable[[], dt.datetime] | None = None) -> dict[str, str]:
    """Variables a subprocess under test needs: the clock switches, and the folder that applies them."""
    env = {"PYTHONPATH": os.pathsep.join(p for p in (str(SITE_DIR), os.environ.get("PYTHONPATH", "")) if p)}
    if clock is not None:
        env[TEST_CLOCK] = clock().isoformat()
    if day := os.environ.get(MACHINE_DATE):
        env[MACHINE_DATE] = day
    return env
