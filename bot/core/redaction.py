"""Redaction of what must not be stored: passwords, e-mail addresses, phone numbers, one-time codes.

`redact` is the one boundary every stored or logged text passes through. A password is found where it is
announced ("mon mdp c'est …", "mot de passe : …", "mp: …", "j'ai essayé … mais", "avec … ça marche pas",
"… c'est mon mdp", a quoted secret, a word typed right after an identifier) or where a lone token looks like one
(letters mixed with digits and capitals or symbols). A passphrase is taken to the end of its clause.
Identifiers (`prenom.nom2`), school codes (`0751234A`), ticket numbers and dates stay readable.

`safe_identifier` and `safe_target` decide what may stand in a column that names an account: a well-formed
identifier, a ticket or request reference, or nothing (a marker).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from bot.core.accounts import LOGIN_PATTERN
from bot.core.words import ELISION, word_set

PASSWORD_MARK = "[mot de passe masqué]"
NOT_AN_IDENTIFIER = "[texte non conservé]"
PHONE_MARK = "[téléphone masqué]"
CODE_MARK = "[code masqué]"

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")
_CODE = re.compile(r"(?<![\d#])\d{6}(?!\d)")
_IDENTIFIER = re.compile(rf"(?i:{LOGIN_PATTERN})")
_UAI = re.compile(r"\d{7}[A-Za-z]")
_REFERENCE = re.compile(r"(?:ticket|request|demande|requete) \d{1,12}")
# what names something the assistant needs: never a secret, even right after "mot de passe :"
_NAMES = re.compile(
    rf"(?i:{LOGIN_PATTERN})|\d{{7}}[A-Za-z]|(?:#|n°)\d+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:https?://|www\.)\S+|\[[^\]]*\]?"
    r"|\{\w+\}"  # a placeholder of the knowledge files
)
# ... and what ordinary sentences hold that is not a secret either: dates and times
_PROTECTED = re.compile(rf"{_NAMES.pattern}|\d{{1,2}}[/.-]\d{{1,2}}(?:[/.-]\d{{2,4}})?|\d{{1,2}}h\d{{0,2}}")
# a lone token mixing letters with digits or symbols, 8+ chars, and not a school code nor an identifier (whatever
# its case: phones capitalise "Marie.dupont2")
_PASSWORD_LIKE = re.compile(
    r"(?<!\S)(?=\S*[A-Za-z])(?=\S*\d)(?=\S*[^\w\s.@-]|\S*[A-Z])"
    rf"(?![(«\"']*(?:\d{{7}}[A-Za-z]|(?i:{LOGIN_PATTERN}))[)\]».,;:!?\"']*(?!\S))(?!(?:https?://|www\.))\S{{8,}}(?!\S)"
)

# a Telegram chat's sender id, which logs name (a web chat's is the key to its inbox: it stays masked)
_TELEGRAM_SENDER = re.compile(r"telegram:\d{1,20}")

_APOS = r"['’]"
_WRAPPING = "()[]{}«»“”\"'‘’,.;:!?"
"""Punctuation around a word, not part of it."""
# a word the user names an identifier just before ("mon identifiant : F0712abc") is not a lone password-like word
_NAMED_IDENTIFIER = re.compile(
    rf"\b(?:identifiant|identifian|login|uid)\s*(?::|=|c{_APOS}?\s?est|est|c)?\s*$", re.IGNORECASE
)
_QUOTES = {'"': '"', "'": "'", "«": "»", "“": "”", "‘": "’", "`": "`"}
_ANNOUNCER = re.compile(
    r"(?<![\w\[-])(?:mots?[\s-]+de[\s-]+pass?e?s?|mdp|mp|pass|password|passwd|pwd"
    r"|codes?(?:\s+d['’ ]?\s*acc[eè]s|\s+secrets?)?)"
    r"(?![\w-])",
    re.IGNORECASE,
)
# the qualifiers a password is spoken of with, typos in their endings included ("mdp provisoir")
_QUALIFIERS = r"(?:provis\w*|tempor\w*|d[ée]finiti\w*|actuel\w*|initial|ent|cesame|monlyc[ée]e|netocentre)"
# what may stand between the announcer and the secret; the group says how strongly it announces one
_SEPARATOR = re.compile(
    rf"(?:\s+{_QUALIFIERS}(?!\w))*\s*"
    rf"(?:,?\s*(?:(?P<strong>:|=|->)|(?P<weak>c{_APOS}\s?est(?!\w)|c\s+est(?!\w)|cest(?!\w)|c(?!\w|{_APOS})|est(?!\w))))?"
    r"\s*(?:(?<=est)\s*:\s*|(?<=\s)(?::|=)\s*)?",
    re.IGNORECASE,
)
_VERB = re.compile(
    rf"(?<!\w)(?:(?:j{_APOS}\s?|j\s|)ai\s+|jai\s+|g\s+|je\s+|j{_APOS}|en\s+)"
    r"(?:essay[ée]e?s?|essaie|essaye|tap[ée]e?s?|tape|tapant|mis|met|mets|mettant|saisi|saisis|saisissant|"
    r"rentr[ée]|rentre|entr[ée]|utilis[ée])"
    r"(?:\s+avec)?(?!\w)\s*",
    re.IGNORECASE,
)
_FILLER = re.compile(r"(?:bien|juste|normalement|simplement|pourtant|donc|en fait)\s+(?=\S)", re.IGNORECASE)
# "marie.dupont soleil2024", "marie.dupont / tournesol": the credentials typed together
_AFTER_IDENTIFIER = re.compile(
    rf"(?<![\w.@-])(?i:{LOGIN_PATTERN})(?P<separator>\s*/\s*|\s*:\s*|\s+)(?P<secret>\S+)", re.IGNORECASE
)
_AVEC = re.compile(r"(?<!\w)avec\s+", re.IGNORECASE)
_FAILS = re.compile(
    rf"\s*,?\s*(?:(?:ça|ca|sa|ce|cela|il|elle|le site|l{_APOS}ent)\s+)?(?:(?:me\s+)?(?:ne\s+|n{_APOS}\s?))?"
    rf"(?:(?:marche|marchent|fonctionne|passe|va|veut|accepte)\s+(?:pas|plus)|c{_APOS}?\s?est\s+refus|"
    r"(?:me\s+)?(?:dit|met|marque|affiche)(?!\w)|bloque|refus)",
    re.IGNORECASE,
)
_BEFORE_ANNOUNCER = re.compile(
    rf"(?<!\S)(?P<secret>\S+)\s+(?:c{_APOS}\s?est|cest|est|comme|c)\s+(?:(?:mon|ma|le|un|mes|l{_APOS})\s*)?"
    rf"(?:(?:nouveau|ancien|vrai)\s+)?(?:mots?\s+de\s+pass?e?|mdp|mp|password|code)(?!\w)",
    re.IGNORECASE,
)


_FUNCTION_WORDS = word_set(
    "oups oops ah oh bah ben euh mince zut hum ouf pardon dsl desole desolee "
    "a au aux avec ce ces cet cette ca sa se si de des du d en et ou mais donc or ni car que qu qui quoi quand "
    "comment pourquoi pour pr par sur sous dans chez vers depuis pendant avant apres le la les l un une mon ma mes "
    "ton ta tes son ses notre nos votre vos leur leurs je j tu il elle on nous vous ils elles me m te t lui y ne "
    "n pas plus jamais rien aucun aucune tout tous toute toutes est es sont etait ai as ont avait avais svp stp "
    "merci bien mal tres trop encore toujours deja aussi alors pourtant puis ensuite non oui ok bonjour bonsoir "
    "hier aujourd aujourdhui demain matin soir ici meme autre autres quel quelle quels quelles combien dont "
    "lequel laquelle celui celle ceux moi toi eux sans plusieurs c cest s sil comme ya y-a parce puisque lorsque "
    "enfin genre vraiment juste peut-etre peut etre faut fo dois fais fait faire"
)
_DOMAIN_WORDS = word_set(
    "provisoire provisoires temporaire temporaires definitif definitifs initial actuel actuels nouveau nouvel "
    "nouvelle ancien ancienne ent cesame monlycee netocentre eleve parent prof professeur oublie oubliee oublies "
    "perdu perdue perdus incorrect incorrecte invalide valide correct correcte faux fausse bon bons mauvais "
    "refuse refusee refuses accepte acceptes reconnu bloque bloques expire expiree change changes changer "
    "modifier reinitialise reinitialiser reinit reset remis complexe complique conforme solide fort faible simple "
    "court courte long longue doit doivent peut peuvent marche marchent fonctionne fonctionnent passe "
    "etablissement lycee college ecole postal uai verification validation activation activer habituel habituels "
    "neuf neufs etape mail mails sms recu recus envoye donne donnes distribue marche compte comptes identifiant "
    "identifiants login connexion site page lien application appli telephone portable ordi ordinateur tablette "
    "chrome firefox safari edge navigateur iphone android wifi casier papier feuille courrier jamais minimum mini "
    "maximum max caracteres lettres chiffres majuscules minuscules symboles accents espaces regles regle securite "
    "format longueur politique exigences criteres contraintes conditions quoi ok okay oublier perdre retrouver "
    "recuperer trouver donner envoyer renvoyer refaire saisir taper entrer mettre tape mis saisi dessus dedans "
    "correctement mauvaise erreur message nul chiant bizarre normal possible impossible pareil same fourni "
    "fournis fournie fournies remise remises transmis envoyes donnee donnees choisi choisis juge introuvable "
    "inconnu different differente identique perime perime vide bloquee expires refusees zappe"
)
_STOP_WORDS = _FUNCTION_WORDS | _DOMAIN_WORDS
# words a strong separator (":", "=") may be followed by without announcing a secret ("mot de passe : mini 8 ?")
_DESCRIPTIVE = word_set(
    "mini minimum max maximum combien quel quelle quels quelles oublie oubliee perdu pas aucun rien incorrect "
    "invalide refuse quoi comment pourquoi"
)
_CLAUSE_END = word_set(
    "mais et ou puis je j ça ca sa il elle on ils elles ne n pourtant alors donc car parce quand lorsque svp stp "
    "merci pour sur depuis avec mon ma mes identifiant login ce cela comme qui que qu est sont"
)
# adverbs and adjectives that describe a password rather than spell one ("complètement", "introuvable")
_ORDINARY_ENDINGS = ("ment", "able", "ible")
_IMPERATIVE = re.compile(r"^[a-z]+-(?:le|la|les|moi|vous|nous|lui|en|y)$")  # "cherchez-le", "dites-moi"
_MAX_PASSPHRASE_WORDS = 8
_NOTHING_BETWEEN_WORDS = 5
_WORD = re.compile(r"\S+")


def _plain(word: str) -> str:
    """The word as the stop lists spell it: lower case, no accents, no surrounding punctuation."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.strip(".,;:!?()\"'«»“”‘’…")


