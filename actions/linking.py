"""Linking a chat to an ENT identity: the ENT's own login (CAS) where the tenant has one, else a one-time code
sent to an address on file.

When the user's ENT is known and has a CAS, the link form ends at once on a "Se connecter avec l'ENT" link
button: the login completes outside the conversation (`bot.services.cas_login`), which tells the chat. When the
ENT is not known yet, the assistant offers a login button for each ENT with a CAS and asks for the identifier
for a code, so that a user of an ENT without CAS goes on as before.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.common import Events, NamedAction, actor_of, channel_of, clean_login, known_tenant
from bot.services.cas_login import CasLogin
from bot.services.operations import RATE_LIMITED
from bot.storage.links import LinkMethod
from bot.texts import text

# why a typed code was refused, and what is said (the code is then given up)
CODE_RESPONSES = {
    "expired": "utter_link_code_expired",
    "too_many_attempts": "utter_link_code_too_many_attempts",
    "no_code": "utter_link_code_none",
}


FORM_ENDS = [SlotSet("link_login", None), ActiveLoop(None), SlotSet("requested_slot", None)]


def cas_buttons(tracker: Tracker, tenants: list[str], by_region: bool) -> list[dict[str, str]] | None:
    """One link button to each tenant's CAS login for this chat, titled with the ENT's region when the ENT is not
    known yet; None when the chat was offered too many logins."""
    services, login = context.services(), CasLogin(context.services())
    buttons = []
    for tenant in tenants:
        offer = login.offer(actor_of(tracker), channel_of(tracker), tenant)
        if offer is None:
            return None
        region = services.tenant_facts(tenant)["ent_region"]
        title = text("button_cas_login_of", ent_region=region) if by_region else text("button_cas_login")
        buttons.append({"title": title, "url": offer.url})
    return buttons


def offer_cas(dispatcher: CollectingDispatcher, tracker: Tracker, tenant: str) -> Events:
    """End the link form on a button to the tenant's CAS login: the login tells the chat when it is done."""
    buttons = cas_buttons(tracker, [tenant], by_region=False)
    minutes = context.services().config.linking.cas_login_minutes
    if buttons is None:
        dispatcher.utter_message(response="utter_cas_logins_limited", minutes=minutes)
    else:
        facts = context.services().tenant_facts(tenant)
        dispatcher.utter_message(
            response="utter_link_with_ent", buttons=buttons, ent_name=facts["ent_name"], minutes=minutes
        )
    return FORM_ENDS


def linked_by_cas_since_asked(tracker: Tracker) -> str | None:
    """The login the chat was linked to by the ENT's login since the form asked for an identifier, if it was."""
    asked = next(
        (
            float(event.get("timestamp") or 0)
            for event in reversed(tracker.events)
            if event.get("event") == "action" and event.get("name") == ActionAskLinkLogin.NAME
        ),
        None,
    )
    link = context.services().links.link_of(tracker.sender_id)
    if asked is None or link is None or link.method is not LinkMethod.CAS or link.linked_at is None:
        return None
    return link.login if link.linked_at.timestamp() >= asked else None


class ValidateLinkForm(NamedAction):
    """Offers the ENT's login when the user's ENT has one; otherwise sends the code once the identifier is known,
    then checks what the user types."""

    NAME = "validate_link_form"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        requested = tracker.get_slot("requested_slot")
        with_cas = context.services().config.cas_tenants()
        if with_cas and requested == "link_login" and (cas_login := linked_by_cas_since_asked(tracker)):
            # the form asked for an identifier beside the ENT's login buttons, and the user used one meanwhile
            dispatcher.utter_message(response="utter_link_done_by_cas", link_login=cas_login)
            return FORM_ENDS
        if with_cas and requested != "link_code" and (tenant := known_tenant(tracker)) in with_cas:
            assert tenant is not None
            return offer_cas(dispatcher, tracker, tenant)
        login = clean_login(tracker.get_slot("link_login") or tracker.get_slot("username"))
        if requested != "link_code":
            if not login:
                return [SlotSet("link_login", None)]
            result = context.operations().start_link(actor_of(tracker), channel_of(tracker), login)
            if result.status == RATE_LIMITED:
                dispatcher.utter_message(response="utter_rate_limited")
                return [SlotSet("link_login", None), ActiveLoop(None), SlotSet("requested_slot", None)]
            settings = context.services().config.linking
            dispatcher.utter_message(
                response="utter_link_code_sent", minutes=settings.code_ttl_minutes, digits=settings.code_digits
            )
            return [SlotSet("link_login", login), SlotSet("link_code", None)]
        code = "".join(ch for ch in str(tracker.get_slot("link_code") or "") if ch.isdigit())
        result, linked = context.operations().complete_link(actor_of(tracker), channel_of(tracker), code)
        if result.done:
            return [SlotSet("link_login", linked), SlotSet("link_code", "ok")]
        if result.reason == "wrong":
            dispatcher.utter_message(response="utter_link_code_wrong")
            return [SlotSet("link_code", None)]
        dispatcher.utter_message(response=CODE_RESPONSES.get(result.reason or "", CODE_RESPONSES["no_code"]))
        return [
            SlotSet("link_code", None),
            SlotSet("link_login", None),
            ActiveLoop(None),
            SlotSet("requested_slot", None),
        ]


class ActionAskLinkLogin(NamedAction):
    """Asks for the identifier the code is sent for; while the ENT is not known, offers beside it the login of
    each ENT that has a CAS (an ENT known to have one never gets here: the form ended on its login)."""

    NAME = "action_ask_link_login"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        with_cas = context.services().config.cas_tenants()
        buttons = cas_buttons(tracker, with_cas, by_region=True) if with_cas and not known_tenant(tracker) else None
        if not buttons:
            dispatcher.utter_message(response="utter_ask_link_login")
            return []
        names = text("cas_names_separator").join(context.services().tenant_facts(t)["ent_name"] for t in with_cas)
        dispatcher.utter_message(response="utter_ask_link_login_or_ent", buttons=buttons, cas_ent_names=names)
        return []


class ActionLinkDone(NamedAction):
    NAME = "action_link_done"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        login = tracker.get_slot("link_login")
        dispatcher.utter_message(response="utter_link_done", link_login=login)
        return [SlotSet("username", login), SlotSet("link_code", None)]


class ActionUnlink(NamedAction):
    NAME = "action_unlink"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        removed = context.operations().unlink(actor_of(tracker), channel_of(tracker))
        dispatcher.utter_message(response="utter_unlinked" if removed else "utter_not_linked")
        return [SlotSet("link_login", None)]
