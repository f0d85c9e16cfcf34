"""NoCAS (CESAME local account) eligibility, rule by rule from seed 000."""

from __future__ import annotations

import pytest

from bot.core.accounts import Establishment, Profile
from bot.core.diagnosis import DiagnosisCode, NextStep
from bot.core.eligibility import Eligibility, nocas_eligibility

SIGNED = Establishment("0750001A", "Lycée Jean Moulin", "monlycee", ent_convention=True)
UNSIGNED = Establishment("0931234B", "Lycée Paul Éluard", "monlycee", ent_convention=False)


@pytest.mark.parametrize("profile", [Profile.TEACHER, Profile.STAFF, Profile.STUDENT, Profile.PARENT])
def test_school_that_signed_the_agreement_must_use_the_ent(profile: Profile) -> None:
    result = nocas_eligibility(profile, SIGNED, has_ent_account=False)
    assert (result.code, result.reason) == (DiagnosisCode.NOCAS_NOT_ELIGIBLE, "school_signed_ent_agreement")


def test_school_without_the_agreement_gets_a_temporary_local_account() -> None:
    result = nocas_eligibility(Profile.STAFF, UNSIGNED, has_ent_account=False)
    assert (result.code, result.reason) == (DiagnosisCode.NOCAS_ELIGIBLE, "school_without_ent_agreement")


def test_unknown_school_needs_a_human() -> None:
    assert nocas_eligibility(Profile.STAFF, None, has_ent_account=False).code is DiagnosisCode.NEEDS_HUMAN


@pytest.mark.parametrize(
    ("profile", "reason"), [(Profile.CRIDF, "cridf_staff"), (Profile.CRIDF_CONTRACTOR, "cridf_contractor")]
)
def test_region_staff_and_its_contractors_are_eligible(profile: Profile, reason: str) -> None:
    result = nocas_eligibility(profile, None, has_ent_account=False)
    assert (result.code, result.reason) == (DiagnosisCode.NOCAS_ELIGIBLE, reason)


@pytest.mark.parametrize(
    ("validated", "code", "reason"),
    [
        (True, DiagnosisCode.NOCAS_ELIGIBLE, "school_contractor_validated_by_cridf"),
        (None, DiagnosisCode.NOCAS_ELIGIBLE, "school_contractor_needs_cridf_validation"),
        (False, DiagnosisCode.NOCAS_NOT_ELIGIBLE, "school_contractor_not_validated"),
    ],
)
def test_school_contractor_only_when_validated_by_cridf(
    validated: bool | None, code: DiagnosisCode, reason: str
) -> None:
    result = nocas_eligibility(Profile.SCHOOL_CONTRACTOR, UNSIGNED, False, contractor_validated_by_cridf=validated)
    assert (result.code, result.reason) == (code, reason)


def test_dsi_academique_is_pending_arbitration() -> None:
    result = nocas_eligibility(Profile.DSI_ACADEMIQUE, None, has_ent_account=False)
    assert result.code is DiagnosisCode.NOCAS_PENDING_ARBITRATION


@pytest.mark.parametrize("profile", list(Profile))
def test_an_existing_ent_account_always_wins(profile: Profile) -> None:
    result = nocas_eligibility(profile, UNSIGNED, has_ent_account=True)
    assert (result.code, result.reason) == (DiagnosisCode.NOCAS_NOT_ELIGIBLE, "has_ent_account")


@pytest.mark.parametrize("profile", [Profile.OTHER, Profile.ENT_SUPPORT])
def test_other_profiles_are_not_eligible(profile: Profile) -> None:
    assert nocas_eligibility(profile, UNSIGNED, False).reason == "profile_not_eligible"


@pytest.mark.parametrize(
    ("profile", "school", "has_ent", "validated", "expected"),
    [
        (
            Profile.STUDENT,
            SIGNED,
            True,
            None,
            (DiagnosisCode.NOCAS_NOT_ELIGIBLE, NextStep.FIRST_LOGIN, "has_ent_account"),
        ),
        (
            Profile.DSI_ACADEMIQUE,
            None,
            False,
            None,
            (DiagnosisCode.NOCAS_PENDING_ARBITRATION, NextStep.TALK_TO_HUMAN, "dsi_academique_under_arbitration"),
        ),
        (Profile.CRIDF, None, False, None, (DiagnosisCode.NOCAS_ELIGIBLE, NextStep.CONTACT_SCHOOL, "cridf_staff")),
        (Profile.TEACHER, None, False, None, (DiagnosisCode.NEEDS_HUMAN, NextStep.CONTACT_SCHOOL, "school_unknown")),
        (
            Profile.TEACHER,
            SIGNED,
            False,
            None,
            (DiagnosisCode.NOCAS_NOT_ELIGIBLE, NextStep.FIRST_LOGIN, "school_signed_ent_agreement"),
        ),
        (
            Profile.PARENT,
            UNSIGNED,
            False,
            None,
            (DiagnosisCode.NOCAS_ELIGIBLE, NextStep.CONTACT_SCHOOL, "school_without_ent_agreement"),
        ),
    ],
)
def test_the_whole_answer(
    profile: Profile,
    school: Establishment | None,
    has_ent: bool,
    validated: bool | None,
    expected: tuple[DiagnosisCode, NextStep, str],
) -> None:
    assert nocas_eligibility(profile, school, has_ent, validated) == Eligibility(*expected)
