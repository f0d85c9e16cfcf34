"""What the stores that keep identifiers share: their sessions and the rule of what an identifier may be."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.core.redaction import IdentifierRule, is_identifier


class IdentifyingStore:
    """A store on the project's database that keeps an identifier only in a form `is_identifier` accepts
    (each tenant's formats, given by the composition root); anything else offered as one is not kept."""

    def __init__(self, sessions: sessionmaker[Session], is_identifier: IdentifierRule = is_identifier) -> None:
        self._sessions = sessions
        self._is_identifier = is_identifier
