"""A ticket validator that answers from a table, for the tests of what the assistant does with each answer (the
real CAS server is `tests.support.cas_server`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from bot.cas.port import CasUnavailable
from bot.core.cas import CasFailure, CasSuccess, values


@dataclass
class FakeCas:
    tickets: dict[str, CasSuccess | CasFailure] = field(default_factory=dict)
    asked: list[tuple[str, str, str]] = field(default_factory=list)  # (CAS URL, service, ticket)
    down: bool = False

    def vouch(self, ticket: str, principal: str, **attributes: object) -> str:
        """The CAS will vouch for `principal` with these attributes when `ticket` is validated (once)."""
        self.tickets[ticket] = CasSuccess(principal, {name: values(attributes, name) for name in attributes})
        return ticket

    async def validate(
        self, cas_url: str, service: str, ticket: str, timeout_seconds: float
    ) -> CasSuccess | CasFailure:
        self.asked.append((cas_url, service, ticket))
        if self.down:
            raise CasUnavailable("connection refused")
        return self.tickets.pop(ticket, CasFailure("INVALID_TICKET", "ticket not found"))


def state_of(login_url: str) -> str:
    """The state in the service URL of a CAS login link."""
    service = parse_qs(urlsplit(login_url).query)["service"][0]
    return parse_qs(urlsplit(service).query)["state"][0]


def service_of(login_url: str) -> str:
    return parse_qs(urlsplit(login_url).query)["service"][0]
