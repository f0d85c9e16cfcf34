"""Actions that change the world: resends, resets, unlocks, ADML requests and decisions.

An operation is proposed first (a question with Oui/Non buttons) and performed on the user's "Oui"
(`action_affirm`). The outcome is told in plain words; a provisional password is sent once, marked
sensitive so that no store keeps it and Telegram deletes the message after a while.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.common import actor_of, channel_of, clean_login, format_local, known_tenant, refusal
from bot.core.accounts import AccountState
from bot.core.authz import Actor, Decision, Permission, authorise, may_administer
from bot.operations import DONE, RATE_LIMITED, REFUSED, LookupLimited, OperationResult

SENSITIVE = {"sensitive": True}
UAI = re.compile(r"^\d{7}[A-Z]$")
FOR_SUPPORT = ("own_account", "adml_account")  # refusals that send an ADML to support


def _entity(tracker: Tracker, name: str) -> Any:
    return next((e["value"] for e in tracker.latest_message.get("entities") or [] if e.get("entity") == name), None)


def _tell_sent(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    result: OperationResult,
    actor: Actor,
    login: str,
    activation_mail: bool = False,
) -> None:
    """The same words whether the identifier exists or not, unless the chat may see the account."""
    facts = services.get().tenant_facts(known_tenant(tracker)) or {"validation_link_hours": "48"}
    # what this chat may see of the account: one decision in core (a stranger is never looked up for it)
    sees_account = actor.is_agent or (
        actor.linked_account is not None
        and authorise(actor, Permission.VIEW_ACCOUNT, services.get().directory.find_account(login)).allowed
    )
    if result.status == RATE_LIMITED and (sees_account or result.reason != "cooldown"):
        dispatcher.utter_message(response="utter_rate_limited")
        return
    if result.status == REFUSED and sees_account:
        dispatcher.utter_message(text=refusal(result.reason))
        return
    if result.done and sees_account and result.masked_address:
        response = "utter_activation_mail_sent_to" if activation_mail else "utter_resend_sent_to"
        dispatcher.utter_message(response=response, address=result.masked_address, **facts)
    else:  # the same words whether the account exists or not, and whatever was sent
        dispatcher.utter_message(response="utter_resend_sent", **facts)
    if result.done and not result.mail_sent_now and sees_account:
        dispatcher.utter_message(response="utter_mail_queued")


def resend(dispatcher: CollectingDispatcher, tracker: Tracker, login: str | None) -> list[dict[str, Any]]:
    """`resend_activation`: the activation mail for an account never activated, else the validation link."""
    if not login:
        dispatcher.utter_message(response="utter_ask_username")
        return []
    actor = actor_of(tracker)
    ops = services.operations()
    account = services.get().directory.find_account(login)
    if account is not None and account.state in (AccountState.PROVISIONAL, AccountState.RESET):
        result = ops.resend_activation_mail(actor, channel_of(tracker), login)
        _tell_sent(dispatcher, tracker, result, actor, login, activation_mail=True)
    else:
        result = ops.resend_validation_link(actor, channel_of(tracker), login)
        _tell_sent(dispatcher, tracker, result, actor, login)
    return [SlotSet("proposed_operation", None), SlotSet("problem", None)]


class ActionResend(Action):
    def name(self) -> str:
        return "action_resend"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return resend(dispatcher, tracker, clean_login(tracker.get_slot("username")))


def _confirm(dispatcher: CollectingDispatcher, text: str, yes: str) -> None:
    dispatcher.utter_message(
        text=text, buttons=[{"title": yes, "payload": "/affirm"}, {"title": "Annuler", "payload": "/deny"}]
    )


def _may_act_on(dispatcher: CollectingDispatcher, actor: Actor, permission: Permission, target: str) -> bool:
    """Whether `actor` may apply `permission` to the account `target`; says why not when not.

    Who may administer at all is checked before the (rate-limited) look-up, so that a chat that may not act
    gets the same answer whether the account exists or not; an ADML reads the same refusal for an unknown
    login as for another school's account, whatever its state.
    """
    decision = may_administer(actor)
    if decision.allowed:
        try:
            account = services.operations().lookup(actor, target)
        except LookupLimited:
            dispatcher.utter_message(response="utter_lookup_limited")
            return False
        if account is None and not actor.is_agent:
            decision = Decision(False, "other_school")
        else:
            decision = authorise(actor, permission, account)
    if decision.reason in FOR_SUPPORT:
        dispatcher.utter_message(response="utter_adml_account_to_support")
    elif not decision.allowed:
        dispatcher.utter_message(text=refusal(decision.reason))
    return decision.allowed


class ActionRequestReset(Action):
    """An ADML or agent asks to reset an account; a user asks for their own reset (sent to their ADMLs)."""

    def name(self) -> str:
        return "action_request_reset"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        actor = actor_of(tracker)
        target = clean_login(_entity(tracker, "username"))
        own = actor.linked_account.login if actor.linked_account else None
        if target and target != own and may_administer(actor).allowed:
            if not _may_act_on(dispatcher, actor, Permission.RESET_PASSWORD, target):
                return [SlotSet("proposed_operation", None)]
            _confirm(
                dispatcher,
                f"Confirmez-vous la réinitialisation du mot de passe de {target} ? Un mot de passe provisoire vous "
                "sera affiché une seule fois ; l'utilisateur devra réactiver son compte.",
                "Confirmer la réinitialisation",
            )
            return [SlotSet("proposed_operation", "reset_password"), SlotSet("operation_target", target)]
        if own is None:
            dispatcher.utter_message(
                text=(
                    "Seul l'administrateur ENT (ADML) de votre établissement peut réinitialiser un mot de passe. "
                    "Pour lui transmettre votre demande, je dois d'abord vérifier que le compte est le vôtre : "
                    "je vous enverrai un code sur votre messagerie ENT ou votre adresse de secours validée."
                ),
                buttons=[
                    {"title": "Vérifier mon compte", "payload": "/link_account"},
                    {"title": "Parler à un conseiller", "payload": "/escalate_human"},
                ],
            )
            return [SlotSet("proposed_operation", None)]
        if target and target != own:  # another person's login, from someone who may not administer it
            dispatcher.utter_message(response="utter_reset_own_account_only")
            return [SlotSet("proposed_operation", None)]
        if actor.linked_account is not None and actor.linked_account.adml_of:  # an ADML's own account
            dispatcher.utter_message(response="utter_adml_account_to_support")
            return [SlotSet("proposed_operation", None)]
        _confirm(
            dispatcher,
            f"Je peux transmettre votre demande de réinitialisation pour {own} à l'administrateur ENT de votre "
            "établissement. Il vous remettra un nouveau mot de passe provisoire. Voulez-vous que je la transmette ?",
            "Oui, transmettre",
        )
        return [SlotSet("proposed_operation", "notify_adml"), SlotSet("operation_target", own)]


class ActionUnlock(Action):
    def name(self) -> str:
        return "action_unlock"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        actor = actor_of(tracker)
        # the account named, else ("débloquez-le") the one the conversation is about; confirmed by name either way
        target = clean_login(_entity(tracker, "username")) or clean_login(tracker.get_slot("username"))
        if not target:
            dispatcher.utter_message(
                text="Précisez l'identifiant du compte à débloquer, par exemple /debloquer marie.dupont."
            )
            return []
        if not _may_act_on(dispatcher, actor, Permission.UNLOCK_ACCOUNT, target):
            return [SlotSet("proposed_operation", None)]
        _confirm(dispatcher, f"Confirmez-vous le déblocage du compte {target} ?", "Confirmer le déblocage")
        return [SlotSet("proposed_operation", "unlock_account"), SlotSet("operation_target", target)]


def show_provisional_password(dispatcher: CollectingDispatcher, login: str, password: str) -> None:
    dispatcher.utter_message(
        text=(
            f"Le mot de passe de {login} est réinitialisé. Mot de passe provisoire : {password}\n"
            "Il n'est affiché qu'une fois et ce message sera effacé : remettez-le à l'utilisateur, qui devra "
            "réactiver son compte (« Mon compte a été réinitialisé » sur netocentre, une nouvelle première "
            "connexion sur MonLycée.net)."
        ),
        json_message=SENSITIVE,
    )


class ActionAffirm(Action):
    """ "Oui": performs the operation proposed in the previous turn, if any."""

    def name(self) -> str:
        return "action_affirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        proposed = tracker.get_slot("proposed_operation")
        target = tracker.get_slot("operation_target")
        clear = [SlotSet("proposed_operation", None)]
        if not proposed:
            second = tracker.get_slot("second_intent")
            if second:
                return [FollowupAction("action_offer_second_intent")]
            dispatcher.utter_message(response="utter_ok")
            return clear
        actor = actor_of(tracker)
        ops = services.operations()
        channel = channel_of(tracker)
        if proposed == "create_ticket":
            return clear + [FollowupAction("action_create_ticket")]
        if proposed in ("resend_validation_link", "resend_activation_mail"):
            perform = ops.resend_validation_link if proposed == "resend_validation_link" else ops.resend_activation_mail
            result = perform(actor, channel, target)
            _tell_sent(dispatcher, tracker, result, actor, target, activation_mail=proposed == "resend_activation_mail")
            return clear
        if proposed == "notify_adml":
            result = ops.notify_adml(actor, channel, target)
            if result.done:
                dispatcher.utter_message(
                    text=(
                        f"Votre demande n°{result.reference} est transmise à l'administrateur ENT de votre "
                        "établissement. Vous serez prévenu ici de sa réponse."
                    )
                )
            elif result.reason == "not_linked" or result.reason == "not_your_account":
                dispatcher.utter_message(
                    text=refusal(result.reason),
                    buttons=[{"title": "Vérifier mon compte", "payload": "/link_account"}],
                )
            elif result.status == RATE_LIMITED:
                dispatcher.utter_message(response="utter_rate_limited")
            else:
                dispatcher.utter_message(
                    text=refusal(result.reason),
                    buttons=[{"title": "Parler à un conseiller", "payload": "/escalate_human"}],
                )
            return clear
        if proposed == "reset_password":
            result = ops.reset_password(actor, channel, target)
            if result.done and result.provisional_password:
                show_provisional_password(dispatcher, target, result.provisional_password)
            else:
                dispatcher.utter_message(text=refusal(result.reason or "directory_down"))
            return clear
        if proposed == "unlock_account":
            result = ops.unlock_account(actor, channel, target)
            dispatcher.utter_message(
                text=f"Le compte {target} est débloqué." if result.done else refusal(result.reason)
            )
            return clear
        dispatcher.utter_message(response="utter_ok")
        return clear


class ActionDeny(Action):
    def name(self) -> str:
        return "action_deny"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_ok")
        return [SlotSet("proposed_operation", None), SlotSet("operation_target", None), SlotSet("second_intent", None)]


class ActionDecideReset(Action):
    """An ADML's Accepter / Refuser on a user's reset request."""

    def name(self) -> str:
        return "action_decide_reset"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        raw = _entity(tracker, "request_id") or tracker.get_slot("request_id")
        try:
            request_id = int(raw)
        except (TypeError, ValueError):
            dispatcher.utter_message(text="Je ne trouve pas cette demande.")
            return []
        approved = (tracker.latest_message.get("intent") or {}).get("name") == "approve_reset"
        result = services.operations().decide_reset_request(
            actor_of(tracker), channel_of(tracker), request_id, approved
        )
        request = services.get().reset_requests.get(request_id)
        if result.status == DONE and approved and result.provisional_password and request:
            show_provisional_password(dispatcher, request.login, result.provisional_password)
        elif result.status == DONE:
            dispatcher.utter_message(text=f"La demande n°{request_id} est refusée ; l'utilisateur en est informé.")
        elif result.reason and result.reason.startswith("already_"):
            dispatcher.utter_message(text=f"La demande n°{request_id} a déjà été traitée.")
        elif result.reason in FOR_SUPPORT:
            dispatcher.utter_message(response="utter_adml_account_to_support")
        else:
            dispatcher.utter_message(text=refusal(result.reason))
        return [SlotSet("request_id", None)]


class ActionListUnactivated(Action):
    """The accounts still to activate of a school: an ADML's own schools (or one of them, named), or the
    school an agent names (`/nonactives 0750001A`)."""

    def name(self) -> str:
        return "action_list_unactivated"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        s = services.get()
        actor = actor_of(tracker)
        named = _entity(tracker, "uai")
        uai = str(named).strip().upper() if named else None
        if actor.is_agent:
            if not uai:
                dispatcher.utter_message(response="utter_ask_school_for_list")
                return []
            if not UAI.match(uai) or s.directory.find_establishment(uai) is None:
                dispatcher.utter_message(response="utter_unknown_school")
                return []
            schools = [uai]
        else:
            administered = list(actor.linked_account.adml_of) if actor.linked_account else []
            if not administered:
                dispatcher.utter_message(text=refusal("not_adml"))
                return []
            if uai and uai not in administered:  # the same words for another school and for no school
                dispatcher.utter_message(text=refusal("other_school"))
                return []
            schools = [uai] if uai else administered
        lines: list[str] = []
        rows = ["uai;identifiant;prenom;nom;profil;etat;mot_de_passe_provisoire_du"]
        for school in schools:
            if not authorise(actor, Permission.LIST_UNACTIVATED, None, school_uai=school).allowed:
                continue
            pending = [
                a
                for a in s.directory.accounts_of_school(school)
                if a.state in (AccountState.PROVISIONAL, AccountState.RESET)
            ]
            lines.append(f"Établissement {school} : {len(pending)} compte(s) à activer")
            for account in pending:
                issued = format_local(account.provisional_issued_at) if account.provisional_issued_at else ""
                label = "réinitialisé" if account.state is AccountState.RESET else "jamais activé"
                lines.append(f"- {account.login} ({label}{', mot de passe provisoire du ' + issued if issued else ''})")
                rows.append(
                    ";".join(
                        _csv_cell(v)
                        for v in (
                            school,
                            account.login,
                            account.given_name or "",
                            account.family_name or "",
                            account.profile.value,
                            label,
                            issued,
                        )
                    )
                )
        document = {"filename": f"comptes-non-actives-{'-'.join(schools)}.csv", "content": "\n".join(rows) + "\n"}
        dispatcher.utter_message(
            text="\n".join(lines) or "Aucun compte à activer.", json_message={"document": document}
        )
        return []


FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def _csv_cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula, nor split into other cells or rows.

    A value whose first character, or first after spaces, can start a formula (= + - @, tab, CR, LF and
    their full-width forms) gets a leading apostrophe; a value holding ; " CR or LF is quoted.
    """
    if value[:1] in FORMULA_LEADS or value.lstrip(" ")[:1] in FORMULA_LEADS:
        value = "'" + value
    if any(c in value for c in ';"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value
