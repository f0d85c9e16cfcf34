"""CESAME local (NoCAS) account eligibility: profile first, then the school when it matters."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.common import actor_of, clean_login
from bot.core.accounts import AccountSource, AccountState, Profile
from bot.core.eligibility import nocas_eligibility
from bot.core.schools import is_clear_match, school_matches, school_phrase
from bot.operations import LookupLimited

NO_SCHOOL = "-"


def school_label(establishment: Any) -> str:
    """A button title for a school: its name and town (titles are at most 64 characters)."""
    label = establishment.name + (f" ({establishment.city})" if getattr(establishment, "city", None) else "")
    return label[:64]


PROFILES_WITHOUT_SCHOOL = {Profile.CRIDF, Profile.CRIDF_CONTRACTOR, Profile.SCHOOL_CONTRACTOR, Profile.DSI_ACADEMIQUE}

REASONS: dict[str, str] = {
    "school_signed_ent_agreement": "votre établissement a signé la convention ENT",
    "school_without_ent_agreement": "votre établissement n'a pas signé la convention ENT, un compte local temporaire est possible",
    "cridf_staff": "les agents de la Région (CRIDF) peuvent en bénéficier",
    "cridf_contractor": "les prestataires du CRIDF peuvent en bénéficier",
    "school_contractor_validated_by_cridf": "les prestataires d'un établissement y ont droit si le CRIDF les a validés",
    "school_contractor_needs_cridf_validation": "pour un prestataire d'établissement, il faut la validation du CRIDF",
    "school_contractor_not_validated": "le CRIDF n'a pas validé votre prestation",
    "dsi_academique_under_arbitration": "le cas de la DSI académique est en cours d'arbitrage",
    "has_ent_account": "vous avez déjà un compte ENT",
    "profile_not_eligible": "votre profil n'y donne pas droit",
    "school_unknown": "je ne connais pas votre établissement",
}


class ValidateNocasForm(FormValidationAction):
    def name(self) -> str:
        return "validate_nocas_form"

    def validate_profile(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        try:
            profile = Profile(value)
        except ValueError:
            return {"profile": None}
        result: dict[str, Any] = {"profile": profile.value}
        linked = services.get().links.linked_login(tracker.sender_id)
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
        text = str(value or "").strip()
        if text == NO_SCHOOL:
            return {"school_ref": NO_SCHOOL}
        uai = next((e["value"] for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "uai"), None)
        if uai or (len(text) == 8 and text[:7].isdigit() and text[7].isalpha()):
            return {"school_ref": (uai or text).upper()}
        login = clean_login(text)
        if login:
            return {"school_ref": login}
        # a school given by its name and town ("lycée jean moulin à paris")
        found = services.get().directory.find_establishments(text)
        matches = school_matches(text, found)
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
        if not tracker.get_slot("school_ref"):  # a school named now wins over one named earlier
            phrase = school_phrase(str(tracker.latest_message.get("text") or ""))
            matches = school_matches(phrase, services.get().directory.find_establishments(phrase)) if phrase else []
            if matches and is_clear_match(matches):
                events.append(SlotSet("uai", matches[0].establishment.uai))
        if events:  # the validators below read the school from this tracker, as if the user had typed its code
            tracker.slots["uai"] = events[0]["value"]
        if login and not tracker.get_slot("profile") and not tracker.get_slot("school_ref"):
            try:
                account = services.operations().lookup(actor_of(tracker), login)
            except LookupLimited:
                account = None
            if account is not None:
                return [SlotSet("profile", account.profile.value), SlotSet("school_ref", account.login)]
        return events + await super().run(dispatcher, tracker, domain)


class ActionCheckNocas(Action):
    def name(self) -> str:
        return "action_check_nocas"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        s = services.get()
        profile = Profile(tracker.get_slot("profile"))
        ref = tracker.get_slot("school_ref") or NO_SCHOOL
        establishment = None
        has_ent_account = False
        if ref != NO_SCHOOL and "." in ref:
            account = s.directory.find_account(ref)
            if account is not None:
                has_ent_account = account.source is AccountSource.ENT and account.state is not AccountState.DISABLED
                establishment = s.directory.find_establishment(account.uai) if account.uai else None
        elif ref != NO_SCHOOL:
            establishment = s.directory.find_establishment(ref)
        result = nocas_eligibility(profile, establishment, has_ent_account)
        dispatcher.utter_message(
            response=f"utter_nocas_{result.code.value}", reason_text=REASONS.get(result.reason, result.reason)
        )
        return [SlotSet("diagnosis", result.code.value), SlotSet("school_ref", None)]
