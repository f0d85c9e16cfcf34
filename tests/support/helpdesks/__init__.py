"""The helpdesks the adapters are tested against, in one place: in-process fakes of GLPI and Zammad that follow
their documented REST APIs (`glpi_fake`, `zammad_fake`), each served on 127.0.0.1 in a thread of its own, or a real
server when a deployment names one in the environment (then the same contract tests run against it):

- GLPI: `CLEF_CONTRACT_GLPI_URL` (…/apirest.php), `CLEF_CONTRACT_GLPI_APP_TOKEN`, `CLEF_CONTRACT_GLPI_USER_TOKEN`
  (the assistant's API user), `CLEF_CONTRACT_GLPI_AGENT_TOKEN` (another user, who answers as an agent);
- Zammad: `CLEF_CONTRACT_ZAMMAD_URL`, `CLEF_CONTRACT_ZAMMAD_TOKEN` (the assistant's),
  `CLEF_CONTRACT_ZAMMAD_AGENT_TOKEN`, `CLEF_CONTRACT_ZAMMAD_GROUP` and `CLEF_CONTRACT_ZAMMAD_CUSTOMER` (an address).

Neither GLPI nor Zammad can be installed on the project's machines: the fakes are what the tests run here.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.helpdesk.glpi import GlpiTicketSystem
from bot.helpdesk.port import TicketSystem
from bot.helpdesk.zammad import ZammadTicketSystem
from tests.support.helpdesks.agents import AgentDesk, GlpiAgent, ZammadAgent
from tests.support.helpdesks.glpi_fake import GlpiData, glpi_app
from tests.support.helpdesks.zammad_fake import ZammadData, zammad_app

KINDS = ("glpi", "zammad")
ASSISTANT_TOKEN, AGENT_TOKEN, APP_TOKEN = "assistant-token", "agent-token", "app-token"  # the fakes' credentials


@dataclass
class Helpdesk:
    """A helpdesk to test against: the adapter on it, its agents' side, and the fake's data when it is one."""

    kind: str
    system: TicketSystem
    agent: AgentDesk
    fake: GlpiData | ZammadData | None


@contextmanager
def serving(app: web.Application) -> Iterator[str]:
    """`app` served on 127.0.0.1 (a free port) by an event loop in a thread of its own; its root URL."""
    loop = asyncio.new_event_loop()
    server = TestServer(app, host="127.0.0.1")
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.start_server(), loop).result(10)
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def _real(kind: str) -> Helpdesk | None:
    env = os.environ.get
    if kind == "glpi" and env("CLEF_CONTRACT_GLPI_URL"):
        url, app_token = env("CLEF_CONTRACT_GLPI_URL", ""), env("CLEF_CONTRACT_GLPI_APP_TOKEN")
        glpi = GlpiTicketSystem(url, app_token, env("CLEF_CONTRACT_GLPI_USER_TOKEN", ""))
        return Helpdesk(kind, glpi, GlpiAgent(url, app_token, env("CLEF_CONTRACT_GLPI_AGENT_TOKEN", "")), None)
    if kind == "zammad" and env("CLEF_CONTRACT_ZAMMAD_URL"):
        url = env("CLEF_CONTRACT_ZAMMAD_URL", "")
        system = ZammadTicketSystem(
            url, env("CLEF_CONTRACT_ZAMMAD_TOKEN", ""), env("CLEF_CONTRACT_ZAMMAD_GROUP", "Users"),
            env("CLEF_CONTRACT_ZAMMAD_CUSTOMER", ""),
        )  # fmt: skip
        return Helpdesk(kind, system, ZammadAgent(url, env("CLEF_CONTRACT_ZAMMAD_AGENT_TOKEN", "")), None)
    return None


@contextmanager
def helpdesk(kind: str) -> Iterator[Helpdesk]:
    """The real server the environment names for `kind`, else its fake, served for the block."""
    real = _real(kind)
    if real is not None:
        yield real
        return
    if kind == "glpi":
        glpi = GlpiData(app_token=APP_TOKEN, users={ASSISTANT_TOKEN: 7, AGENT_TOKEN: 12})
        with serving(glpi_app(glpi)) as root:
            url = f"{root}/apirest.php"
            glpi_system = GlpiTicketSystem(url, APP_TOKEN, ASSISTANT_TOKEN, category_id=3)
            yield Helpdesk(kind, glpi_system, GlpiAgent(url, APP_TOKEN, AGENT_TOKEN), glpi)
        return
    zammad = ZammadData(users={ASSISTANT_TOKEN: 3, AGENT_TOKEN: 4})
    with serving(zammad_app(zammad)) as root:
        system = ZammadTicketSystem(root, ASSISTANT_TOKEN, "Users", "assistance@clef.invalid")
        yield Helpdesk(kind, system, ZammadAgent(root, AGENT_TOKEN), zammad)
