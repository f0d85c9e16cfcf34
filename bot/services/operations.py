"""Operations: what changes the world, always authorised in core, rate-limited and audited.

Every call goes: rate limits (before any look-up, so unknown and existing identifiers behave alike) →
directory look-up → `core.authz.authorise` → the change → its audit. A refused, rate-limited or
unknown-target call changes nothing and is audited with that outcome, never as `done`. A change to the
directory (reset, unlock) is audited twice: `started` before it, `done` or `failed` after, so that a
failure at any step leaves a row to recover from.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import RateLimit
from bot.core.accounts import Account
from bot.core.authz import Actor, Permission, authorise, may_administer
from bot.core.redaction import mask_email
from bot.directory.port import DirectoryError
from bot.mail.port import Mail
from bot.mail.templates import compose
from bot.messages import Button, OutboundMessage, split_sender
from bot.placeholders import fill
from bot.services.container import Services
from bot.storage.audit import Outcome
from bot.storage.links import CodeCheck
from bot.texts import text

log = logging.getLogger(__name__)

DONE = Outcome.DONE
REFUSED = Outcome.REFUSED
RATE_LIMITED = Outcome.RATE_LIMITED
UNKNOWN = Outcome.UNKNOWN_TARGET
FAILED = Outcome.FAILED
STARTED = Outcome.STARTED


@dataclass(frozen=True)
class OperationResult:
    status: Outcome
    reason: str | None = None
    masked_address: str | None = None
    provisional_password: str | None = None
    mail_sent_now: bool = True
    reference: int | None = None  # ticket or reset request id

    @property
    def done(self) -> bool:
        return self.status == DONE


def provisional_password(length: int = 12) -> str:
    """Meets every class of the password policies: lower, upper, digit, special; no look-alikes."""
    pools = ["abcdefghjkmnpqrstuvwxyz", "ABCDEFGHJKMNPQRSTUVWXYZ", "23456789", "-+!*?%"]
    chars = [secrets.choice(pool) for pool in pools]
    everything = "".join(pools)
    chars += [secrets.choice(everything) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


class Operations:
    def __init__(self, services: Services) -> None:
        self.services = services

    # -- plumbing ---------------------------------------------------------------------------------
    def _audit(
        self, actor: Actor, channel: str, op: str, target: str | None, outcome: Outcome, detail: str | None = None
    ) -> None:
        self.services.record(actor, channel, op, target, outcome, detail)

    def _within_limits(self, actor: Actor, op: str, login: str | None) -> bool:
        now = self.services.now()
        limits = self.services.config.rate_limits
        if actor.is_agent:
            return True
        if not self.services.limiter.hit(f"op:chat:{actor.sender_id}", limits.operations_per_chat, now):
            return False
        return not login or self.services.limiter.hit(f"op:login:{login}", limits.operations_per_login, now)

    def _cooling_down(self, op: str, login: str) -> bool:
        """Whether `op` on `login` must wait; otherwise claims the cooldown, atomically.

        The claim is a rate-limiter hit of one per cooldown window, keyed on the operation and the
        account, so that of concurrent resends exactly one passes; the last mail's time (audit) also
        holds the cooldown across a window boundary for resends that come one after another.
        """
        seconds = self.services.config.rate_limits.resend_cooldown_seconds
        if seconds <= 0:
            return False
        now = self.services.now()
        last = self.services.audit.last_done(op, login)
        if last is not None and now - last < dt.timedelta(seconds=seconds):
            return True
        return not self.services.limiter.hit(f"cooldown:{op}:{login}", RateLimit(count=1, per_seconds=seconds), now)

    def lookup(self, actor: Actor, login: str) -> Account | None:
        """A directory look-up bounded per chat, per identifier (all chats) and per client address; raises
        `LookupLimited` past a limit, with the same words whatever the identifier."""
        if not actor.is_agent:
            limits = self.services.config.rate_limits
            keys: list[tuple[str, RateLimit]] = [
                (f"lookup:chat:{actor.sender_id}", limits.lookups_per_chat),
                (f"lookup:login:{login.strip().lower()}", limits.lookups_per_login),
            ]
            if actor.client_address:
                keys.append((f"lookup:address:{actor.client_address}", limits.lookups_per_address))
            for key, limit in keys:  # the directory cannot be harvested by rotating chats, nor one login probed
                if not self.services.limiter.hit(key, limit, self.services.now()):
                    raise LookupLimited()
        return self.services.directory.find_account(login)

    def _prepare(self, actor: Actor, channel: str, op: Permission, login: str) -> Account | OperationResult:
        """The account `op` may be applied to, or the result that says why not (audited)."""
        login = login.strip().lower()
        if not self._within_limits(actor, op.value, login):
            self._audit(actor, channel, op.value, login, RATE_LIMITED)
            return OperationResult(RATE_LIMITED)
        administering = op in (Permission.RESET_PASSWORD, Permission.UNLOCK_ACCOUNT)
        if administering:  # who may administer at all, before the look-up: no probing for accounts
            first = may_administer(actor)
            if not first.allowed:
                self._audit(actor, channel, op.value, login, REFUSED, first.reason)
                return OperationResult(REFUSED, first.reason)
        account = self.services.directory.find_account(login)
        if account is None:
            self._audit(actor, channel, op.value, login, UNKNOWN)
            # an ADML reads the same for an unknown login as for another school's account
            reason = "other_school" if administering and not actor.is_agent else "unknown_account"
            return OperationResult(UNKNOWN, reason)
        decision = authorise(actor, op, account)
        if not decision.allowed:
            self._audit(actor, channel, op.value, account.login, REFUSED, decision.reason)
            return OperationResult(REFUSED, decision.reason)
        return account

    def _prepare_resend(self, actor: Actor, channel: str, op: Permission, login: str) -> Account | OperationResult:
        """`_prepare`, then the resend cooldown of the account (one mail a minute, as the operators do)."""
        if isinstance(account := self._prepare(actor, channel, op, login), OperationResult):
            return account
        if self._cooling_down(op.value, account.login):
            self._audit(actor, channel, op.value, account.login, RATE_LIMITED, "cooldown")
            return OperationResult(RATE_LIMITED, "cooldown")
        return account

    def _send_to_backup(
        self,
        actor: Actor,
        channel: str,
        op: Permission,
        account: Account,
        mail: Mail,
        expires_at: dt.datetime | None = None,
    ) -> OperationResult:
        """Hand a resend to the outbox (sent now, or kept and retried) and audit it as done."""
        assert account.backup_email
        sent_now = self.services.outbox.submit(mail, expires_at=expires_at)
        self._audit(actor, channel, op.value, account.login, DONE, None if sent_now else "queued for retry")
        return OperationResult(DONE, masked_address=mask_email(account.backup_email), mail_sent_now=sent_now)

    # -- operations -------------------------------------------------------------------------------
    def resend_validation_link(self, actor: Actor, channel: str, login: str) -> OperationResult:
        op = Permission.RESEND_VALIDATION_LINK
        if isinstance(account := self._prepare_resend(actor, channel, op, login), OperationResult):
            return account
        tenant, address = self.services.tenant_of(account), account.backup_email
        assert address
        hours = self.services.link_hours(tenant)
        token = self.services.activation.issue_validation_token(
            account.login, address, dt.timedelta(hours=hours), self.services.now()
        )
        public = str(self.services.config.web.public_url).rstrip("/")
        mail = compose(
            "validation_link",
            address,
            {
                "ent_name": self.services.mail_facts(tenant)["ent_name"],
                "login": account.login,
                "link_url": f"{public}/adresse/valider?jeton={token}",
                "hours": str(hours),
            },
        )
        return self._send_to_backup(actor, channel, op, account, mail, self.services.now() + dt.timedelta(hours=hours))

    def resend_activation_mail(self, actor: Actor, channel: str, login: str) -> OperationResult:
        op = Permission.RESEND_ACTIVATION_MAIL
        if isinstance(account := self._prepare_resend(actor, channel, op, login), OperationResult):
            return account
        assert account.backup_email
        values = self.services.mail_facts(self.services.tenant_of(account))
        steps = self.services.knowledge.choose("ask_activation_howto", self.services.tenant_of(account)).article
        mail = compose(
            "activation_reminder",
            account.backup_email,
            {
                "ent_name": values["ent_name"],
                "ent_url": values["ent_url"],
                "login": account.login,
                "activation_steps": fill(steps.answer, values) if steps else "",
            },
        )
        return self._send_to_backup(actor, channel, op, account, mail)

    def reset_password(self, actor: Actor, channel: str, login: str) -> OperationResult:
        op = Permission.RESET_PASSWORD
        if isinstance(account := self._prepare(actor, channel, op, login), OperationResult):
            return account
        password = provisional_password(max(12, self.services.min_password_length(self.services.tenant_of(account))))
        failed = self._change(
            actor,
            channel,
            op,
            account.login,
            lambda: self.services.directory.set_provisional_password(account.login, password, self.services.now()),
        )
        return failed or OperationResult(DONE, provisional_password=password)

    def _change(
        self, actor: Actor, channel: str, op: Permission, login: str, change: Callable[[], None]
    ) -> OperationResult | None:
        """Audit the intent, change the directory, audit the outcome; None when the change was made.

        The intent row is written first and nothing is changed when it cannot be (the error propagates).
        Whatever fails next leaves that row, so an ADML or agent can see the account may have been
        changed and do it again. A failed outcome write is logged and does not undo the change: the
        caller still shows its result (a provisional password once).
        """
        self._audit(actor, channel, op.value, login, STARTED)
        try:
            change()
        except DirectoryError as exc:
            self._audit_or_log(actor, channel, op.value, login, FAILED, str(exc))
            return OperationResult(FAILED, "directory_down")
        except Exception as exc:
            self._audit_or_log(actor, channel, op.value, login, FAILED, type(exc).__name__)
            raise
        self._audit_or_log(actor, channel, op.value, login, DONE)
        return None

    def _audit_or_log(
        self, actor: Actor, channel: str, op: str, target: str, outcome: Outcome, detail: str | None = None
    ) -> None:
        try:
            self._audit(actor, channel, op, target, outcome, detail)
        except Exception as exc:  # the change is made: say so in the log, never with what was set
            # neither the target's identifier followed by a word nor a "telegram:6001" the log's redaction would take
            # for a password
            log.error(
                "audit row not written (%s/%s, target %s, by %s chat %s): %s",
                op,
                outcome,
                target,
                *split_sender(actor.sender_id),
                type(exc).__name__,
            )

    def unlock_account(self, actor: Actor, channel: str, login: str) -> OperationResult:
        op = Permission.UNLOCK_ACCOUNT
        if isinstance(account := self._prepare(actor, channel, op, login), OperationResult):
            return account
        if account.locked_until is None or account.locked_until <= self.services.now():
            self._audit(actor, channel, op.value, account.login, REFUSED, "not_locked")
            return OperationResult(REFUSED, "not_locked")
        failed = self._change(actor, channel, op, account.login, lambda: self.services.directory.unlock(account.login))
        return failed or OperationResult(DONE)

    def start_link(self, actor: Actor, channel: str, login: str) -> OperationResult:
        """Send a one-time code to the account's ENT mail or validated backup address.

        Whatever happens (unknown or refused account, code mails cooling down, the account's daily checks
        spent), the chat is told the same and then waits for a code: one that was never sent (a decoy)
        meets the same answers as a real one, so typing codes tells nothing about the account.
        """
        op = Permission.LINK_ACCOUNT
        settings = self.services.config.linking
        now = self.services.now()
        ttl = dt.timedelta(minutes=settings.code_ttl_minutes)
        account = self._prepare(actor, channel, op, login)
        if isinstance(account, OperationResult):
            if account.status != RATE_LIMITED:  # a rate limit is keyed on the chat and the typed login: alike for all
                self.services.links.issue_decoy(actor.sender_id, login.strip().lower(), ttl, now)
            return account
        if self.services.limiter.reached(f"link:checks:{account.login}", settings.code_checks_per_login, now):
            # someone is guessing this account's codes: no more codes today, and the same words as ever
            self._audit(actor, channel, op.value, account.login, RATE_LIMITED, "too_many_code_checks")
            self.services.links.issue_decoy(actor.sender_id, account.login, ttl, now)
            return OperationResult(Outcome.CODE_SENT)
        if not self._code_mail_allowed(account.login, now):
            self._audit(actor, channel, op.value, account.login, RATE_LIMITED, "code_mail_cooldown")
            # keep a code already sent here
            if not self.services.links.has_live_code(actor.sender_id, account.login, now):
                self.services.links.issue_decoy(actor.sender_id, account.login, ttl, now)
            return OperationResult(Outcome.CODE_SENT)
        address = account.backup_email if account.backup_email_validated and account.backup_email else account.ent_mail
        assert address
        code = self.services.links.issue_code(actor.sender_id, account.login, settings.code_digits, ttl, now)
        values = self.services.mail_facts(self.services.tenant_of(account))
        sent_now = self.services.outbox.submit(
            compose(
                "link_code",
                address,
                {"ent_name": values["ent_name"], "code": code, "minutes": str(settings.code_ttl_minutes)},
            ),
            expires_at=now + ttl,
        )
        self._audit(actor, channel, "link_code_sent", account.login, DONE)
        return OperationResult(Outcome.CODE_SENT, masked_address=mask_email(address), mail_sent_now=sent_now)

    def _code_mail_allowed(self, login: str, now: dt.datetime) -> bool:
        """Count one code mail to `login` against each of its limits (one a minute, a few an hour)."""
        return all(
            self.services.limiter.hit(f"link:mail:{login}:{limit.count}/{limit.per_seconds}", limit, now)
            for limit in self.services.config.linking.code_mails_per_login
        )

    def complete_link(self, actor: Actor, channel: str, code: str) -> tuple[OperationResult, str | None]:
        """Check a typed code. Every check counts against the account's daily cap, all chats together,
        before the code is compared."""
        settings = self.services.config.linking
        now = self.services.now()

        def admit(login: str) -> bool:
            return self.services.limiter.hit(f"link:checks:{login}", settings.code_checks_per_login, now)

        outcome, login = self.services.links.check_code(actor.sender_id, code, settings.max_attempts, now, admit=admit)
        if outcome is not CodeCheck.OK or login is None:
            self._audit(actor, channel, Permission.LINK_ACCOUNT.value, login, REFUSED, outcome.value)
            return OperationResult(REFUSED, outcome.value), None
        self.services.links.link(actor.sender_id, login, now)
        self._audit(actor, channel, Permission.LINK_ACCOUNT.value, login, DONE)
        return OperationResult(DONE), login

    def unlink(self, actor: Actor, channel: str) -> bool:
        removed = self.services.links.unlink(actor.sender_id, self.services.now())
        if removed:
            self._audit(
                actor, channel, "unlink_account", actor.linked_account.login if actor.linked_account else None, DONE
            )
        return removed

    def notify_adml(self, actor: Actor, channel: str, login: str) -> OperationResult:
        """Send the user's reset request to the linked ADMLs of their school, for approval."""
        op = Permission.NOTIFY_ADML
        if isinstance(account := self._prepare(actor, channel, op, login), OperationResult):
            return account
        assert account.uai
        pending = self.services.reset_requests.pending_for(account.login)
        if pending:
            self._audit(actor, channel, op.value, account.login, REFUSED, "already_pending")
            return OperationResult(REFUSED, "already_pending", reference=pending.id)
        admls = [a.login for a in self.services.directory.accounts_of_school(account.uai) if account.uai in a.adml_of]
        recipients = self.services.links.administrators_of(account.uai, admls)
        if not recipients:
            self._audit(actor, channel, op.value, account.login, REFUSED, "no_adml_reachable")
            return OperationResult(REFUSED, "no_adml_reachable")
        request = self.services.reset_requests.create(account.login, account.uai, actor.sender_id, self.services.now())
        notice = OutboundMessage(
            text=text("reset_request_to_adml", request_id=request.id, login=account.login),
            buttons=(
                Button(text("button_approve_reset"), f'/approve_reset{{"request_id": {request.id}}}'),
                Button(text("button_deny_reset"), f'/deny_reset{{"request_id": {request.id}}}'),
            ),
        )
        for sender_id, _ in recipients:
            self.services.relay.send(sender_id, [notice])
        self._audit(actor, channel, op.value, account.login, DONE, f"request {request.id} to {len(recipients)} ADML(s)")
        return OperationResult(DONE, reference=request.id)

    def decide_reset_request(self, actor: Actor, channel: str, request_id: int, approved: bool) -> OperationResult:
        request = self.services.reset_requests.get(request_id)
        if request is None:
            return OperationResult(UNKNOWN, "unknown_request")
        decision = authorise(actor, Permission.DECIDE_RESET_REQUEST, None, school_uai=request.uai)
        if not decision.allowed:
            self._audit(actor, channel, Permission.DECIDE_RESET_REQUEST.value, request.login, REFUSED, decision.reason)
            return OperationResult(REFUSED, decision.reason)
        own = actor.sender_id == request.requester or (
            actor.linked_account is not None and actor.linked_account.login == request.login
        )
        if own:
            self._audit(actor, channel, Permission.DECIDE_RESET_REQUEST.value, request.login, REFUSED, "own_request")
            return OperationResult(REFUSED, "own_request")
        if not self.services.reset_requests.claim(request_id, actor.sender_id):
            current = self.services.reset_requests.get(request_id)
            return OperationResult(REFUSED, f"already_{current.status if current else 'decided'}", reference=request_id)
        if not approved:
            self.services.reset_requests.decide(request_id, False, actor.sender_id, self.services.now())
            self._audit(actor, channel, Permission.DECIDE_RESET_REQUEST.value, request.login, DONE, "denied")
            self._tell_requester(request.requester, text("reset_request_denied"))
            return OperationResult(DONE, "denied", reference=request.id)
        try:
            result = self.reset_password(actor, channel, request.login)
        except Exception:
            self.services.reset_requests.release(request_id)
            raise
        if result.done:
            self.services.reset_requests.decide(request_id, True, actor.sender_id, self.services.now())
            self._tell_requester(request.requester, text("reset_request_approved"))
        else:
            self.services.reset_requests.release(request_id)
        return OperationResult(
            result.status, result.reason, provisional_password=result.provisional_password, reference=request.id
        )

    def _tell_requester(self, sender_id: str, message: str) -> None:
        self.services.relay.send(sender_id, [OutboundMessage(message)])

    def create_ticket(
        self,
        actor: Actor,
        channel: str,
        tenant: str | None,
        login: str | None,
        diagnosis: str | None,
        summary: str,
        current_message: str | None = None,
    ) -> OperationResult:
        """Open a ticket with the chat's redacted transcript, including the message being handled."""
        existing = self.services.tickets.open_for(actor.sender_id)
        if existing:
            return OperationResult(REFUSED, "already_open", reference=existing.id)
        if not self._within_limits(actor, Permission.CREATE_TICKET.value, None):
            self._audit(actor, channel, Permission.CREATE_TICKET.value, None, RATE_LIMITED)
            return OperationResult(RATE_LIMITED)
        if not actor.is_agent and not all(gate(actor) for gate in self.services.ticket_gates):
            self._audit(actor, channel, Permission.CREATE_TICKET.value, None, RATE_LIMITED, "per client address")
            return OperationResult(RATE_LIMITED)
        transcript = "\n".join(
            _transcript_line(direction, said)
            for direction, said in self.services.conversations.transcript(actor.sender_id)
        )
        if current_message and not current_message.startswith("/"):
            transcript = (transcript + "\n" if transcript else "") + text("transcript_line_user", text=current_message)
        ticket = self.services.tickets.open(
            actor.sender_id, channel, tenant, login, diagnosis, summary, transcript, self.services.now()
        )
        self._audit(actor, channel, Permission.CREATE_TICKET.value, login, DONE, f"ticket {ticket.id}")
        for listener in self.services.ticket_listeners:
            listener(ticket)
        return OperationResult(DONE, reference=ticket.id)


def _transcript_line(direction: str, said: str) -> str:
    """A line of the transcript agents read: who wrote it, and what."""
    if direction == "in":
        return text("transcript_line_user", text=said)
    return text("transcript_line_assistant", text=said)


class LookupLimited(Exception):
    """Too many directory look-ups from this chat in the current window."""
