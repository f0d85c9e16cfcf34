"""What each adapter does with its own API's particulars, against its fake: GLPI's sessions, `ERROR_*` answers,
`input` forms and status codes 1–6; Zammad's token and states by name. (The shared behaviour is test_contract.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from bot.helpdesk.glpi import GlpiTicketSystem
from bot.helpdesk.port import ExternalState, HelpdeskError, NewTicket, Requester
from bot.helpdesk.zammad import ZammadTicketSystem
from tests.support.helpdesks import AGENT_TOKEN, APP_TOKEN, ASSISTANT_TOKEN, serving
from tests.support.helpdesks.glpi_fake import GlpiData, glpi_app
from tests.support.helpdesks.zammad_fake import STATES, ZammadData, zammad_app

TICKET = NewTicket("Demande n°9", "Diagnostic : lien expiré", Requester("test14", None, None))


@pytest.fixture
def glpi() -> Iterator[tuple[str, GlpiData]]:
    data = GlpiData(app_token=APP_TOKEN, users={ASSISTANT_TOKEN: 7, AGENT_TOKEN: 12})
    with serving(glpi_app(data)) as root:
        yield f"{root}/apirest.php", data


@pytest.fixture
def zammad() -> Iterator[tuple[str, ZammadData]]:
    data = ZammadData(users={ASSISTANT_TOKEN: 3})
    with serving(zammad_app(data)) as root:
        yield root, data


async def _raw(method: str, url: str, headers: dict[str, str], body: Any = None) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.request(method, url, headers=headers, json=body) as reply:
        return reply.status, await reply.json(content_type=None)


async def test_glpi_answers_errors_as_its_api_documents(glpi: tuple[str, GlpiData]) -> None:
    url, _ = glpi
    app = {"App-Token": APP_TOKEN}
    status, error = await _raw("GET", f"{url}/initSession", {"App-Token": "x"})
    assert (status, error[0]) == (400, "ERROR_WRONG_APP_TOKEN_PARAMETER")
    status, error = await _raw("GET", f"{url}/initSession", {**app, "Authorization": "user_token nope"})
    assert (status, error[0]) == (401, "ERROR_GLPI_LOGIN_USER_TOKEN")
    status, error = await _raw("GET", f"{url}/Ticket/1", app)
    assert (status, error[0]) == (400, "ERROR_SESSION_TOKEN_MISSING")
    _, opened = await _raw("GET", f"{url}/initSession", {**app, "Authorization": f"user_token {ASSISTANT_TOKEN}"})
    session = {**app, "Session-Token": opened["session_token"]}
    status, created = await _raw("POST", f"{url}/Ticket", session, {"input": [{"name": "a"}, {"name": "b"}]})
    assert status == 201 and [c["message"] for c in created] == ["", ""]  # `input` as a list: one answer each
    status, error = await _raw("POST", f"{url}/Ticket", session, {"name": "no input"})
    assert (status, error[0]) == (400, "ERROR_BAD_ARRAY")
    status, error = await _raw("GET", f"{url}/Ticket/999", session)
    assert (status, error[0]) == (404, "ERROR_ITEM_NOT_FOUND")
    await _raw("GET", f"{url}/killSession", session)
    status, error = await _raw("GET", f"{url}/Ticket/1", session)
    assert (status, error[0]) == (401, "ERROR_SESSION_TOKEN_INVALID")


async def test_the_glpi_adapter_reports_glpis_error_and_ends_its_sessions(glpi: tuple[str, GlpiData]) -> None:
    url, data = glpi
    with pytest.raises(HelpdeskError) as refused:
        async with GlpiTicketSystem(url, APP_TOKEN, "wrong-token").connect():
            pass
    assert refused.value.code == "ERROR_GLPI_LOGIN_USER_TOKEN"
    async with GlpiTicketSystem(url, APP_TOKEN, ASSISTANT_TOKEN, category_id=3).connect() as helpdesk:
        external_id = await helpdesk.create(TICKET)
        with pytest.raises(HelpdeskError) as missing:
            await helpdesk.state(external_id + 1000)
    assert missing.value.code == "ERROR_ITEM_NOT_FOUND"
    assert data.sessions == {}  # killSession at the end of the run
    assert data.tickets[external_id]["itilcategories_id"] == 3  # the category from config


@pytest.mark.parametrize(
    ("status", "state"),
    [(1, "open"), (2, "open"), (3, "open"), (4, "open"), (5, "solved"), (6, "closed")],
)
async def test_glpi_status_codes_say_when_a_ticket_is_over(glpi: tuple[str, GlpiData], status: int, state: str) -> None:
    url, data = glpi
    async with GlpiTicketSystem(url, APP_TOKEN, ASSISTANT_TOKEN).connect() as helpdesk:
        external_id = await helpdesk.create(TICKET)
        data.tickets[external_id]["status"] = status
        assert await helpdesk.state(external_id) is ExternalState(state)


async def test_zammad_wants_its_token(zammad: tuple[str, ZammadData]) -> None:
    url, _ = zammad
    status, error = await _raw("GET", f"{url}/api/v1/ticket_states", {})
    assert status == 401 and "error" in error
    with pytest.raises(HelpdeskError) as refused:
        async with ZammadTicketSystem(url, "wrong", "Users", "a@b.invalid").connect() as helpdesk:
            await helpdesk.create(TICKET)
    assert refused.value.code == "HTTP 401"


@pytest.mark.parametrize(
    ("name", "state"),
    [("new", "open"), ("open", "open"), ("pending reminder", "open"), ("pending close", "open"), ("closed", "closed"),
     ("merged", "closed")],
)  # fmt: skip
async def test_zammad_states_by_name_say_when_a_ticket_is_over(
    zammad: tuple[str, ZammadData], name: str, state: str
) -> None:
    url, data = zammad
    async with ZammadTicketSystem(url, ASSISTANT_TOKEN, "Users", "a@b.invalid").connect() as helpdesk:
        external_id = await helpdesk.create(TICKET)
        data.tickets[external_id]["state_id"] = next(i for i, n in STATES.items() if n == name)
        assert await helpdesk.state(external_id) is ExternalState(state)
    assert data.customers == {"a@b.invalid": data.tickets[external_id]["customer_id"]}  # no address known: config's
