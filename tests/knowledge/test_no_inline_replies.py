"""Every sentence the assistant says lives in `knowledge/`: no French prose for a person in the Python of `bot/`
and `actions/`, and every text the code names exists there.

Chat replies within a turn are responses of `knowledge/domain.yml`; what is sent outside a turn (desk, scheduler,
Telegram commands, button titles…) is a message of `knowledge/messages.yml`, read with `bot.texts.text`.
A copy editor rewords the assistant there without opening Python.

The scan reads each module with `ast` (comments are not in it) and looks at two things:

- what reaches a person whatever its wording: the text and title of a `Button`, an `OutboundMessage` or an
  `InlineKeyboardButton`, the `text=` of `utter_message`, the `"title"` / `"text"` of a button or message dict: a
  literal with a letter in it is a reply written inline;
- any other string literal (f-strings with their placeholders removed) that reads as French prose: at least two
  words, an accented letter or two French function words, no more English than French, not a regex.

Not looked at: docstrings and bare string statements (attribute documentation), the arguments of logging calls,
the patterns given to `re`, and strings that look like regexes (regexes match what people write, they are not said).
English error messages pass the prose test by being English: an exception text in French is either a reply in
disguise (move it) or must be listed below with the reason it never reaches a person.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("bot", "actions")

# Files that are lexicons of what users *write*, kept in code beside the logic that reads them: the classifier's
# normalisation and noise tables (rewrites of user text before features are built; changing them changes the
# trained model, so they move with the code, not with the wording of replies). Nothing in them is ever said.
LEXICON_FILES = frozenset({"bot/nlu/normalise.py", "bot/nlu/perturb.py"})

# Strings that stay in code, each with its reason.
ALLOWED: dict[tuple[str, str], str] = {
    # The pure core does no I/O, so it cannot read knowledge/. These marks replace a secret inside stored texts
    # (transcripts, tickets, audit details); the redaction itself recognises a `[...]` mark as already masked.
    ("bot/core/redaction.py", "[mot de passe masqué]"): "stored mark written by the pure core",
    ("bot/core/redaction.py", "[texte non conservé]"): "stored mark written by the pure core",
    ("bot/core/redaction.py", "[téléphone masqué]"): "stored mark written by the pure core",
    ("bot/core/redaction.py", "[code masqué]"): "stored mark written by the pure core",
}

# Calls whose first positional argument, `text=` or `title=` is shown to a person as it is.
SHOWN_CALLS = frozenset({"Button", "OutboundMessage", "InlineKeyboardButton"})
SHOWN_KEYWORDS = frozenset({"text", "title"})
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})
LOG_OWNERS = frozenset({"log", "logger", "logging", "_log", "LOG"})
# Functions whose arguments are tables of words users write (stop lists of the redaction and the school matcher)
WORD_TABLES = frozenset({"word_set"})
RE_FUNCTIONS = frozenset({"compile", "search", "match", "fullmatch", "sub", "subn", "findall", "finditer", "split"})

ACCENTED = re.compile(r"[àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ]")
REGEX_LIKE = re.compile(r"\\[sSbBdDwW.()\[\]?*+]|\(\?|\||\[\^")
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# words that tell French prose from English text and from identifiers (a few, frequent in replies)
_FRENCH_WORDS = """à au aux avec ce ces cet cette dans de des du elle en est et il ici je la le les leur lui ma mes mon
ne non nous on ou par pas plus pour qu que qui sa se ses son sont sur ta te tes ton un une vos votre vous y été être
avez pouvez peut merci bonjour désolé compte demande identifiant conseiller"""
_ENGLISH_WORDS = """a an and are as at be by cannot for from has have in is it its must no not of on or the this to
was when with without"""
FRENCH = frozenset(_FRENCH_WORDS.split())
ENGLISH = frozenset(_ENGLISH_WORDS.split())


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.why}: {self.text[:90]!r}"


def _literal(node: ast.AST) -> str | None:
    """The text of a string literal or f-string (placeholders as `{}`), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)  # type: ignore[misc]
    return None


