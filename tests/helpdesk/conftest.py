"""Each helpdesk test runs against GLPI and against Zammad: their fakes here, or the real servers the environment
names (tests/support/helpdesks)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.helpdesks import KINDS, Helpdesk, helpdesk


@pytest.fixture(params=KINDS)
def desk(request: pytest.FixtureRequest) -> Iterator[Helpdesk]:
    with helpdesk(request.param) as served:
        yield served
