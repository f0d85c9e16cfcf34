"""Two problems in one message: find the second one, so the assistant can offer it after the first."""

from __future__ import annotations

import re
from typing import Any

from bot.nlu.model import NluModel

# intents worth offering afterwards (a greeting or a "merci" in the same message is not a second problem)
PROBLEM_INTENTS = {
    "ask_activation_howto",
    "lost_provisional_credentials",
    "cannot_login",
    "link_expired",
    "validation_mail_missing",
    "account_reset_done",
    "vacation_freeze",
    "cesame_access",
    "nocas_eligibility",
    "password_rules",
    "change_backup_email",
    "request_reset",
    "resend_activation",
    "ticket_status",
    "ask_ent_mail_address",
    "ask_account_origin",
}
_SPLIT = re.compile(
    r"(?:[!?;\n]|\.(?!\w))+|\bet\s+(?:en\s+plus|aussi|puis|sinon|egalement|également)\b|\ben\s+plus\b|\baussi\b|\bpar\s+contre\b"
    r"|\bmais\b|\bet\s+(?=(?:je|j|mon|ma|mes|comment|ou|où|est|c|il|on|le|la|les|l|si|pour|cesame|faut|il\s+faut"
    r"|pk|pq|pourquoi|quand|combien|quel|quelle|quels|quelles|qui|que|qu|ca|ça)\b)",
    re.IGNORECASE,
)
MIN_CONFIDENCE = 0.5
# a clause asked as a question ("… ?") is a second question at a lower confidence than a problem stated
QUESTION_CONFIDENCE = 0.4
DATA_ENTITIES = {"username", "email", "uai"}
BARE_DATA_CONFIDENCE = 0.9
# a message holding an e-mail address is information given unless the classifier is quite sure of a problem:
# "send the link to x@y" must meet the refusal, and the typo-robust classifier is sharper than the one
# MIN_CONFIDENCE was set for (out of fold, 0.5 then answered as many utterances as 0.6 now)
EMAIL_MIN_CONFIDENCE = 0.8
# saying one is a contractor or Région staff raises the CESAME local-account question (seed 000)
CESAME_PROFILES = {"cridf", "cridf_contractor", "school_contractor", "dsi_academique"}


_WHAT_TO_DO = re.compile(
    r"^(?:que|qu['’ ]?est[- ]ce\s+qu(?:e\s+|['’ ]\s*)|quoi|comment)\s*(?:(?:je|il|elle|on)\s+)?"
    r"(?:(?:dois[- ]je|doit[- ](?:il|elle|on)|dois|doit|faut[- ]il|faut|il faut)\s+faire|fais|fait|faire)"
    r"(?:\s+maintenant|\s+alors|\s+du coup)?\s*\??$",
    re.IGNORECASE,
)
"""A clause that only asks what to do ("que doit-elle faire ?"): about the problem of the message, not a second one."""


def clauses_of(text: str) -> list[str]:
    """The clauses of a message that may each carry a problem ("… et en plus …", "… . …")."""
    clauses = [c.strip(" ,'’") for c in _SPLIT.split(text)]
    return [c for c in clauses if len(c.split()) >= 2]


def secondary_intent(model: NluModel, text: str, main_intent: str) -> dict[str, Any] | None:
    """The confident problem intent of another clause than the main one, if any."""
    clauses = clauses_of(text)
    if len(clauses) < 2:
        return None
    floor = QUESTION_CONFIDENCE if "?" in text else MIN_CONFIDENCE
    for clause in clauses:
        if _WHAT_TO_DO.match(clause):
            continue
        name, confidence = model.rank(clause)[0]
        profiles = {e.value for e in model.extractor.extract(clause) if e.entity == "profile"}
        if profiles & CESAME_PROFILES and main_intent != "nocas_eligibility":
            return {"name": "nocas_eligibility", "confidence": round(max(confidence, MIN_CONFIDENCE), 4)}
        if name != main_intent and name in PROBLEM_INTENTS and confidence >= floor:
            return {"name": name, "confidence": round(confidence, 4)}
    return None


def _is_bare_data(text: str, entities: list[dict[str, Any]]) -> bool:
    """A message with an e-mail address, or little more than an identifier or a school code (≤ 3 other words)."""
    data = [e for e in entities if e["entity"] in DATA_ENTITIES]
    if not data:
        return False
    if any(e["entity"] == "email" for e in data):
        return True  # an address typed in the chat is always information given, never a request to use it
    rest = text
    for entity in sorted(data, key=lambda e: e["start"], reverse=True):
        rest = rest[: entity["start"]] + " " + rest[entity["end"] :]
    return len(re.findall(r"\w+", rest)) <= 3


def parse_message(model: NluModel, text: str) -> dict[str, Any]:
    """Rasa's parse shape, plus an optional `secondary_intent` when the message holds a second problem.

    When the classifier is unsure of a message with several clauses, the first clause's confident problem
    is the main intent. When it is unsure, a message that is only data ("marie.dupont", "c'est 0751234A") is
    `inform`; so is one holding an e-mail address unless a problem is quite sure (`EMAIL_MIN_CONFIDENCE`): the
    assistant then says it never writes to a typed address.
    """
    parse = model.parse(text)
    if not text.lstrip().startswith("/"):
        has_email = any(e["entity"] == "email" for e in parse["entities"])
        bar = EMAIL_MIN_CONFIDENCE if has_email else MIN_CONFIDENCE
        if parse["intent"]["confidence"] < bar and _is_bare_data(text, parse["entities"]):
            parse["intent"] = {"name": "inform", "confidence": BARE_DATA_CONFIDENCE}
            others = [r for r in parse["intent_ranking"] if r["name"] != "inform"]
            parse["intent_ranking"] = [dict(parse["intent"]), *others]
        clauses = clauses_of(text)
        if parse["intent"]["confidence"] < MIN_CONFIDENCE and len(clauses) >= 2:
            # two problems split the classifier's belief: the first clause says what to deal with first
            name, confidence = model.rank(clauses[0])[0]
            if name in PROBLEM_INTENTS and confidence >= MIN_CONFIDENCE:
                parse["intent"] = {"name": name, "confidence": round(confidence, 4)}
                others = [r for r in parse["intent_ranking"] if r["name"] != name]
                parse["intent_ranking"] = [dict(parse["intent"]), *others]
        second = secondary_intent(model, text, parse["intent"]["name"])
        if second:
            parse["secondary_intent"] = second
    return parse
