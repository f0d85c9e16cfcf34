"""Helpers shared by the actions: who is talking, which ENT, how to word a refusal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa_sdk import Tracker

from actions import services
from bot.core.accounts import Account
from bot.core.authz import Actor
from bot.core.identifiers import as_login
from bot.core.schools import is_clear_match, school_matches, school_phrase

INTENT_LABELS: dict[str, str] = {
    "ask_activation_howto": "Activer mon compte",
    "lost_provisional_credentials": "Je n'ai pas mes identifiants",
    "cannot_login": "Je n'arrive pas à me connecter",
    "link_expired": "Mon lien a expiré",
    "validation_mail_missing": "Je n'ai pas reçu le mail de validation",
    "account_reset_done": "Mon compte a été réinitialisé",
    "vacation_freeze": "Coupure pendant les vacances",
    "cesame_access": "Accéder à CESAME",
    "nocas_eligibility": "Compte local CESAME (sans ENT)",
    "password_rules": "Règles du mot de passe",
    "change_backup_email": "Changer mon adresse de secours",
    "request_reset": "Réinitialiser mon mot de passe",
    "resend_activation": "Renvoyer le mail d'activation",
    "escalate_human": "Parler à un conseiller",
    "ticket_status": "Suivre ma demande",
    "ask_ent_mail_address": "Mon adresse mail ENT",
    "ask_account_origin": "Qui crée les comptes ENT",
    "link_account": "Vérifier mon compte",
}

REFUSALS: dict[str, str] = {
    "not_linked": "je dois d'abord vérifier que ce compte est le vôtre (commande /lier)",
    "not_your_account": "ce compte n'est pas celui qui est vérifié pour cette conversation",
    "not_adml": "seul un administrateur ENT (ADML) de l'établissement ou le support peut le faire",
    "other_school": "ce compte n'appartient pas à votre établissement",
    "no_address_on_file": "aucune adresse n'est enregistrée pour ce compte",
    "already_validated": "l'adresse de secours de ce compte est déjà validée",
    "account_disabled": "ce compte est désactivé",
    "not_provisional": "ce compte est déjà activé",
    "unknown_account": "je ne trouve pas ce compte",
    "agents_only": "c'est réservé à l'équipe support",
    "no_school": "ce compte n'est rattaché à aucun établissement",
    "not_locked": "ce compte n'est pas bloqué",
    "already_pending": "une demande est déjà en attente pour ce compte",
    "no_adml_reachable": "aucun administrateur ENT de votre établissement n'est joignable par ce service",
    "directory_down": "l'annuaire ne répond pas pour le moment",
    "own_account": "on ne peut pas agir soi-même sur son propre compte : le support doit le faire",
    "adml_account": "le compte d'un administrateur ENT ne peut être réinitialisé ou débloqué que par le support",
    "own_request": "on ne peut pas accepter sa propre demande : un autre administrateur ENT de l'établissement ou le support doit le faire",
}


def refusal(reason: str | None) -> str:
    return "Je ne peux pas le faire : " + REFUSALS.get(reason or "", "cette opération n'est pas autorisée") + "."


def channel_of(tracker: Tracker) -> str:
    return tracker.sender_id.split(":", 1)[0] if ":" in tracker.sender_id else "unknown"


def actor_of(tracker: Tracker) -> Actor:
    """Who writes: the chat, its link, and the client address the channel passed in the message's metadata."""
    metadata = tracker.latest_message.get("metadata") or {}
    address = metadata.get("client_address") if isinstance(metadata, dict) else None
    return services.get().actor(tracker.sender_id, address if isinstance(address, str) else None)


def login_patterns() -> tuple[str, ...]:
    """Every configured tenant's identifier formats (`tenants.*.login_patterns`), each once, in order."""
    return services.get().config.login_patterns()


def clean_login(value: Any, patterns: Iterable[str] | None = None) -> str | None:
    """The identifier `value` holds, in any tenant's format (`bot.core.identifiers.as_login`), or None."""
    return as_login(value, login_patterns() if patterns is None else patterns)


def known_tenant(tracker: Tracker, account: Account | None = None) -> str | None:
    """The user's ENT: the slot, else the account's school, else the school code, else the linked account."""
    s = services.get()
    tenant = tracker.get_slot("tenant")
    if tenant in s.config.tenants:
        return tenant
    if account is not None:
        tenant = s.tenant_of(account)
        if tenant:
            return tenant
    uai = tracker.get_slot("uai")
    if uai:
        establishment = s.directory.find_establishment(uai)
        tenant = establishment.tenant if establishment else s.config.tenant_for_uai(uai)
        if tenant:
            return tenant
    tenant = _tenant_of_school_named(str(tracker.latest_message.get("text") or ""))
    if tenant:
        return tenant
    linked = s.links.linked_login(tracker.sender_id)
    if linked:
        found = s.directory.find_account(linked)
        return s.tenant_of(found) if found else None
    return None


def _tenant_of_school_named(text: str) -> str | None:
    """The ENT of the one school the message names by name and town ("il est au lycée camille pissarro à pontoise")."""
    phrase = school_phrase(text)
    if not phrase:
        return None
    matches = school_matches(phrase, services.get().directory.find_establishments(phrase))
    return matches[0].establishment.tenant if matches and is_clear_match(matches) else None


def format_local(value: Any) -> str:
    """An aware datetime or a date as French people read it: `25/11/2026 à 14h05`, `21/08/2026`."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        local = value.astimezone(services.get().timezone)
        return local.strftime("%d/%m/%Y à %Hh%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)
