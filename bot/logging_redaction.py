"""Every log record is redacted before any handler sees it: no password, address, phone number or code in logs.

`RedactingFilter` rewrites a record's message (its arguments merged in) and its exception text through
`core.redaction.redact`. `install_log_redaction` puts it on the root logger and, since a logger's filters do not
see the records its children propagate, also in the record factory, so that a record from any logger, bound for
any handler (those added later included), is redacted once, when it is made.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.core.redaction import redact

_REDACTED = "_clef_redacted"


class RedactingFilter(logging.Filter):
    """Replaces the record's message and arguments by their redacted rendering; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, _REDACTED, False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep what can be shown of it
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        setattr(record, _REDACTED, True)
        return True


_FILTER = RedactingFilter()
_previous_factory: Callable[..., logging.LogRecord] | None = None


def install_log_redaction() -> None:
    """Redact every record of this process from now on (idempotent)."""
    global _previous_factory
    root = logging.getLogger()
    if _FILTER not in root.filters:
        root.addFilter(_FILTER)
    if _previous_factory is not None:
        return
    previous = logging.getLogRecordFactory()

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _FILTER.filter(record)
        return record

    _previous_factory = previous
    logging.setLogRecordFactory(redacting_factory)


def log_redaction_installed() -> bool:
    return _previous_factory is not None


def uninstall_log_redaction() -> None:
    """Undo `install_log_redaction` (for tests)."""
    global _previous_factory
    logging.getLogger().removeFilter(_FILTER)
    if _previous_factory is not None:
        logging.setLogRecordFactory(_previous_factory)
        _previous_factory = None