def _elided(word: str) -> str | None:
    """`j'ai` → `j`: the elided article or pronoun a word starts with, if any."""
    match = ELISION.match(word)
    return _plain(match.group(0)[:-1]) if match else None


def _is_protected(word: str, dates: bool = True) -> bool:
    """Identifiers, school codes, ticket numbers, addresses, URLs, markers (and dates) are not secrets."""
    return bool((_PROTECTED if dates else _NAMES).fullmatch(word.strip(".,;:!?()")))


def _is_stop(word: str) -> bool:
    plain = _plain(word)
    if not plain or plain in _STOP_WORDS or _elided(word) is not None or word[0] in "({[" or _IMPERATIVE.search(plain):
        return True
    return (plain.isdigit() and len(plain) < 4) or (plain.isalpha() and plain.endswith(_ORDINARY_ENDINGS))


def _ends_clause(word: str) -> bool:
    """A linking word, something the assistant keeps, or a punctuation mark standing alone (French puts a space
    before "!" and "?": "j'ai tapé tournesol !")."""
    plain = _plain(word)
    return not plain or plain in _CLAUSE_END or _elided(word) in _CLAUSE_END or _is_protected(word)


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    text: str


def _words(text: str, start: int, limit: int) -> list[_Word]:
    """Up to `limit` words from `start`, stopping at a line break."""
    found: list[_Word] = []
    for match in _WORD.finditer(text, start):
        if "\n" in text[found[-1].end if found else start : match.start()]:
            break
        found.append(_Word(match.start(), match.end(), match.group(0)))
        if len(found) == limit:
            break
    return found