def reads_as_french_prose(text: str) -> bool:
    """Two words or more, an accent or two French function words, no more English than French, not a regex."""
    if " " not in text.strip() or REGEX_LIKE.search(text):
        return False
    tokens = [t for t in text.split() if not any(c in t for c in "@/=_\\<>$%")]  # addresses, paths, DNs, formats
    words = [w.lower() for t in tokens for w in WORD.findall(t)]
    if len(words) < 2:
        return False
    french = sum(w in FRENCH for w in words)
    english = sum(w in ENGLISH for w in words)
    return french >= english and (french >= 2 or bool(ACCENTED.search(" ".join(tokens))))


def _has_letter(text: str) -> bool:
    return any(c.isalpha() for c in text.replace("{}", ""))


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _ignored_nodes(tree: ast.Module) -> set[int]:
    """ids of the literal nodes not to read as prose: docstrings, bare strings, log calls, re patterns."""
    ignored: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and _literal(node.value) is not None:
            ignored.add(id(node.value))
        if isinstance(node, ast.Call):
            func = node.func
            is_log = (
                isinstance(func, ast.Attribute)
                and func.attr in LOG_METHODS
                and isinstance(func.value, ast.Name)
                and func.value.id in LOG_OWNERS
            )
            is_re = (
                isinstance(func, ast.Attribute)
                and func.attr in RE_FUNCTIONS
                and isinstance(func.value, ast.Name)
                and func.value.id == "re"
            )
            is_word_table = isinstance(func, ast.Name) and func.id in WORD_TABLES
            if is_log or is_word_table:
                ignored.update(id(n) for arg in node.args for n in ast.walk(arg))
            elif is_re and node.args:
                ignored.update(id(n) for n in ast.walk(node.args[0]))
        if isinstance(node, ast.JoinedStr):  # read as a whole, not piece by piece
            ignored.update(id(v) for v in node.values)
    return ignored


