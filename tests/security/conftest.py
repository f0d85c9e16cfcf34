"""Security tests run with a fixed server key for the one-time codes (never the generated file under var/)."""

from __future__ import annotations

import pytest

FIXED_KEY = "test-secret-key-not-for-production-0123456789"


@pytest.fixture(autouse=True)
def fixed_code_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CLEF_SECRET_KEY", FIXED_KEY)
    return FIXED_KEY
