"""Knowledge articles (`knowledge/articles/*.md`): the answers to activation questions, per ENT.

Each article has YAML front matter (id, tenant, topic, intents, title, a short chat `answer`, next-step
`buttons`) and a full Markdown body. The assistant sends the short answer, never the whole article.
Placeholders such as `{ent_url}` are deployment facts filled from config.yml.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.yaml_files import safe_load

ALL_TENANTS = "all"


class ArticleError(ValueError):
    """An article cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Article:
    """An article of knowledge/articles/ for one tenant (or all): its short answer and buttons, and the full body."""

    id: str
    tenant: str
    topic: str
    intents: tuple[str, ...]
    title: str
    answer: str
    buttons: tuple[dict[str, str], ...]
    body: str
    # what this ENT's answer says that helps before the ENT is known ("the number is for homonyms, on netocentre")
    answer_without_ent: str = ""
    # an introduction to the check that follows it (NoCAS): asked again with a new case, the check answers alone
    introduction: bool = False


@dataclass(frozen=True)
class ArticleChoice:
    """The article to send, or the tenants among which the user must choose first."""

    article: Article | None
    ask_tenant_among: tuple[str, ...] = ()
    # the ENT is not known: this article's `answer_without_ent` is said before the ENT is asked
    said_before_asking: Article | None = None


def parse_article(text: str, name: str) -> Article:
    if not text.startswith("---"):
        raise ArticleError(f"{name}: must start with YAML front matter between '---' lines")
    try:
        _, front, body = text.split("---", 2)
        meta: Any = safe_load(front)
    except (ValueError, yaml.YAMLError) as exc:
        raise ArticleError(f"{name}: front matter is not valid YAML ({exc})") from None
    if not isinstance(meta, dict):
        raise ArticleError(f"{name}: front matter must be a mapping")
    for key in ("id", "tenant", "topic", "intents", "title", "answer"):
        if not meta.get(key):
            raise ArticleError(f"{name}: front matter needs `{key}`")
    buttons = tuple({"title": str(b["title"]), "payload": str(b["payload"])} for b in meta.get("buttons") or [])
    if not isinstance(meta.get("introduction", False), bool):
        raise ArticleError(f"{name}: `introduction` must be true or false")
    return Article(
        id=str(meta["id"]),
        tenant=str(meta["tenant"]),
        topic=str(meta["topic"]),
        intents=tuple(meta["intents"]),
        title=str(meta["title"]),
        answer=str(meta["answer"]).strip(),
        buttons=buttons,
        body=body.strip(),
        answer_without_ent=str(meta.get("answer_without_ent") or "").strip(),
        introduction=bool(meta.get("introduction", False)),
    )


class KnowledgeBase:
    def __init__(self, articles: list[Article]) -> None:
        self.articles = articles

    @classmethod
    def load(cls, folder: Path, tenants: set[str]) -> KnowledgeBase:
        articles = []
        for path in sorted(folder.glob("*.md")):
            article = parse_article(path.read_text(encoding="utf-8"), path.name)
            if article.tenant != ALL_TENANTS and article.tenant not in tenants:
                raise ArticleError(f"{path.name}: tenant {article.tenant!r} is not in config.yml")
            articles.append(article)
        return cls(articles)

    def intents(self) -> set[str]:
        return {intent for article in self.articles for intent in article.intents}

    def choose(self, intent: str, tenant: str | None) -> ArticleChoice:
        candidates = [a for a in self.articles if intent in a.intents]
        if not candidates:
            return ArticleChoice(None)
        if tenant:
            own = [a for a in candidates if a.tenant == tenant] or [a for a in candidates if a.tenant == ALL_TENANTS]
            return ArticleChoice(own[0] if own else None)
        shared = [a for a in candidates if a.tenant == ALL_TENANTS]
        if shared:
            return ArticleChoice(shared[0])
        general = next((a for a in candidates if a.answer_without_ent), None)
        return ArticleChoice(
            None, ask_tenant_among=tuple(sorted({a.tenant for a in candidates})), said_before_asking=general
        )