def _shown_by_call(node: ast.Call) -> list[ast.expr]:
    """The arguments of a call that a person reads as they are."""
    name = _name(node.func)
    if name in SHOWN_CALLS:
        return node.args[:1] + [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
    if name == "utter_message":
        return [k.value for k in node.keywords if k.arg == "text"]
    return []


def _shown_in_dict(node: ast.Dict) -> list[ast.expr]:
    """The `"title"` and `"text"` of a button or message written as a dict."""
    keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
    if not {"payload", "text"} & set(keys):  # neither a button nor a message
        return []
    return [value for key, value in zip(keys, node.values, strict=True) if key in SHOWN_KEYWORDS]


def _shown_literals(tree: ast.Module) -> Iterator[tuple[ast.AST, str]]:
    """Literals handed straight to a person: button and message texts."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            shown = _shown_by_call(node)
        elif isinstance(node, ast.Dict):
            shown = _shown_in_dict(node)
        else:
            continue
        for value in shown:
            text = _literal(value)
            if text is not None and _has_letter(text):
                yield value, text


def findings_in(path: Path) -> list[Finding]:
    relative = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
    found: dict[int, Finding] = {}
    for node, text in _shown_literals(tree):
        found[id(node)] = Finding(relative, getattr(node, "lineno", 0), text, "shown to a person")
    if relative not in LEXICON_FILES:
        ignored = _ignored_nodes(tree)
        for node in ast.walk(tree):
            prose = _literal(node)
            if prose is None or id(node) in ignored or id(node) in found:
                continue
            if reads_as_french_prose(prose):
                found[id(node)] = Finding(relative, getattr(node, "lineno", 0), prose, "French prose")
    return [f for f in found.values() if (relative, f.text) not in ALLOWED]


def python_files() -> list[Path]:
    return sorted(p for top in SCANNED for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts)


def test_no_reply_is_written_inline_in_python() -> None:
    findings = [f for path in python_files() for f in findings_in(path)]
    assert not findings, "texts to move to knowledge/ (domain.yml or messages.yml):\n" + "\n".join(map(str, findings))


def test_every_allowed_string_is_still_there() -> None:
    """An exemption outlives its string only by mistake: each one must still be found in its file."""
    for path, text in ALLOWED:
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        assert any(_literal(n) == text for n in ast.walk(tree)), (path, text)
    for path in LEXICON_FILES:
        assert (ROOT / path).is_file(), path


def _check(source: str) -> list[str]:
    tree = ast.parse(source)
    ignored = _ignored_nodes(tree)
    shown = [text for _, text in _shown_literals(tree)]
    prose = [t for n in ast.walk(tree) if (t := _literal(n)) is not None and id(n) not in ignored]
    return shown + [t for t in prose if reads_as_french_prose(t) and t not in shown]


def test_the_scan_finds_inline_replies_of_every_kind() -> None:
    """The scan itself can fail: each way of writing a reply inline is caught."""
    source = '''
"""Un docstring en français n'est pas une réponse."""
import logging, re
log = logging.getLogger(__name__)
log.info("la demande est close pour %s", 3)
PATTERN = re.compile(r"je\\s+ne\\s+sais\\s+pas")
A = OutboundMessage(f"Votre demande n°{n} est close.")
B = Button("Fermer", "/close")
C = {"title": "Annuler", "payload": "/cancel"}
dispatcher.utter_message(text="Tapez ici le code reçu.")
D = {"expired": "Ce lien a expiré, je vous en envoie un autre."}
E = "the link has expired for this account"
F = "Assistance ENT <ne-pas-repondre@clef.invalid>"
G = "mot\\\\s+de\\\\s+passe|mdp"
'''
    assert _check(source) == [
        "Votre demande n°{} est close.",
        "Fermer",
        "Annuler",
        "Tapez ici le code reçu.",
        "Ce lien a expiré, je vous en envoie un autre.",
    ]


# -- the agents' desk pages: their words come from knowledge/desk*.yml and knowledge/dashboard.yml ----------------

DESK_PAGES = ("desk-page.html", "tickets.html", "teach.html", "dashboard.html")
DESK_SCRIPTS = ("desk-common.js", "tickets.js", "teach.js", "dashboard.js")
JS_STRING = re.compile(r"\"((?:[^\"\\\n]|\\.)*)\"|'((?:[^'\\\n]|\\.)*)'")
JS_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
HTML_WORDS = re.compile(r">([^<]+)<|\b(?:placeholder|title|aria-label)=\"([^\"]*)\"")
CODE_WORDS = frozenset({"Authorization", "Bearer ", "Content-Type"})


def page_words(html: str) -> list[str]:
    """The text nodes and shown attributes of a page that are more than placeholders."""
    shown = (a or b for a, b in HTML_WORDS.findall(html))
    return [text.strip() for text in shown if _has_letter(re.sub(r"\{\w+\}", "", text))]


def script_words(script: str) -> list[str]:
    """The string literals of a script that read as French: prose, an accent, or a capitalised word first."""
    literals = (a or b for a, b in JS_STRING.findall(JS_COMMENT.sub("", script)))
    return [
        text
        for text in literals
        if text not in CODE_WORDS
        and (reads_as_french_prose(text) or ACCENTED.search(text) or re.match(r"[A-Z][a-z]{3,}\b", text))
    ]


def test_the_desk_pages_say_only_what_their_knowledge_files_give_them() -> None:
    static = ROOT / "bot" / "channels" / "static"
    inline = [f"{name}: {text!r}" for name in DESK_PAGES for text in page_words((static / name).read_text("utf-8"))]
    inline += [
        f"{name}: {text!r}" for name in DESK_SCRIPTS for text in script_words((static / name).read_text("utf-8"))
    ]
    assert not inline, "words to move to knowledge/:\n" + "\n".join(inline)


def test_the_desk_scan_finds_words_written_in_a_page_or_a_script() -> None:
    assert page_words('<h2>Demandes</h2><label for="x">{status_label}</label><input placeholder="ex. 0751234A">') == [
        "Demandes",
        "ex. 0751234A",
    ]
    script = 'var a = "Aucune demande."; b("Conseiller"); c("GET", "/api/desk/tickets"); d("Réponse envoyée.");'
    assert script_words(script) == ["Aucune demande.", "Conseiller", "Réponse envoyée."]
