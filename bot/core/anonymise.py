"""Anonymisation of a user's message before it becomes a training example: nothing personal may leave the database.

`anonymise` runs the redaction again (`bot.core.redaction.redact`: passwords, addresses, phone numbers, 6-digit
codes), then replaces every identifier and every mark of the redaction by a fixed placeholder, so that the example
keeps the shape of what people write without anything that points to a person:

| found in the message                                                   | becomes                  |
| ---------------------------------------------------------------------- | ------------------------ |
| an identifier of any configured format (`marie.dupont2`, `test14`)     | `prenom.nom`             |
| an e-mail address, or the redaction's masked one (`[adresse m***t@…]`) | `prenom.nom@example.org` |
| a phone number, or its mark                                            | `0600000000`             |
| a 6-digit code or its mark, any other run of 5+ digits (an INE number) | `000000`                 |
| a password (its mark) or a text the store did not keep (its mark)      | `xxxxxxxx`               |
| a name after a cue (« je m'appelle », « mon fils », « Mme »…), two     | `Prenom Nom` (`Prenom`   |
| capitalised words in a row, or a capitalised word inside a sentence    | for one word)            |
| an address of a web page (`https://ent.example/x?jeton=…`)             | its scheme and host only |

School codes (UAI, `0751234A`), ticket numbers, dates and the ENTs' names are public and stay. The name rule
errs on the side of privacy: a town or a school's name written with capitals inside a sentence becomes `Prenom`.
Brackets and braces are turned into parentheses, control and format characters into spaces, so the text can
never be read as a Rasa entity annotation or break the YAML it is written to. Placeholders are fixed points:
anonymising an anonymised text changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from bot.core.redaction import CODE_MARK, NOT_AN_IDENTIFIER, PASSWORD_MARK, PHONE_MARK, redact
from bot.core.words import ELISION, word_set

LOGIN = "prenom.nom"
EMAIL = "prenom.nom@example.org"
PHONE = "0600000000"
CODE = "000000"
SECRET = "xxxxxxxx"
FIRST_NAME = "Prenom"
FULL_NAME = "Prenom Nom"

LoginRule = Callable[[str], bool]
"""Whether a word is an ENT identifier (each tenant's formats; never a password: `bot.core.identifiers.as_login`)."""

_MASKED_EMAIL = re.compile(r"\[adresse [^\]\s]*@[^\]\s]*\]")
_MARKS = {
    PASSWORD_MARK: SECRET,
    NOT_AN_IDENTIFIER: SECRET,
    PHONE_MARK: PHONE,
    CODE_MARK: CODE,
}
_URL = re.compile(r"(?i)\b(?P<start>https?://|www\.)(?P<host>[\w.-]+)\S*")
_DIGITS = re.compile(r"(?<![\w/.:-])\d{5,}[A-Za-z]{0,2}(?!\w)")
_UAI = re.compile(r"\d{7}[A-Za-z]")
_APOS = "['’]"
# the words after which a person is named whatever the case ("je m'appelle marie dupont", "Mme durand")...
_STRONG_CUE = re.compile(
    rf"(?i)(?<!\w)(?:je\s+m{_APOS}\s?appelle|je\s+me\s+nomme|mon\s+(?:nom|pr[ée]nom)\s*(?:est|c{_APOS}\s?est|:)"
    r"|(?:nom|pr[ée]nom)\s*:|madame|monsieur|mademoiselle|mme|mlle|mr|m\.)(?=\s)"
)
# ... and those after which a capitalised word is a name ("mon fils Lucas", not "mon fils arrive")
_WEAK_CUE = re.compile(
    rf"(?i)(?<!\w)(?:moi\s+c{_APOS}\s?est|je\s+suis|(?:mon|ma)\s+(?:fils|fille|enfant|gar[çc]on|petite?-fille"
    rf"|petit-fils|fr[èe]re|s[œo]eur|neveu|ni[èe]ce|[ée]l[èe]ve|coll[èe]gue)|l{_APOS}\s?[ée]l[èe]ve|pour)(?=\s)"
)
_WORD = re.compile(r"[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)*")


# words that follow a cue or start with a capital without being a name
_NOT_NAMES = word_set(
    "a au aux avec ce ces cet cette ca de des du d en et ou mais donc le la les l un une mon ma mes son sa ses "
    "je j tu il elle on nous vous ils elles me m te t lui y ne n pas plus est sont ai a qui que qu quoi si se "
    "bonjour bonsoir salut coucou hello merci svp stp oui non ok okay madame monsieur mademoiselle mme mlle mr "
    "ent cesame monlycee netocentre region lycee college academie education nationale france "
    "ile-de-france centre-val val loire google gmail outlook hotmail yahoo orange free sfr bouygues "
    "windows android iphone apple samsung chrome firefox safari edge pronote microsoft office teams "
    "lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril mai juin juillet aout "
    "septembre octobre novembre decembre toussaint noel paques "
    "eleve parent prof professeur professeure enseignant enseignante proviseur proviseure cpe adml admin "
    "identifiant login mail adresse compte mot passe mdp code lien ticket demande prenom nom"
)
_FOLD = str.maketrans("àâäçéèêëîïôöùûüÿœæ", "aaaceeeeiioouuuyoa")


def _plain(word: str) -> str:
    return word.lower().translate(_FOLD)


def _is_capitalised(word: str) -> bool:
    """`Marie`, `DUPONT`, `Jean-Pierre`: each part of the word starts with a capital, in lower case or all capitals."""
    parts = [part for part in re.split(r"[-'’]", word) if part]
    return bool(parts) and all(p[0].isupper() and (p[1:].islower() or p[1:].isupper() or not p[1:]) for p in parts)


def _one_line(text: str) -> str:
    """One line of printable text: control, format and separator characters (zero-width, bidirectional, line
    separators, lone surrogates) become spaces."""
    kept = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    return " ".join(kept.split())


def _without_brackets(text: str) -> str:
    """Brackets and braces as parentheses: the text can never be read as an entity annotation."""
    return text.replace("[", "(").replace("]", ")").replace("{", "(").replace("}", ")")


def _replace_marks(text: str) -> str:
    text = _MASKED_EMAIL.sub(EMAIL, text)
    for mark, placeholder in _MARKS.items():
        text = text.replace(mark, placeholder)
    return text


def _shorten_url(match: re.Match[str]) -> str:
    return f"{match.group('start')}{match.group('host').rstrip('.')}"


def _digits(match: re.Match[str]) -> str:
    value = match.group(0)
    return value if _UAI.fullmatch(value) or value in (CODE, PHONE) else CODE


def _logins(text: str, is_login: LoginRule) -> str:
    def one(token: str) -> str:
        core = token.strip("()«»“”\"'‘’,;:!?.")
        if not core or core in (LOGIN, EMAIL) or "@" in core or not is_login(core):
            return token
        return token.replace(core, LOGIN, 1)

    return " ".join(one(token) for token in text.split(" "))


def _name_words(text: str, start: int, strong: bool) -> list[re.Match[str]]:
    """The words of a name right after a cue: two at most, more while capitalised; only capitalised after a
    weak cue; never a common word nor an elided one ("n'arrive")."""
    words: list[re.Match[str]] = []
    for word in _WORD.finditer(text, start):
        value = word.group(0)
        between = text[(words[-1].end() if words else start) : word.start()]
        capitalised = _is_capitalised(value)
        if between.strip() or _plain(value) in _NOT_NAMES or ELISION.match(value):
            break
        if len(words) >= 4 or ((len(words) >= 2 or not strong) and not capitalised):
            break
        words.append(word)
    return words


def _names_after_cues(text: str) -> str:
    found = [(cue.end(), True) for cue in _STRONG_CUE.finditer(text)]
    found += [(cue.end(), False) for cue in _WEAK_CUE.finditer(text)]
    pieces, last = [], 0
    for end, strong in sorted(found):
        if end < last:
            continue
        words = _name_words(text, end, strong)
        if words:
            pieces += [text[last : words[0].start()], FULL_NAME if len(words) > 1 else FIRST_NAME]
            last = words[-1].end()
    return "".join(pieces) + text[last:]


def _shouted(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) > len(letters) / 2


def _capitalised_names(text: str) -> str:
    """Two capitalised words in a row anywhere, one capitalised word inside a sentence: a name, unless known or
    unless the whole message is shouted in capitals."""
    if _shouted(text):
        return text
    words = list(_WORD.finditer(text))
    out, last, index = [], 0, 0
    while index < len(words):
        word = words[index]
        value = word.group(0)
        if not _is_capitalised(value) or _plain(value) in _NOT_NAMES or ELISION.match(value):
            index += 1
            continue
        following = words[index + 1] if index + 1 < len(words) else None
        pair = (
            following is not None
            and text[word.end() : following.start()] == " "
            and _is_capitalised(following.group(0))
            and _plain(following.group(0)) not in _NOT_NAMES
        )
        before = text[: word.start()].rstrip()
        starts_sentence = not before or before[-1] in ".!?:;…"
        if pair and following is not None:
            out += [text[last : word.start()], FULL_NAME]
            last = following.end()
            index += 2
            continue
        if not starts_sentence and len(value) > 1 and not value.isupper():
            out += [text[last : word.start()], FIRST_NAME]
            last = word.end()
        index += 1
    return "".join(out) + text[last:]


def anonymise(text: str, is_login: LoginRule) -> str:
    """`text` (a stored, redacted message) with the redaction run again and every identifier a placeholder."""
    text = _one_line(text)
    text = _replace_marks(redact(text))
    text = _without_brackets(text)
    text = _URL.sub(_shorten_url, text)
    text = _digits_replaced(text)
    text = _logins(text, is_login)
    text = _names_after_cues(text)
    return _capitalised_names(text)


def _digits_replaced(text: str) -> str:
    return _DIGITS.sub(_digits, text)


def has_content(text: str) -> bool:
    """Whether an anonymised text says something beyond its placeholders (else it teaches nothing)."""
    rest = text
    for placeholder in (EMAIL, LOGIN, PHONE, CODE, SECRET, FULL_NAME, FIRST_NAME):
        rest = rest.replace(placeholder, " ")
    return any(c.isalpha() for c in rest)
