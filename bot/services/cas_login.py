"""Proving identity with the ENT's own login (CAS): the login offered to a chat, and its return.

For a tenant with `cas` in config.yml, the assistant offers a link to the tenant's CAS login page whose service
URL (`<web.public_url>/cas/callback?state=…`) carries a state: a single-use nonce bound to the chat, kept hashed,
alive `linking.cas_login_minutes` (`bot.storage.cas_states`), at most `linking.cas_logins_per_chat` a chat. The CAS
sends the browser back there with a service ticket; `finish` spends the state, has the ticket validated by the
CAS (CAS 3 `/p3/serviceValidate`, on the event loop), reads who the user is from the released attributes
(`bot.core.cas.identity_of`: the account, the school, the ADML membership when the CAS says it), links the chat
to that account and tells the chat (the relay: a Telegram message, or the inbox the web page polls).

Refused, each with its words (`cas_refused_<reason>` in knowledge/messages.yml): a state never issued, already
used (a reload, a replay) or expired; no ticket; a ticket the CAS refuses (`INVALID_TICKET`: replayed or
expired; `INVALID_SERVICE`: issued for another service); a CAS that cannot be asked; an account the directory
does not hold, of another ENT, or disabled. Every return with a known chat is an audit row (`link_account`,
detail `cas …`); the state is spent whatever the outcome, so each one allows a single try.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from dataclasses import dataclass

from bot.cas.port import CasUnavailable, TicketValidator
from bot.config import CasSettings
from bot.core.accounts import Account
from bot.core.authz import Actor, Permission, authorise
from bot.core.cas import AttributeNames, CasFailure, CasIdentity, identity_of, login_url, service_url
from bot.directory.port import DirectoryError
from bot.messages import OutboundMessage, channel_of
from bot.services.container import Services
from bot.storage.audit import Outcome
from bot.storage.cas_states import StateCheck, StateUse
from bot.storage.links import LinkMethod
from bot.texts import text

log = logging.getLogger(__name__)

OPERATION = Permission.LINK_ACCOUNT.value  # the audit's name for linking, whatever the proof
NO_TICKET = "no_ticket"
UNAVAILABLE = "cas_unavailable"
BUSY = "busy"  # the return page's own: too many returns from one client address
REFUSALS = frozenset(
    {*(check.value for check in StateCheck if check is not StateCheck.OK), NO_TICKET, UNAVAILABLE, BUSY}
    | {"ticket_refused", "foreign_service", "cas_refused"}  # what the CAS says (bot.core.cas.CasFailure.reason)
    | {"unknown_account", "other_tenant", "account_disabled", "directory_down"}  # what the directory says
)
"""Every reason a CAS login may be refused for; each is worded by `cas_refused_<reason>` in messages.yml."""
# refusals the chat is not told of: nobody knows which chat an unknown state is for, and a used one was told
# already (its first use), so a reload of the return page or a replayed URL sends the chat nothing
UNTOLD = frozenset({StateCheck.UNKNOWN.value, StateCheck.USED.value})


@dataclass(frozen=True)
class CasOffer:
    """A CAS login link offered to a chat for one tenant."""

    tenant: str
    url: str


@dataclass(frozen=True)
class CasFinish:
    """What a return from the CAS came to: the chat linked to `login`, or `reason` why not."""

    sender_id: str | None
    reason: str | None = None
    login: str | None = None
    tenant: str | None = None
    adml_of: tuple[str, ...] | None = None  # as the CAS said, when it said

    @property
    def linked(self) -> bool:
        return self.reason is None

    def message(self) -> str:
        """What the chat and the return page say (knowledge/messages.yml)."""
        if self.linked:
            return text("cas_linked", login=self.login)
        return text(f"cas_refused_{self.reason}")


class CasLogin:
    def __init__(self, services: Services, validator: TicketValidator | None = None) -> None:
        self.services = services
        self.validator = validator

    def _cas(self, tenant: str | None) -> CasSettings | None:
        found = self.services.config.tenants.get(tenant or "")
        return found.cas if found is not None else None

    def _service(self, state: str) -> str:
        return service_url(str(self.services.config.web.public_url), state)

    # -- offering ---------------------------------------------------------------------------------------------
    def offer(self, actor: Actor, channel: str, tenant: str) -> CasOffer | None:
        """A link to `tenant`'s CAS login for this chat; None when this chat was offered too many (audited)."""
        cas = self._cas(tenant)
        if cas is None or tenant not in self.services.config.cas_tenants():
            raise ValueError(f"tenant {tenant!r} has no CAS login served here")
        services, settings = self.services, self.services.config.linking
        now = services.now()
        if not actor.is_agent and not services.limiter.hit(
            f"cas:offers:{actor.sender_id}", settings.cas_logins_per_chat, now
        ):
            services.record(actor, channel, OPERATION, None, Outcome.RATE_LIMITED, "cas login links")
            return None
        ttl = dt.timedelta(minutes=settings.cas_login_minutes)
        state = services.cas_states.issue(actor.sender_id, tenant, ttl, now)
        return CasOffer(tenant, login_url(str(cas.url), self._service(state)))

    # -- the return from the CAS ------------------------------------------------------------------------------
    async def finish(self, state: str, ticket: str | None, client_address: str | None = None) -> CasFinish:
        """Complete the login that `state` was offered for, with the CAS's `ticket`; the chat is told."""
        use = await asyncio.to_thread(self.services.cas_states.use, state, self.services.now())
        finish = await self._verdict(use, state, ticket, client_address)
        await asyncio.to_thread(self._record_and_tell, finish, client_address)
        return finish

    async def _verdict(self, use: StateUse, state: str, ticket: str | None, address: str | None) -> CasFinish:
        if not use.ok:
            return CasFinish(use.sender_id, use.check.value, tenant=use.tenant)
        cas = self._cas(use.tenant)
        if not ticket:
            return CasFinish(use.sender_id, NO_TICKET, tenant=use.tenant)
        if cas is None or self.validator is None:  # the tenant lost its CAS since the offer
            return CasFinish(use.sender_id, UNAVAILABLE, tenant=use.tenant)
        try:
            verdict = await self.validator.validate(str(cas.url), self._service(state), ticket, cas.timeout_seconds)
        except CasUnavailable as exc:
            log.warning("CAS of %s not usable: %s", use.tenant, exc)
            return CasFinish(use.sender_id, UNAVAILABLE, tenant=use.tenant)
        if isinstance(verdict, CasFailure):
            log.info("CAS of %s refused a ticket: %s", use.tenant, verdict.code)
            return CasFinish(use.sender_id, verdict.reason, tenant=use.tenant)
        names = AttributeNames(**cas.attributes.model_dump())
        pattern = re.compile(cas.adml_groups) if cas.adml_groups else None
        identity = identity_of(verdict, names, pattern)
        assert use.sender_id is not None and use.tenant is not None
        return await asyncio.to_thread(self._link, use.sender_id, use.tenant, identity, address)

    def _account(self, identity: CasIdentity) -> Account | None:
        directory = self.services.directory
        found = directory.find_account(identity.login)
        if found is None and identity.principal.lower() != identity.login:  # the principal may be an alias
            found = directory.find_account(identity.principal)
        return found

    def _tenant_of(self, account: Account, identity: CasIdentity) -> str | None:
        """The account's ENT: its school's in the directory, else the school the CAS says."""
        known = self.services.tenant_of(account)
        if known is None and identity.school:
            school = self.services.directory.find_establishment(identity.school)
            known = school.tenant if school else self.services.config.tenant_for_uai(identity.school)
        return known

    def _link(self, sender_id: str, tenant: str, identity: CasIdentity, address: str | None) -> CasFinish:
        """Link the chat to the account the CAS vouched for, once the directory knows it in this tenant."""
        try:
            account = self._account(identity)
            if account is None:
                return CasFinish(sender_id, "unknown_account", tenant=tenant)
            if self._tenant_of(account, identity) not in (None, tenant):  # a CAS vouches for its own ENT only
                return CasFinish(sender_id, "other_tenant", account.login, tenant)
            decision = authorise(Actor(sender_id, client_address=address), Permission.LINK_BY_CAS, account)
            if not decision.allowed:
                return CasFinish(sender_id, decision.reason, account.login, tenant)
        except DirectoryError as exc:
            log.warning("directory unavailable for a CAS login: %s", exc)
            return CasFinish(sender_id, "directory_down", tenant=tenant)
        self.services.links.link(sender_id, account.login, self.services.now(), LinkMethod.CAS, identity.adml_of)
        return CasFinish(sender_id, login=account.login, tenant=tenant, adml_of=identity.adml_of)

    def _record_and_tell(self, finish: CasFinish, address: str | None) -> None:
        if finish.sender_id is None:  # a state never issued (or forgotten): no chat to speak of
            log.info("CAS return with an unknown state from %s", address)
            return
        actor = Actor(finish.sender_id, client_address=address)
        channel = channel_of(finish.sender_id)
        if finish.linked:
            said = (
                f", ADML of {' '.join(finish.adml_of) or 'no school'} per the CAS" if finish.adml_of is not None else ""
            )
            detail = f"cas {finish.tenant}{said}"
            self.services.record(actor, channel, OPERATION, finish.login, Outcome.DONE, detail)
        else:
            outcome = Outcome.UNKNOWN_TARGET if finish.reason == "unknown_account" else Outcome.REFUSED
            self.services.record(actor, channel, OPERATION, finish.login, outcome, f"cas {finish.reason}")
        if finish.reason not in UNTOLD:
            self.services.relay.send(finish.sender_id, [OutboundMessage(finish.message())])
