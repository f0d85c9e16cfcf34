"""What the service layer needs of a CAS: validating one service ticket, without blocking the event loop."""

from __future__ import annotations

from typing import Protocol

from bot.core.cas import CasFailure, CasSuccess


class CasUnavailable(Exception):
    """The CAS could not be asked, or did not answer as a CAS does (network, timeout, an error page)."""


class TicketValidator(Protocol):
    async def validate(
        self, cas_url: str, service: str, ticket: str, timeout_seconds: float
    ) -> CasSuccess | CasFailure:
        """The CAS's verdict on `ticket` for `service`; raises `CasUnavailable` when there is none."""
        ...