def _quoted(text: str, start: int) -> tuple[int, int] | None:
    """The span of a quoted secret opening at `start`, quotes included."""
    if start >= len(text) or text[start] not in _QUOTES:
        return None
    close = text.find(_QUOTES[text[start]], start + 1)
    if close == -1 or close - start > 80 or "\n" in text[start:close]:
        return None
    return (start, close + 1) if close > start + 1 else None


def _phrase(
    text: str, start: int, max_words: int, announced: bool = False, until_stop: bool = False
) -> tuple[int, int] | None:
    """The secret starting at `start`: one word or a passphrase up to the end of its clause (`until_stop`: up to
    the next ordinary word, when nothing but a space announced it: "mon mdp tortue rouge marche pas")."""
    quoted = _quoted(text, start)
    if quoted:
        return quoted
    words = _words(text, start, max_words)
    if not words or (words[0].start != start and text[start : words[0].start].strip()):
        return None
    first = words[0]
    if _is_protected(first.text, dates=not announced) or (not announced and _is_stop(first.text)):
        return None
    end = first.end
    if first.text[-1] not in ",;.!?":
        for word in words[1:]:
            if _ends_clause(word.text) or (until_stop and _is_stop(word.text)):
                break
            end = word.end
            if word.text[-1] in ",;.!?":
                break
    return first.start, end - 1 if text[end - 1] == "," and end - 1 > first.start else end


