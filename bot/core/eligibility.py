"""CESAME local (NoCAS) account eligibility, as seed 000 states it.

Two ways to identify on CESAME: the ENT account (CAS) — the rule for schools that signed the ENT
agreement — and, by exception, a local account. Local accounts are for: schools without the ENT
agreement (temporary, regulated), CRIDF (Région) staff, CRIDF contractors, school contractors validated
by the CRIDF. DSI académique staff: under arbitration. Anyone with an ENT account uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.accounts import Establishment, Profile
from bot.core.diagnosis import DiagnosisCode, NextStep

SCHOOL_PROFILES = frozenset({Profile.STUDENT, Profile.PARENT, Profile.TEACHER, Profile.STAFF})
PROFILES_WITHOUT_SCHOOL = frozenset(
    {Profile.CRIDF, Profile.CRIDF_CONTRACTOR, Profile.SCHOOL_CONTRACTOR, Profile.DSI_ACADEMIQUE}
)
"""Profiles whose eligibility never depends on a school: no school is asked, none is checked. A profile entity's
value ("school_contractor") is found in it as such (`Profile` is a `StrEnum`)."""


@dataclass(frozen=True)
class Eligibility:
    code: DiagnosisCode
    next_step: NextStep
    reason: str


def _eligible(reason: str) -> Eligibility:
    return Eligibility(DiagnosisCode.NOCAS_ELIGIBLE, NextStep.CONTACT_SCHOOL, reason)


def _not_eligible(reason: str) -> Eligibility:
    return Eligibility(DiagnosisCode.NOCAS_NOT_ELIGIBLE, NextStep.FIRST_LOGIN, reason)


def nocas_eligibility(
    profile: Profile,
    establishment: Establishment | None,
    has_ent_account: bool,
    contractor_validated_by_cridf: bool | None = None,
) -> Eligibility:
    """Whether `profile` may get a CESAME local account; `reason` is a key the actions word in French."""
    if has_ent_account:
        return _not_eligible("has_ent_account")
    if profile is Profile.DSI_ACADEMIQUE:
        return Eligibility(
            DiagnosisCode.NOCAS_PENDING_ARBITRATION, NextStep.TALK_TO_HUMAN, "dsi_academique_under_arbitration"
        )
    if profile is Profile.CRIDF:
        return _eligible("cridf_staff")
    if profile is Profile.CRIDF_CONTRACTOR:
        return _eligible("cridf_contractor")
    if profile is Profile.SCHOOL_CONTRACTOR:
        return _school_contractor(contractor_validated_by_cridf)
    if profile in SCHOOL_PROFILES:
        return _school_member(establishment)
    return _not_eligible("profile_not_eligible")


def _school_contractor(validated_by_cridf: bool | None) -> Eligibility:
    """A school's contractor needs the CRIDF's validation (`None`: not known yet)."""
    if validated_by_cridf is None:
        return _eligible("school_contractor_needs_cridf_validation")
    if validated_by_cridf:
        return _eligible("school_contractor_validated_by_cridf")
    return _not_eligible("school_contractor_not_validated")


def _school_member(establishment: Establishment | None) -> Eligibility:
    """A student, parent, teacher or staff member: only where the school has not signed the ENT agreement."""
    if establishment is None:
        return Eligibility(DiagnosisCode.NEEDS_HUMAN, NextStep.CONTACT_SCHOOL, "school_unknown")
    if establishment.ent_convention:
        return _not_eligible("school_signed_ent_agreement")
    return _eligible("school_without_ent_agreement")
