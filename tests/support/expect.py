"""Small assertions that also tell the type checker what a test has made sure of."""

from __future__ import annotations

import re
from typing import TypeVar

T = TypeVar("T")


def present(value: T | None, what: str = "a value") -> T:
    """`value`, which the test expects to be there (an account, a ticket, a request…)."""
    assert value is not None, f"expected {what}, got None"
    return value


def first_group(pattern: str, text: str) -> str:
    """The first group of `pattern` in `text`, which the test expects to hold it (a code, a ticket number…)."""
    match = re.search(pattern, text)
    assert match is not None, f"/{pattern}/ not found in {text!r}"
    return match.group(1)