def _after_announcer(text: str, match: re.Match[str]) -> tuple[int, int] | None:
    separator = _SEPARATOR.match(text, match.end())
    if separator is None:
        return None
    start = separator.end()
    if start >= len(text):
        return None
    if separator.group("strong"):
        words = _words(text, start, 2)
        if words and (_plain(words[0].text) in _DESCRIPTIVE or _IMPERATIVE.search(_plain(words[0].text))):
            return None
        if len(words) == 2 and re.fullmatch(r"\d{1,3}", words[0].text) and _is_stop(words[1].text):
            return None  # "mot de passe : 8 caractères minimum"
        return _phrase(text, start, _MAX_PASSPHRASE_WORDS, announced=True)
    if separator.group("weak"):
        filler = _FILLER.match(text, start)  # "c'est bien tournesol"
        return _phrase(text, filler.end() if filler else start, _MAX_PASSPHRASE_WORDS)
    if not text[start - 1].isspace():
        return None  # `mot de passe provisoire"`: nothing announced
    return _phrase(text, start, _NOTHING_BETWEEN_WORDS, until_stop=True)


def _after_verb(text: str, match: re.Match[str], followed_by_failure: bool) -> tuple[int, int] | None:
    """`j'ai essayé X mais`, `avec X ça marche pas`: X, when what follows shows it was a password."""
    start = match.end()
    if _ANNOUNCER.match(text, start):
        return None  # "j'ai tapé mdp: …" is the announcer's
    quoted = _quoted(text, start)
    if quoted:
        return quoted
    words = _words(text, start, 5)
    if not words or _is_stop(words[0].text) or _is_protected(words[0].text):
        return None
    for count in range(1, len(words) + 1):
        end = words[count - 1].end
        rest = text[end:]
        if followed_by_failure:
            if _FAILS.match(rest):
                return start, end
            continue
        if not rest.strip() or "\n" in rest[: len(rest) - len(rest.lstrip())] or words[count - 1].text[-1] in ",;.!?":
            return start, end
        if count < len(words) and _ends_clause(words[count].text):
            return start, end
        if count < len(words) and _is_stop(words[count].text):
            return None
    return None


def _clause_start(text: str, start: int) -> int:
    """Where the passphrase ending just before `start` begins ("tortue rouge danse c'est mon mdp")."""
    line_start = text.rfind("\n", 0, start) + 1
    before = list(_WORD.finditer(text, line_start, start))
    for word in reversed(before[-_NOTHING_BETWEEN_WORDS:]):
        if _is_stop(word.group(0)) or _ends_clause(word.group(0)) or word.group(0)[-1] in ",;.!?:":
            break
        start = word.start()
    return start


def password_spans(text: str) -> list[tuple[int, int]]:
    """Where the text holds a password, as sorted, disjoint `(start, end)` spans."""
    spans = [
        *_announced(text),
        *_named_by_a_verb(text),
        *_before_an_announcer(text),
        *_after_an_identifier(text),
        *(
            match.span()
            for match in _PASSWORD_LIKE.finditer(text)
            if _PASSWORD_LIKE.fullmatch(match.group(0).strip(_WRAPPING))  # "(test14)," is no password-like word
            and not _NAMED_IDENTIFIER.search(text, 0, match.start())
            and not _TELEGRAM_SENDER.fullmatch(match.group(0).strip(_WRAPPING))
        ),
    ]
    return _merged(spans)


def _announced(text: str) -> Iterator[tuple[int, int]]:
    """Secrets an announcer introduces: "mon mdp c'est …", "mot de passe : …"."""
    for match in _ANNOUNCER.finditer(text):
        if found := _after_announcer(text, match):
            yield found


def _named_by_a_verb(text: str) -> Iterator[tuple[int, int]]:
    """Secrets after "j'ai essayé …" (up to the clause's end) and "avec … ça marche pas" (before the failure)."""
    for match in _VERB.finditer(text):
        if found := _after_verb(text, match, followed_by_failure=False):
            yield found
    for match in _AVEC.finditer(text):
        if found := _after_verb(text, match, followed_by_failure=True):
            yield found


def _before_an_announcer(text: str) -> Iterator[tuple[int, int]]:
    """Passphrases named afterwards: "tortue rouge danse c'est mon mdp"."""
    for match in _BEFORE_ANNOUNCER.finditer(text):
        secret = match.group("secret")
        if not _is_stop(secret) and not _is_protected(secret):
            yield _clause_start(text, match.start("secret")), match.end("secret")


