"""Choosing the article that answers a question, per ENT."""

from __future__ import annotations

import pytest

from bot.knowledge import Article, ArticleError, KnowledgeBase, parse_article

FRONT = "---\nid: a\ntenant: all\ntopic: t\nintents: [i]\ntitle: T\nanswer: Réponse.\n{extra}---\nCorps.\n"


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


def test_an_introduction_is_marked_in_its_front_matter() -> None:
    assert parse_article(FRONT.format(extra="introduction: true\n"), "intro.md").introduction is True
    assert parse_article(FRONT.format(extra=""), "plain.md").introduction is False


def test_an_introduction_flag_that_is_not_true_or_false_names_the_file_and_field() -> None:
    with pytest.raises(ArticleError, match=r"intro\.md: `introduction` must be true or false"):
        parse_article(FRONT.format(extra="introduction: souvent\n"), "intro.md")
