"""The understanding step, pure: a parse and the conversation's context in, commands out (one test per command)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.core.accounts import LOGIN_PATTERN
from bot.core.identifiers import as_login
from bot.dialogue.commands import (
    AnswerSeveral,
    Clarify,
    ConfirmProposal,
    CorrectSlot,
    DenyProposal,
    Diagnose,
    DontKnow,
    FillSlot,
    FollowUp,
    HandOver,
    NoteTenant,
    RejectValue,
    SpeakFor,
    StartTopic,
)
from bot.dialogue.understanding import (
    DialogueContext,
    Understander,
    UnderstandingError,
    load_lexicon,
    parse_lexicon,
    third_person,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander(
        lexicon=load_lexicon(ROOT / "knowledge" / "understanding.yml"),
        is_confident=lambda parse: parse["intent"]["confidence"] >= 0.45,
        login_of=lambda text: as_login(text, [LOGIN_PATTERN]),
        answerable=frozenset(
            {
                "ask_activation_howto",
                "cesame_access",
                "password_rules",
                "vacation_freeze",
                "ask_ent_mail_address",
                "account_reset_done",
                "nocas_eligibility",
            }
        ),
    )


def parse(
    text: str,
    intent: str = "out_of_scope",
    confidence: float = 0.9,
    entities: list[dict[str, Any]] | None = None,
    ranking: list[str] | None = None,
    secondary: str | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": n, "confidence": 0.1} for n in (ranking or [intent])],
        "entities": entities or [],
    }
    if secondary:
        result["secondary_intent"] = {"name": secondary, "confidence": 0.8}
    return result


def username(value: str, text: str) -> list[dict[str, Any]]:
    start = text.index(value)
    return [{"entity": "username", "value": value, "start": start, "end": start + len(value)}]


PROPOSED = DialogueContext(
    pending_proposal="resend_validation_link", known_login="lucas.martin", diagnosis="link_expired"
)
ASKED_LOGIN = DialogueContext(requested_slot="username", active_form="diagnosis_form", topic="cannot_login")


@pytest.mark.parametrize(
    "text", ["ouais vas y envoie", "oui allez-y envoyez-le", "d'accord faites le", "ok", "oui svp merci"]
)
def test_a_yes_written_as_a_sentence_confirms_the_pending_proposal(understander: Understander, text: str) -> None:
    # the classifier may read it as thanks or as a new request: the pending proposal decides
    assert understander.understand(parse(text, "thanks", 0.7), PROPOSED).main == ConfirmProposal()


@pytest.mark.parametrize("text", ["non laissez tomber", "pas besoin merci", "non merci", "nan c bon laisse tomber"])
def test_a_no_written_as_a_sentence_denies_it(understander: Understander, text: str) -> None:
    assert understander.understand(parse(text, "thanks", 0.8), PROPOSED).main == DenyProposal()


def test_without_a_proposal_a_yes_is_not_a_confirmation(understander: Understander) -> None:
    assert understander.understand(parse("oui", "affirm", 0.95), DialogueContext()).main == StartTopic("affirm")


def test_a_typed_address_is_never_a_yes(understander: Understander) -> None:
    text = "oui mais envoyez sur lea@yahoo.fr"
    entities = [{"entity": "email", "value": "lea@yahoo.fr", "start": 21, "end": 33}]
    assert understander.understand(parse(text, "affirm", 0.9, entities), PROPOSED).main == StartTopic("inform")


def test_the_identifier_asked_for_fills_the_slot(understander: Understander) -> None:
    assert understander.understand(parse("marie.dupont2", "inform", 0.3), ASKED_LOGIN).main == FillSlot(
        "username", "marie.dupont2"
    )
    text = "c'est paul.martin"
    got = understander.understand(parse(text, "inform", 0.9, username("paul.martin", text)), ASKED_LOGIN)
    assert got.main == FillSlot("username", "paul.martin")


@pytest.mark.parametrize("text", ["jsp", "je l'ai pas", "je l'ai perdu", "c quoi ?", "aucune idée"])
def test_i_dont_know_instead_of_the_identifier(understander: Understander, text: str) -> None:
    assert understander.understand(parse(text, "deny", 0.4), ASKED_LOGIN).main == DontKnow("username")


def test_a_bare_word_that_is_not_an_identifier_is_rejected_and_hidden(understander: Understander) -> None:
    got = understander.understand(parse("Soleil2024", "out_of_scope", 0.3), ASKED_LOGIN)
    assert got.main == RejectValue("username", hide_text=True) and got.hide_text


def test_a_password_and_a_request_for_a_human_never_fill_the_identifier(understander: Understander) -> None:
    got = understander.understand(
        parse("mon mdp c'est Xk9!pz je veux parler à un conseiller", "escalate_human", 0.9), ASKED_LOGIN
    )
    assert got.commands == (HandOver(),)


def test_a_corrected_identifier_replaces_the_one_diagnosed(understander: Understander) -> None:
    text = "non pardon c'est paul.martin2"
    context = DialogueContext(known_login="paul.martin", diagnosis="account_unknown", topic="cannot_login")
    got = understander.understand(parse(text, "deny", 0.6, username("paul.martin2", text)), context)
    assert got.main == CorrectSlot("username", "paul.martin2")


def test_the_identifier_with_any_problem_is_looked_up_for_that_problem(understander: Understander) -> None:
    text = "j'ai perdu la feuille avec mon mot de passe provisoire, je suis lea.blanc"
    got = understander.understand(
        parse(text, "lost_provisional_credentials", 0.8, username("lea.blanc", text)), DialogueContext()
    )
    assert got.main == Diagnose("lost_provisional_credentials", "lea.blanc")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("mon compte a l'air désactivé, tom.leroy", "link_account"),
        ("il paraît que je suis bloqué (tom.leroy)", "unlock_account"),
    ],
)
def test_a_misread_problem_is_diagnosed_never_a_verification(
    understander: Understander, text: str, intent: str
) -> None:
    got = understander.understand(parse(text, intent, 0.7, username("tom.leroy", text)), DialogueContext())
    assert got.main == Diagnose("cannot_login", "tom.leroy")


def test_a_verification_asked_in_so_many_words_starts_linking(understander: Understander) -> None:
    got = understander.understand(parse("je veux lier mon compte", "link_account", 0.9), DialogueContext())
    assert got.main == StartTopic("link_account")
    got = understander.understand(parse("mon compte marche pas", "link_account", 0.6), DialogueContext())
    assert got.main == StartTopic("cannot_login")


def test_an_adml_typing_an_operation_in_words(understander: Understander) -> None:
    adml = DialogueContext(speaker_is_adml=True, own_login="isabelle.roux")
    text = "débloque tom.leroy stp"
    assert understander.understand(
        parse(text, "cannot_login", 0.5, username("tom.leroy", text)), adml
    ).main == StartTopic("unlock_account")
    text = "il faut un nouveau mot de passe pour lucas.martin"
    got = understander.understand(parse(text, "request_reset", 0.8, username("lucas.martin", text)), adml)
    assert got.main == StartTopic("request_reset")
    # the same words from someone who is not an ADML state their own problem
    text = "débloque mon compte tom.leroy"
    assert understander.understand(
        parse(text, "cannot_login", 0.5, username("tom.leroy", text)), DialogueContext()
    ).main == Diagnose("cannot_login", "tom.leroy")


@pytest.mark.parametrize(
    ("text", "topic", "expected"),
    [
        ("c'est rétabli quand ?", "vacation_freeze", "vacation_freeze"),
        ("et à la toussaint aussi ?", "vacation_freeze", "vacation_freeze"),
        ("et le 3 dans mon identifiant ça veut dire quoi ?", "ask_activation_howto", "ask_ent_mail_address"),
        ("je le trouve où ce menu ?", "cesame_access", "cesame_access"),
    ],
)
def test_a_follow_up_is_answered_about_the_topic_in_progress(
    understander: Understander, text: str, topic: str, expected: str
) -> None:
    got = understander.understand(parse(text, "out_of_scope", 0.3), DialogueContext(topic=topic))
    assert got.main == FollowUp(expected)


def test_a_sure_reading_of_the_topic_in_progress_is_not_taken_for_another_topic(understander: Understander) -> None:
    # "provisoire" also leans on the CESAME local-account topic: a sure password question stays one
    text = "et le mdp provisoire je dois le changer ?"
    got = understander.understand(parse(text, "password_rules", 0.97), DialogueContext(topic="password_rules"))
    assert got.main == FollowUp("password_rules")


def test_the_same_question_for_the_other_ent(understander: Understander) -> None:
    text = "et sur netocentre c'est pareil ?"
    entities = [{"entity": "tenant", "value": "netocentre", "start": 8, "end": 18}]
    got = understander.understand(parse(text, "inform", 0.6, entities), DialogueContext(topic="password_rules"))
    assert got.main == FollowUp("password_rules")


def test_two_questions_are_both_answered(understander: Understander) -> None:
    text = "c'est quoi l'adresse de l'ENT et je dois garder le mot de passe provisoire ?"
    got = understander.understand(
        parse(text, "ask_activation_howto", 0.8, secondary="password_rules"), DialogueContext()
    )
    assert got.main == AnswerSeveral(("ask_activation_howto", "password_rules"))


def test_someone_writing_for_their_child_is_noted_first(understander: Understander) -> None:
    got = understander.understand(parse("mon fils n'arrive pas a se connecter", "cannot_login", 0.9), DialogueContext())
    assert got.commands == (SpeakFor("parent"), StartTopic("cannot_login"))
    got = understander.understand(parse("un de mes élèves est bloqué", "cannot_login", 0.9), DialogueContext())
    assert got.commands[0] == SpeakFor("teacher")


def test_a_word_only_one_ent_uses_says_which_ent(understander: Understander) -> None:
    got = understander.understand(parse("c quoi les CGU ?", "ask_activation_howto", 0.9), DialogueContext())
    assert got.commands == (NoteTenant("netocentre"), StartTopic("ask_activation_howto"))
    known = DialogueContext(tenant="monlycee")
    assert understander.understand(parse("c quoi les CGU ?", "ask_activation_howto", 0.9), known).commands == (
        StartTopic("ask_activation_howto"),
    )


def test_unsure_and_nothing_in_progress_asks(understander: Understander) -> None:
    assert understander.understand(parse("blabla truc", "out_of_scope", 0.2), DialogueContext()).main == Clarify()


def test_buttons_and_commands_are_taken_as_said(understander: Understander) -> None:
    got = understander.understand(parse("/affirm", "affirm", 1.0), DialogueContext(requested_slot="username"))
    assert got.commands == (StartTopic("affirm"),)


def test_the_understood_intent_is_reported() -> None:
    from bot.dialogue.understanding import Understanding

    assert Understanding((ConfirmProposal(),)).intent("thanks") == "affirm"
    assert Understanding((SpeakFor("parent"), HandOver())).intent("cannot_login") == "escalate_human"
    assert Understanding((Diagnose("cannot_login", "a.b"),)).intent("inform") == "inform"


def test_replies_are_reworded_for_someone_writing_about_another_person() -> None:
    pairs = (("Votre compte", "Son compte"), ("votre identifiant", "son identifiant"))
    assert (
        third_person("Votre compte n'est pas activé : donnez votre identifiant.", pairs)
        == "Son compte n'est pas activé : donnez son identifiant."
    )


def test_a_bad_lexicon_is_refused_with_the_key_named() -> None:
    with pytest.raises(UnderstandingError, match="yes: bad pattern"):
        parse_lexicon({"yes": ["("]})
    with pytest.raises(UnderstandingError, match="third_person"):
        parse_lexicon({"third_person": [["only one"]]})


def test_a_school_named_when_asked_which_ent_is_an_answer(understander: Understander) -> None:
    asked = DialogueContext(asking_tenant=True, topic="ask_activation_howto")
    got = understander.understand(parse("au lycée voltaire à orléans", "out_of_scope", 0.3), asked)
    assert got.main == StartTopic("inform")
    # a new question instead is a new question
    assert understander.understand(parse("c quoi cesame", "cesame_access", 0.9), asked).main == StartTopic(
        "cesame_access"
    )


@pytest.mark.parametrize(
    ("text", "topic", "expected"),
    [
        ("c'est combien de temps deja ?", "validation_mail_missing", "validation_link"),
        ("et si ca depasse ?", "link_expired", "validation_link"),
        ("et une fois que je l'ai je vais ou ?", "lost_provisional_credentials", "ask_activation_howto"),
        ("il fait comment apres pour se reconnecter ?", "request_reset", "account_reset_done"),
    ],
)
def test_a_follow_up_leans_first_on_the_topics_near_the_one_in_progress(
    understander: Understander, text: str, topic: str, expected: str
) -> None:
    # "combien de temps" is also the summer freeze's wording: after a link problem it is the link's lifetime
    got = understander.understand(parse(text, "vacation_freeze", 0.4), DialogueContext(topic=topic))
    assert got.main == FollowUp(expected)


def test_where_to_click_is_about_the_topic_in_progress(understander: Understander) -> None:
    got = understander.understand(
        parse("je clique ou exactement ?", "ask_activation_howto", 0.68), DialogueContext(topic="account_reset_done")
    )
    assert got.main == FollowUp("account_reset_done")


def test_thanks_after_another_answer_is_not_a_yes_to_an_older_proposal(understander: Understander) -> None:
    older = DialogueContext(pending_proposal="resend_activation_mail", topic="cannot_login", proposal_is_latest=False)
    assert understander.understand(parse("ok mrc", "affirm", 0.99), older).main == StartTopic("thanks")
    latest = DialogueContext(pending_proposal="resend_activation_mail", topic="cannot_login")
    assert understander.understand(parse("ok merci", "affirm", 0.99), latest).main == ConfirmProposal()
    go_ahead = understander.understand(parse("ok renvoyez le alors merci", "affirm", 0.9), older)
    assert go_ahead.main == ConfirmProposal()


def test_an_ok_that_asks_how_is_not_a_yes(understander: Understander) -> None:
    context = DialogueContext(pending_proposal="resend_activation_mail", topic="cannot_login")
    got = understander.understand(parse("ok je fais comment alors", "affirm", 0.61), context)
    assert got.main != ConfirmProposal()


def test_a_person_asked_for_while_declining_a_proposal_is_handed_over(understander: Understander) -> None:
    context = DialogueContext(pending_proposal="notify_adml", topic="cannot_login")
    got = understander.understand(
        parse("non mais je veux parler a quelqu'un de l'assistance svp", "deny", 0.99), context
    )
    assert got.main == HandOver()
    declined = understander.understand(parse("non merci pas besoin d'un conseiller", "deny", 0.99), context)
    assert declined.main == DenyProposal()


def test_an_admls_correction_continues_the_operation(understander: Understander) -> None:
    text = "ah oui pardon c karim.benali2, celui de chez nous"
    context = DialogueContext(topic="request_reset", known_login="karim.benali", speaker_is_adml=True, own_login="a.b")
    got = understander.understand(parse(text, "inform", 0.45, username("karim.benali2", text)), context)
    assert got.main == StartTopic("request_reset")


def test_an_adml_unlocks_the_account_in_question_without_naming_it(understander: Understander) -> None:
    context = DialogueContext(topic="cannot_login", known_login="test14", speaker_is_adml=True, own_login="f2xyz")
    got = understander.understand(parse("en fait debloquez le plutot", "vacation_freeze", 0.18), context)
    assert got.main == StartTopic("unlock_account")
    stranger = DialogueContext(topic="cannot_login", known_login="test14")
    assert understander.understand(parse("en fait debloquez le plutot", "vacation_freeze", 0.18), stranger).main != (
        StartTopic("unlock_account")
    )


def test_a_question_beside_a_problem_and_an_identifier_gets_both(understander: Understander) -> None:
    text = "bjr c marie.dupont, jai pas recu le mail de validation et le mdp faut combien de caracteres ?"
    anywhere = Understander(
        lexicon=understander.lexicon,
        is_confident=understander.is_confident,
        login_of=understander.login_of,
        answerable=understander.answerable,
        answerable_anywhere=frozenset({"password_rules"}),
    )
    got = anywhere.understand(
        parse(text, "password_rules", 0.64, username("marie.dupont", text), secondary="validation_mail_missing"),
        DialogueContext(),
    )
    assert got.commands == (FollowUp("password_rules"), Diagnose("validation_mail_missing", "marie.dupont"))
    assert got.second_intent is None  # dealt with in this reply: not offered again


def test_not_knowing_the_identifier_beside_a_problem_says_where_to_find_it(understander: Understander) -> None:
    got = understander.understand(
        parse("bjr jariv pa a mconecter sur monlycé.net cé koi mon identifian ?", "cannot_login", 0.95),
        DialogueContext(),
    )
    assert got.main == DontKnow("username")


def test_the_validation_links_lifetime_asked_in_so_many_words(understander: Understander) -> None:
    text = "et il est valable combien de temps le nouveau lien ?"
    got = understander.understand(parse(text, "vacation_freeze", 0.84), DialogueContext(topic="password_rules"))
    assert got.main == FollowUp("validation_link")


def test_a_farewell_is_no_yes(understander: Understander) -> None:
    context = DialogueContext(pending_proposal="resend_activation_mail", topic="cannot_login")
    assert understander.understand(parse("ok merci bonne soiree", "affirm", 0.68), context).main == StartTopic(
        "goodbye"
    )


def test_activating_a_reset_account_means_its_own_steps(understander: Understander) -> None:
    text = "et apres je clique sur activer mon compte ou l'autre bouton ?"
    context = DialogueContext(topic="lost_provisional_credentials", diagnosis="reset_pending")
    got = understander.understand(parse(text, "ask_activation_howto", 0.73), context)
    assert got.main in (StartTopic("account_reset_done"), FollowUp("account_reset_done"))


def test_a_sibling_is_someone_else_and_a_person_in_sms_is_a_person(understander: Understander) -> None:
    got = understander.understand(parse("et pour ma soeur c'est pareil ?", "inform", 0.4), DialogueContext())
    assert got.commands[0] == SpeakFor("parent")
    human = understander.understand(parse("je veux parler a qqun", "cannot_login", 0.35), DialogueContext())
    assert human.main == HandOver()


def test_a_yes_that_also_asks_confirms_then_answers(understander: Understander) -> None:
    context = DialogueContext(pending_proposal="resend_validation_link", topic="validation_mail_missing")
    got = understander.understand(parse("oui mais ça arrive où ?", "validation_mail_missing", 0.89), context)
    assert got.commands == (ConfirmProposal(), FollowUp("validation_link"))
    with_question = understander.understand(
        parse("oui allez y envoyez lui svp, et il devra changer le mot de passe ?", "password_rules", 0.5), context
    )
    assert with_question.commands == (ConfirmProposal(), FollowUp("password_rules"))


def test_i_will_look_declines_and_the_question_is_answered(understander: Understander) -> None:
    context = DialogueContext(pending_proposal="resend_validation_link", topic="validation_mail_missing")
    text = "Je vais regarder dans mes indésirables. Combien de temps le lien reste-t-il valable ?"
    got = understander.understand(parse(text, "validation_mail_missing", 0.57), context)
    assert got.commands == (DenyProposal(), FollowUp("validation_link"))
    assert understander.understand(parse("ok merci je regarde ca", "affirm", 0.6), context).main == DenyProposal()


def test_another_identifier_while_a_proposal_waits_is_a_correction_not_a_yes(understander: Understander) -> None:
    text = "ah non attends c'est jules.petit2 pas jules.petit"
    context = DialogueContext(
        pending_proposal="reset_password",
        topic="request_reset",
        known_login="jules.petit",
        speaker_is_adml=True,
        own_login="f2xyz",
    )
    got = understander.understand(parse(text, "deny", 0.55, username("jules.petit2", text)), context)
    assert got.main == StartTopic("request_reset")


def test_the_cesame_question_again_for_a_school_named_in_words(understander: Understander) -> None:
    text = "et ma collegue du lycee paul bert a pantin ?"
    got = understander.understand(parse(text, "nocas_eligibility", 0.75), DialogueContext(topic="nocas_eligibility"))
    assert got.main == StartTopic("nocas_eligibility")
    asked = DialogueContext(requested_slot="school_ref", active_form="nocas_form", topic="nocas_eligibility")
    named = understander.understand(
        parse("jsp le code, c'est le lycée edouard branly a créteil", "out_of_scope", 0.3), asked
    )
    assert named.main == StartTopic("inform")  # the form reads the school from the text
    assert understander.understand(parse("jsp le code", "out_of_scope", 0.3), asked).main == DontKnow("school_ref")


def test_another_ent_named_in_a_long_message_is_a_new_question_unless_it_says_the_same(
    understander: Understander,
) -> None:
    entities = [{"entity": "tenant", "value": "netocentre", "start": 0, "end": 10}]
    long = "ok et je me connecte ou pour activer ? je suis a netocentre"
    got = understander.understand(
        parse(long, "ask_activation_howto", 0.95, entities), DialogueContext(topic="password_rules")
    )
    assert got.main != FollowUp("password_rules")
    same = "et pour ma soeur c'est pareil ? elle est a orleans sur netocentre"
    again = understander.understand(parse(same, "inform", 0.38, entities), DialogueContext(topic="vacation_freeze"))
    assert again.main == FollowUp("vacation_freeze")


def test_the_links_lifetime_beside_a_question_naming_its_topic_gets_both(understander: Understander) -> None:
    text = "le mdp il faut combien de caracteres et le lien de validation il dure cmb de temps ?"
    got = understander.understand(parse(text, "password_rules", 0.97), DialogueContext())
    assert got.main == AnswerSeveral(("password_rules", "validation_link"))


def test_a_question_after_a_ticket_was_opened_is_about_the_ticket(understander: Understander) -> None:
    after_ticket = DialogueContext(topic="cannot_login", ticket_open=True)
    got = understander.understand(
        parse("vous me recontactez comment ? par mail ?", "resend_activation", 0.41), after_ticket
    )
    assert got.main == StartTopic("ticket_status")
    assert got.second_intent is None
    no_ticket = DialogueContext(topic="cannot_login")
    assert understander.understand(
        parse("vous me recontactez comment ?", "resend_activation", 0.41), no_ticket
    ).main != (StartTopic("ticket_status"))


def test_the_cesame_question_again_after_another_topic(understander: Understander) -> None:
    entities = [{"entity": "profile", "value": "cridf", "start": 24, "end": 42}]
    text = "et mon collegue qui est agent de la region au cridf ?"
    context = DialogueContext(topic="ask_activation_howto", handled=("nocas_eligibility",))
    assert understander.understand(parse(text, "inform", 0.8, entities), context).main == StartTopic(
        "nocas_eligibility"
    )


def test_the_classifier_alone_opens_a_ticket_only_when_sure(understander: Understander) -> None:
    unsure = understander.understand(
        parse("et si qqn a le meme nom que moi ?", "escalate_human", 0.69), DialogueContext()
    )
    assert unsure.main != HandOver()
    sure = understander.understand(parse("je voudrais l'assistance", "escalate_human", 0.95), DialogueContext())
    assert sure.main == HandOver()


ADML = DialogueContext(speaker_is_adml=True, own_login="sandrine.roche")


def test_an_adml_asks_for_the_accounts_not_activated_in_words(understander: Understander) -> None:
    text = "salut, quels eleves de mon lycee ont pas encore active leur compte ent ?"
    assert understander.understand(parse(text, "ask_account_origin", 0.38), ADML).main == StartTopic("list_unactivated")
    # the same words from someone who administers nothing are no list
    assert understander.understand(parse(text, "ask_account_origin", 0.38), DialogueContext()).main == Clarify()


def test_the_list_and_an_operation_in_one_message_are_both_done(understander: Understander) -> None:
    text = "tu peux me sortir la liste des eleves qui ont tjs pas active leur compte ? et debloque theo.blanc aussi"
    got = understander.understand(parse(text, "out_of_scope", 0.38, username("theo.blanc", text)), ADML)
    assert got.commands == (StartTopic("list_unactivated"), StartTopic("unlock_account"))


def test_an_adml_names_an_account_of_the_last_list_by_its_first_name(understander: Understander) -> None:
    listed = DialogueContext(
        speaker_is_adml=True, own_login="sandrine.roche", listed_logins=("jade.fournier", "maxime.leroy")
    )
    text = "ok et maxime il a perdu sa feuille avec le mdp, tu peux lui reinitialiser ?"
    got = understander.understand(parse(text, "request_reset", 0.74), listed)
    assert got.commands == (FillSlot("username", "maxime.leroy"), StartTopic("request_reset"))
    # two listed accounts with that first name: none is chosen
    homonyms = DialogueContext(speaker_is_adml=True, listed_logins=("maxime.leroy", "maxime.petit"))
    assert (
        FillSlot("username", "maxime.leroy")
        not in understander.understand(parse(text, "request_reset", 0.74), homonyms).commands
    )


def test_another_account_introduced_after_an_operation_continues_it(understander: Understander) -> None:
    context = DialogueContext(topic="request_reset", known_login="lucas.fabre", speaker_is_adml=True, own_login="a.b")
    text = "ah ok. et theo.garnier alors, lui il est bien chez nous"
    assert understander.understand(parse(text, "affirm", 0.55, username("theo.garnier", text)), context).main == (
        StartTopic("request_reset")
    )
    told = "et theo.garnier il est bloque depuis hier, il arrive plus a se connecter a l ent"
    assert understander.understand(parse(told, "cannot_login", 0.9, username("theo.garnier", told)), context).main == (
        Diagnose("cannot_login", "theo.garnier")
    )


def test_an_operation_named_in_words_wins_over_the_one_in_progress(understander: Understander) -> None:
    context = DialogueContext(topic="unlock_account", known_login="lucas.bernard", speaker_is_adml=True)
    text = "et reinit le mdp de sarah.khelifi aussi elle a oublie le sien"
    got = understander.understand(parse(text, "request_reset", 0.99, username("sarah.khelifi", text)), context)
    assert got.main == StartTopic("request_reset")


def test_a_problem_and_the_link_lifetime_in_one_message_get_both(understander: Understander) -> None:
    text = "pk je suis bloquee ?? et le lien de validation il dure combien de temps ?"
    linked = DialogueContext(own_login="camille.roux")
    assert understander.understand(parse(text, "link_expired", 0.57), linked).commands == (
        StartTopic("cannot_login"),
        FollowUp("validation_link"),
    )
    # not linked: the answer first, then the identifier is asked for
    assert understander.understand(parse(text, "link_expired", 0.57), DialogueContext()).commands == (
        FollowUp("validation_link"),
        StartTopic("cannot_login"),
    )


def test_sms_spellings_are_written_out_before_the_patterns(understander: Understander) -> None:
    after_resend = DialogueContext(topic="link_expired", diagnosis="link_expired")
    got = understander.understand(parse("merci bcp, jai cmb de tps pr cliquer desu", "thanks", 0.97), after_resend)
    assert got.main == FollowUp("validation_link")


def test_a_follow_up_may_lean_on_a_topic_answered_earlier(understander: Understander) -> None:
    context = DialogueContext(topic="ask_ent_mail_address", handled=("change_backup_email", "ask_ent_mail_address"))
    got = understander.understand(parse("faut le taper combien de fois le gmail ?", "password_rules", 0.37), context)
    assert got.main == FollowUp("change_backup_email")


def test_the_classifier_and_the_words_agreeing_beat_the_topic_near_the_answer(understander: Understander) -> None:
    context = DialogueContext(topic="cannot_login", diagnosis="not_activated")
    text = "et apres la premiere connexion je peux aller sur cesame direct ?"
    ranking = ["cesame_access", "ask_activation_howto", "cannot_login"]
    got = understander.understand(parse(text, "cesame_access", 0.36, ranking=ranking), context)
    assert got.main == FollowUp("cesame_access")
    # the classifier did not weigh the near topic: it stands
    alone = understander.understand(parse(text, "cesame_access", 0.36, ranking=["cesame_access"]), context)
    assert alone.main == FollowUp("ask_activation_howto")


def test_a_school_corrected_by_its_name_and_town_asks_the_cesame_question_again(understander: Understander) -> None:
    context = DialogueContext(topic="nocas_eligibility", handled=("nocas_eligibility",))
    text = "ah non pardon je me suis trompee, c'est le paul bert de montreuil"
    assert understander.understand(parse(text, "deny", 0.41), context).main == StartTopic("nocas_eligibility")


def test_a_follow_up_on_the_cesame_answer_is_no_identity_proof(understander: Understander) -> None:
    context = DialogueContext(topic="nocas_eligibility", handled=("nocas_eligibility",))
    got = understander.understand(parse("et c'est definitif ce compte ?", "link_account", 0.38), context)
    assert got.main == FollowUp("nocas_eligibility")


def test_an_advisor_asked_for_beside_a_problem_of_someone_else_speaks_for_the_adml(understander: Understander) -> None:
    context = DialogueContext(topic="unlock_account", speaker_is_adml=True, own_login="nadia.kaci")
    text = "super merci. et celui de ma niece jade.simon aussi svp, elle est au lycee Voltaire a Paris"
    got = understander.understand(parse(text, "inform", 0.59, username("jade.simon", text)), context)
    assert got.main == StartTopic("unlock_account")
    assert not any(isinstance(c, SpeakFor) for c in got.commands)  # the refusal speaks of the ADML's own school