def _after_an_identifier(text: str) -> Iterator[tuple[int, int]]:
    """A word typed right after an identifier, unless it rather reads as a name or a town."""
    for match in _AFTER_IDENTIFIER.finditer(text):
        secret = match.group("secret")
        if (
            _is_stop(secret)
            or _is_protected(secret)
            or _ends_clause(secret)
            or not any(c.isalnum() for c in secret)  # an emoji or a smiley after an identifier is no secret
            or _ANNOUNCER.match(text, match.start("secret"))  # "marie.dupont mot de passe …": the announcer's
        ):
            continue
        # a capitalised word after an identifier is rather a name or a town ("marie.dupont Versailles")
        looks_secret = (
            "/" in match.group("separator") or re.search(r"[\d\W_]", secret.rstrip(",.;")) or secret.islower()
        )
        if looks_secret and (found := _phrase(text, match.start("secret"), _NOTHING_BETWEEN_WORDS, until_stop=True)):
            yield found


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans sorted, overlapping or touching ones merged."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mask_email(address: str) -> str:
    """`marie.dupont@gmail.com` → `m***t@g***.com`: enough for its owner to recognise it."""
    local, _, domain = address.partition("@")
    name, dot, tld = domain.rpartition(".")
    masked_local = local[0] + "***" + (local[-1] if len(local) > 2 else "")
    masked_domain = (name[0] + "***" + dot + tld) if name else domain
    return f"{masked_local}@{masked_domain}"


def contains_password(text: str) -> bool:
    """Whether the text seems to hold a password ("mon mdp est …", or a lone password-like token)."""
    return bool(password_spans(text))


_CLEAN: dict[str, None] = {}  # texts found to hold nothing to mask (kept as they are): never a secret
_CLEAN_KEPT = 4096
_CLEAN_LENGTH = 512  # longer texts are not remembered


def redact(text: str) -> str:
    """The text with passwords, addresses, phone numbers and 6-digit codes replaced by markers.

    A text that held nothing to mask is remembered (up to `_CLEAN_KEPT` of them, each up to `_CLEAN_LENGTH`
    characters) and returned at once the next time: a tracker's slot values and the assistant's own sentences
    come back on every turn. Only such texts are remembered, so nothing secret is kept."""
    if text in _CLEAN:
        return text
    redacted = _redacted(text)
    if redacted == text and len(text) <= _CLEAN_LENGTH:
        if len(_CLEAN) >= _CLEAN_KEPT:
            _CLEAN.clear()
        _CLEAN[text] = None
    return redacted


def _redacted(text: str) -> str:
    pieces: list[str] = []
    last = 0
    for start, end in password_spans(text):
        pieces += [text[last:start], PASSWORD_MARK]
        last = end
    text = "".join(pieces) + text[last:]
    text = _EMAIL.sub(lambda m: "[adresse " + mask_email(m.group(0)) + "]", text)
    text = _PHONE.sub(PHONE_MARK, text)
    return _CODE.sub(CODE_MARK, text)


IdentifierRule = Callable[[object], bool]
"""Whether a value is an ENT identifier a store may keep (each tenant's formats: `identifier_rule`)."""


def is_identifier(value: object) -> bool:
    """Whether `value` is a well-formed ENT identifier (`prenom.nom`, `prenom.nom2`), whatever its case."""
    return isinstance(value, str) and bool(_IDENTIFIER.fullmatch(value.strip()))


def identifier_rule(patterns: Iterable[str]) -> IdentifierRule:
    """`is_identifier` for these identifier formats (a tenant's own, such as `test14`); never a password."""
    compiled = [re.compile(p, re.IGNORECASE) for p in patterns]

    def rule(value: object) -> bool:
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > 64:
            return False
        text = value.strip()
        if is_identifier(text):
            return True
        return any(p.fullmatch(text) for p in compiled) and not contains_password(text)

    return rule


def safe_identifier(value: object, is_id: IdentifierRule = is_identifier) -> str | None:
    """`value` as an identifier column may keep it: a well-formed identifier in lower case, else None."""
    return value.strip().lower() if isinstance(value, str) and is_id(value) else None


def safe_target(value: str | None, is_id: IdentifierRule = is_identifier) -> str | None:
    """What an audit row may name as its target: an identifier, a ticket or request reference, else a marker."""
    if value is None:
        return None
    if is_id(value):
        return value.strip().lower()
    if _REFERENCE.fullmatch(value.strip()) or _UAI.fullmatch(value.strip()):
        return value.strip()
    return NOT_AN_IDENTIFIER
