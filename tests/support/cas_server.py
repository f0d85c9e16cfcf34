"""A real CAS server on 127.0.0.1 for the tests: django-cas-server, migrated into a temporary SQLite database, with
one test user and the attributes it releases, served by Django's own server in a process of its own.

It validates tickets as a production CAS does: a ticket works once, for the service it was issued for, for
60 seconds. Two services are registered (`services.json`): this assistant's callback, and another application,
so that a test can get a ticket issued for a service other than the assistant's. `log_in` goes through its
login form as a browser would (the form's hidden fields, the CSRF cookie) and returns where the CAS sends the
browser back.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from bot.core.cas import login_url
from tests.support.processes import ROOT, free_port, stop, wait_for_http

SETTINGS = "tests.support.cas.settings"
SERVICES = Path(__file__).resolve().parent / "cas" / "services.json"
PASSWORD = "mot-de-passe-du-serveur-cas-de-test"  # the test server's only user; nothing real

# the netocentre operator's CAS releases these, with `uid` as the principal; a value is a string or a list
STUDENT = {
    "username": "F37crou",
    "password": PASSWORD,
    "attributes": {
        "uid": "F37crou",
        "ENTPersonLogin": "camille.rousseau",
        "ESCOUAI": ["0370034E"],
        "ESCOUAICourant": "0370034E",
        "ENTPersonProfils": "National_ELV",
        "isMemberOf": ["esco:Etablissements:BALZAC_0370034E:Eleves", "esco:Etablissements:BALZAC_0370034E:Tous_BALZAC"],
        "mail": "camille.rousseau@netocentre.fr",
    },
}


@dataclass
class CasServer:
    url: str  # the CAS's base URL: <url>/login, <url>/p3/serviceValidate
    user: dict[str, Any]
    process: subprocess.Popen[bytes]

    @property
    def username(self) -> str:
        return str(self.user["username"])


def _env(folder: Path, user: dict[str, Any]) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "CLEF_TEST_CAS_DIR": str(folder),
        "CLEF_TEST_CAS_USER": json.dumps(user),
    }


def start_cas_server(folder: Path, user: dict[str, Any] = STUDENT) -> CasServer:
    """Migrate a fresh database under `folder`, register the services, and serve the CAS on a free port."""
    folder.mkdir(parents=True, exist_ok=True)
    env = _env(folder, user)
    prepare = (  # one Django start for both: migrate the database, register the services
        "from django.core.management import call_command; "
        "call_command('migrate', interactive=False, verbosity=0); "
        f"call_command('loaddata', {str(SERVICES)!r}, verbosity=0)"
    )
    subprocess.run(
        [sys.executable, "-m", "django", "shell", "-v", "0", "-c", prepare], cwd=ROOT, env=env, check=True, timeout=300
    )
    port = free_port()
    log = (folder / "cas-server.log").open("wb")  # a file, not a pipe: a full pipe would stall the server
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    url = f"http://127.0.0.1:{port}/cas"
    try:
        wait_for_http(f"{url}/login", process, timeout=120)
    except BaseException as exc:
        stop(process)
        raise RuntimeError(f"the CAS server did not start: {(folder / 'cas-server.log').read_text()[-3000:]}") from exc
    return CasServer(url, user, process)


_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


def _form_fields(page: str) -> dict[str, str]:
    """The named fields of the login form with their values (hidden ones included)."""
    fields = {}
    for tag in _INPUT.findall(page):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if "name" in attributes:
            fields[attributes["name"]] = html.unescape(attributes.get("value", ""))
    return fields


async def log_in(cas: CasServer, login_url: str, password: str = PASSWORD) -> str:
    """Log in on the CAS page `login_url` (from the assistant's button) as its test user, as a browser does;
    the address the CAS sends the browser back to (the service URL with `ticket=`)."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(login_url) as page:
            assert page.status == 200, await page.text()
            fields = _form_fields(await page.text())
        fields.update(username=cas.username, password=password)
        async with session.post(login_url, data=fields, allow_redirects=False) as sent:
            location = sent.headers.get("Location")
            assert sent.status in (302, 303) and location, f"no redirect from the CAS: {sent.status}"
            return location


async def ticket_for(cas: CasServer, service: str) -> str:
    """A service ticket the CAS issues for `service` (any registered service, not only the assistant's)."""
    back = await log_in(cas, login_url(cas.url, service))
    return parse_qs(urlsplit(back).query)["ticket"][0]
