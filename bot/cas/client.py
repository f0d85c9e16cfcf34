"""CAS 3 ticket validation over aiohttp, on the event loop: `GET <cas>/p3/serviceValidate?service=…&ticket=…`.

python-cas, the maintained client, validates with `requests` (blocking, without a timeout) and imports lxml for
the single logout it offers; the web server runs on one event loop, so this small client asks the CAS with the
aiohttp session of the web server instead, with a timeout, reads at most `MAX_BODY_BYTES`, and leaves the
reading of the answer to `bot.core.cas.parse_validation` (CAS 3 XML, attributes as python-cas reads them:
repeated elements are a list).
"""

from __future__ import annotations

import aiohttp

from bot.cas.port import CasUnavailable
from bot.core.cas import CasFailure, CasResponseError, CasSuccess, parse_validation, validation_url

MAX_BODY_BYTES = 256 * 1024


class AiohttpTicketValidator:
    """Validates tickets with one client session, opened on first use within the running loop."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers={"Accept": "application/xml, text/xml"})
        return self._session

    async def validate(
        self, cas_url: str, service: str, ticket: str, timeout_seconds: float
    ) -> CasSuccess | CasFailure:
        url = validation_url(cas_url, service, ticket)
        try:
            async with self._client().get(
                url, allow_redirects=False, timeout=aiohttp.ClientTimeout(total=timeout_seconds)
            ) as response:
                if response.status != 200:
                    raise CasUnavailable(f"the CAS answered HTTP {response.status}")
                body = await response.content.read(MAX_BODY_BYTES + 1)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise CasUnavailable(f"the CAS could not be asked: {type(exc).__name__}") from None
        if len(body) > MAX_BODY_BYTES:
            raise CasUnavailable(f"the CAS's answer is over {MAX_BODY_BYTES} bytes")
        try:
            return parse_validation(body)
        except CasResponseError as exc:
            raise CasUnavailable(str(exc)) from None

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
