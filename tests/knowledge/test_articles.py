"""Choosing the article that answers a question, per ENT."""

from __future__ import annotations

from bot.knowledge import Article, KnowledgeBase


def article(tenant: str, answer_without_ent: str = "") -> Article:
    return Article(
        id=f"mail-{tenant}",
        tenant=tenant,
        topic="ent_mail",
        intents=("ask_ent_mail_address",),
        title="Adresse",
        answer=f"Sur {tenant} : ...",
        buttons=(),
        body="",
        answer_without_ent=answer_without_ent,
    )


def test_an_answer_that_differs_per_ent_asks_which_ent() -> None:
    choice = KnowledgeBase([article("monlycee"), article("netocentre")]).choose("ask_ent_mail_address", None)
    assert choice.article is None
    assert choice.ask_tenant_among == ("monlycee", "netocentre")
    assert choice.said_before_asking is None


def test_what_helps_before_the_ent_is_known_is_said_before_asking() -> None:
    general = article("netocentre", "Le numéro distingue des homonymes.")
    choice = KnowledgeBase([article("monlycee"), general]).choose("ask_ent_mail_address", None)
    assert choice.ask_tenant_among == ("monlycee", "netocentre")
    assert choice.said_before_asking == general


def test_a_known_ent_gets_its_own_answer() -> None:
    own = article("monlycee")
    choice = KnowledgeBase([own, article("netocentre", "x")]).choose("ask_ent_mail_address", "monlycee")
    assert choice.article == own
    assert choice.said_before_asking is None
