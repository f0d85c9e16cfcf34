"""CESAME local (NoCAS) account eligibility: profile first, then the school when it matters."""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.common import Events, Named, NamedAction, actor_of, clean_login, entity, school_named_in
from bot.core.accounts import AccountSource, AccountState, Profile
from bot.core.eligibility import PROFILES_WITHOUT_SCHOOL, nocas_eligibility
from bot.core.schools import is_clear_match, school_matches, school_phrase
from bot.services.operations import LookupLimited
from bot.texts import text

NO_SCHOOL = "-"


def school_label(establishment: Any) -> str:
    """A button title for a school: its name and town (titles are at most 64 characters)."""
    label = establishment.name + (f" ({establishment.city})" if getattr(establishment, "city", None) else "")
    return label[:64]


class ValidateNocasForm(Named, FormValidationAction):
    """The profile, then the school when the profile depends on it (a code, an identifier, or a name and town)."""

    NAME = "validate_nocas_form"

    def validate_profile(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        try:
            profile = Profile(value)
        except ValueError:
            return {"profile": None}
        result: dict[str, Any] = {"profile": profile.value}
        linked = context.services().links.linked_login(tracker.sender_id)
        if profile in PROFILES_WITHOUT_SCHOOL:
            result["school_ref"] = NO_SCHOOL
        elif tracker.get_slot("uai"):
            result["school_ref"] = tracker.get_slot("uai")
        elif linked:
            result["school_ref"] = linked
        return result

    def validate_school_ref(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        typed = str(value or "").strip()
        if typed == NO_SCHOOL:
            return {"school_ref": NO_SCHOOL}
        uai = entity(tracker, "uai")
        if uai or (len(typed) == 8 and typed[:7].isdigit() and typed[7].isalpha()):
            return {"school_ref": (uai or typed).upper()}
        login = clean_login(typed)
        if login:
            return {"school_ref": login}
        # a school given by its name and town ("lycée jean moulin à paris"), perhaps in a sentence
        typed = school_phrase(typed) or typed
        found = context.services().directory.find_establishments(typed)
        matches = school_matches(typed, found)
        if matches and is_clear_match(matches):
            return {"school_ref": matches[0].establishment.uai}
        if matches:
            dispatcher.utter_message(
                response="utter_choose_school",
                buttons=[
                    {"title": school_label(m.establishment), "payload": f'/inform{{"uai": "{m.establishment.uai}"}}'}
                    for m in matches[:5]
                ],
            )
            return {"school_ref": None}
        dispatcher.utter_message(response="utter_school_not_found")
        return {"school_ref": None}

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """An identifier given with the question answers both slots: its profile, and the account itself; a
        school named in the question ("gestionnaire au lycée jean moulin à paris") answers the school."""
        login = clean_login(tracker.get_slot("username"))
        events: list[dict[str, Any]] = []
        school = school_named_in(str(tracker.latest_message.get("text") or ""))
        if school:
            uai = school.uai
            events.append(SlotSet("uai", uai))
            # the validators below read the school from this tracker, as if the user had typed its code
            tracker.slots["uai"] = uai
            if tracker.get_slot("school_ref") not in (None, NO_SCHOOL, uai):  # a school named now wins
                events.append(SlotSet("school_ref", uai))
                tracker.slots["school_ref"] = uai
        if login and not tracker.get_slot("profile") and not tracker.get_slot("school_ref"):
            try:
                account = context.operations().lookup(actor_of(tracker), login)
            except LookupLimited:
                account = None
            if account is not None:
                return [SlotSet("profile", account.profile.value), SlotSet("school_ref", account.login)]
        return events + await super().run(dispatcher, tracker, domain)


class ActionCheckNocas(NamedAction):
    NAME = "action_check_nocas"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        services = context.services()
        profile = Profile(tracker.get_slot("profile"))
        ref = tracker.get_slot("school_ref") or NO_SCHOOL
        establishment = None
        has_ent_account = False
        if ref != NO_SCHOOL and "." in ref:
            account = services.directory.find_account(ref)
            if account is not None:
                has_ent_account = account.source is AccountSource.ENT and account.state is not AccountState.DISABLED
                establishment = services.directory.find_establishment(account.uai) if account.uai else None
        elif ref != NO_SCHOOL:
            establishment = services.directory.find_establishment(ref)
        result = nocas_eligibility(profile, establishment, has_ent_account)
        dispatcher.utter_message(
            response=f"utter_nocas_{result.code.value}", reason_text=text(f"nocas_reason_{result.reason}")
        )
        return [SlotSet("diagnosis", result.code.value), SlotSet("school_ref", None)]
