"""Every text the code names exists in `knowledge/`, and every message of messages.yml is used.

Read from the code with `ast`: the names given to `bot.texts.text` (however it is imported) must be messages of
`knowledge/messages.yml`, called with every placeholder their text needs; each `utter_…` string must be a response
of `knowledge/domain.yml` (an f-string `utter_x_{…}` must start at least one). A name missing would otherwise show
only when its turn comes: `text` raises, a response renders as nothing.
"""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.dialogue.domain import load_domain
from bot.texts import MESSAGES, MessagesError, text

ROOT = Path(__file__).resolve().parents[2]
RESPONSE = re.compile(r"utter_[a-z0-9_]+")


@dataclass(frozen=True)
class Use:
    where: str
    name: str  # the literal name, or the literal start of an f-string name
    dynamic: bool
    keywords: frozenset[str] | None = None  # the keyword arguments given; None when some come from `**values`


def _python_files() -> list[Path]:
    return sorted(p for top in ("bot", "actions") for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts)


def _name_of(node: ast.expr) -> tuple[str, bool] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, False
    if isinstance(node, ast.JoinedStr):
        first = node.values[0] if node.values else None
        prefix = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""
        return prefix, True
    return None


def _text_calls(tree: ast.Module) -> list[ast.Call]:
    """Calls of `bot.texts.text`: `text(…)` / `alias(…)` after `from bot.texts import text [as alias]`, and
    `texts.text(…)` after `from bot import texts [as alias]`."""
    functions: set[str] = set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "bot.texts":
            functions |= {a.asname or a.name for a in node.names if a.name == "text"}
        elif isinstance(node, ast.ImportFrom) and node.module == "bot":
            modules |= {a.asname or a.name for a in node.names if a.name == "texts"}
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (isinstance(func, ast.Name) and func.id in functions) or (
            isinstance(func, ast.Attribute)
            and func.attr == "text"
            and isinstance(func.value, ast.Name)
            and func.value.id in modules
        ):
            calls.append(node)
    return calls


def message_uses() -> list[Use]:
    uses = []
    for path in _python_files():
        relative = path.relative_to(ROOT).as_posix()
        for call in _text_calls(ast.parse(path.read_text(encoding="utf-8"))):
            named = _name_of(call.args[0]) if call.args else None
            assert named is not None, f"{relative}:{call.lineno}: the message name must be a string or an f-string"
            given = [k.arg for k in call.keywords]
            keywords = None if None in given else frozenset(str(k) for k in given)
            uses.append(Use(f"{relative}:{call.lineno}", named[0], named[1], keywords))
    return uses


def response_uses() -> list[Use]:
    uses = []
    for path in _python_files():
        relative = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        pieces = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):
            if id(node) in pieces or not isinstance(node, (ast.Constant, ast.JoinedStr)):
                continue
            named = _name_of(node)
            if named is None or not named[0].startswith("utter_"):
                continue
            if named[1] or RESPONSE.fullmatch(named[0]):
                uses.append(Use(f"{relative}:{node.lineno}", named[0], named[1]))
    return uses


def _messages() -> dict[str, str]:
    loaded = yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return {str(k): str(v) for k, v in loaded.items()}


def _placeholders(template: str) -> set[str]:
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(template) if field}


def test_the_code_names_messages() -> None:
    """The scan can fail: it sees the existing uses of every import style."""
    wheres = {u.where.split(":")[0] for u in message_uses()}
    assert {"bot/services/desk.py", "bot/channels/telegram.py", "bot/services/operations.py"} <= wheres


def test_every_message_named_in_the_code_exists_with_its_placeholders() -> None:
    messages = _messages()
    problems = []
    for use in message_uses():
        if use.dynamic:
            if not any(name.startswith(use.name) for name in messages):
                problems.append(f"{use.where}: no message starts with {use.name!r}")
            continue
        if use.name not in messages:
            problems.append(f"{use.where}: messages.yml has no {use.name!r}")
        elif use.keywords is not None and not _placeholders(messages[use.name]) <= use.keywords:
            missing = sorted(_placeholders(messages[use.name]) - use.keywords)
            problems.append(f"{use.where}: {use.name!r} needs {missing}")
    assert not problems, "\n".join(problems)


def test_every_message_is_used() -> None:
    uses = message_uses()
    literal = {u.name for u in uses if not u.dynamic}
    prefixes = tuple(u.name for u in uses if u.dynamic)
    unused = [name for name in _messages() if name not in literal and not (prefixes and name.startswith(prefixes))]
    assert not unused, f"messages.yml texts no code uses: {unused}"


def test_every_response_named_in_the_code_exists() -> None:
    responses = set(load_domain(ROOT / "knowledge" / "domain.yml").responses)
    problems = [
        f"{u.where}: domain.yml has no response {'starting with ' if u.dynamic else ''}{u.name!r}"
        for u in response_uses()
        if not (any(r.startswith(u.name) for r in responses) if u.dynamic else u.name in responses)
    ]
    assert not problems, "\n".join(problems)


def test_a_missing_message_is_an_error_not_a_silence() -> None:
    with pytest.raises(MessagesError, match="no 'no_such_message'"):
        text("no_such_message")
    assert text("desk_refused_no_ticket", ticket_id=7) == "la demande n°7 n'existe pas"
