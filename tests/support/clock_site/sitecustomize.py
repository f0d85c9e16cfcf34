"""Imported first by every Python subprocess a test starts: applies the clock switches of machine_clock.py."""

import os
import sys
from pathlib import Path

if os.environ.get("CLEF_TEST_CLOCK") or os.environ.get("CLEF_TEST_MACHINE_DATE"):
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from tests.support.machine_clock import travel

    travel(os.environ)
