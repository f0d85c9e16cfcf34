"""French normalisation for classification: what phone typing varies, folded away.

Lower case, accents stripped, elisions split (j'arrive → j arrive), letters repeated three times or more
cut to one (bonjouuuur → bonjour), SMS spellings and common misspellings rewritten, yes/no/hello/bye/thanks
in their many typed forms brought to one word, and entity values (usernames, e-mails, UAI codes, ticket
numbers) replaced by a placeholder word (the classifier learns "an identifier was given", not names). The text used to
find entity spans is never this one: `fold` keeps the length so spans map back to the original.
"""

from __future__ import annotations

import re
import unicodedata

from bot.core.accounts import LOGIN_PATTERN

_SPELLINGS: dict[str, str] = {
    "mdp": "mot de passe",
    "mdps": "mot de passe",
    "pwd": "mot de passe",
    "motdepasse": "mot de passe",
    "pass": "mot de passe",
    "pb": "probleme",
    "pbm": "probleme",
    "prob": "probleme",
    "pblm": "probleme",
    "svp": "s il vous plait",
    "stp": "s il te plait",
    "slt": "salut",
    "bjr": "bonjour",
    "bsr": "bonsoir",
    "cc": "coucou",
    "mrc": "merci",
    "mci": "merci",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "pr": "pour",
    "ds": "dans",
    "ns": "nous",
    "vs": "vous",
    "tt": "tout",
    "qd": "quand",
    "kan": "quand",
    "koi": "quoi",
    "koa": "quoi",
    "ke": "que",
    "ki": "qui",
    "c": "c est",
    "jsp": "je sais pas",
    "jsai": "je sais",
    "keske": "qu est ce que",
    "kesk": "qu est ce que",
    "esk": "est ce que",
    "pcq": "parce que",
    "pck": "parce que",
    "qqch": "quelque chose",
    "ajd": "aujourd hui",
    "auj": "aujourd hui",
    "msg": "message",
    "rdv": "rendez vous",
    "cad": "c est a dire",
    "jpp": "je peux pas",
    "jpeux": "je peux",
    "jarrive": "j arrive",
    "jariv": "j arrive",
    "jarive": "j arrive",
    "arrive": "arrive",
    "narrive": "n arrive",
    "jai": "j ai",
    "g": "j ai",
    "jme": "je me",
    "jsuis": "je suis",
    "chui": "je suis",
    "chuis": "je suis",
    "ya": "il y a",
    "ct": "c etait",
    "connection": "connexion",
    "conection": "connexion",
    "conexion": "connexion",
    "connecte": "connecter",
    "conecter": "connecter",
    "connecter": "connecter",
    "identifiant": "identifiant",
    "identifient": "identifiant",
    "idantifiant": "identifiant",
    "login": "identifiant",
    "id": "identifiant",
    "ident": "identifiant",
    "mail": "mail",
    "mel": "mail",
    "email": "mail",
    "courriel": "mail",
    "e-mail": "mail",
    "reinitialiser": "reinitialiser",
    "reinit": "reinitialiser",
    "reset": "reinitialiser",
    "activer": "activer",
    "activé": "active",
    "ent": "ent",
    "monlycee": "monlycee",
    "bloquer": "bloque",
    "bloqué": "bloque",
    "expirer": "expire",
    "expiré": "expire",
    "spam": "spam",
    "spams": "spam",
    "indesirable": "spam",
    "indesirables": "spam",
    # more SMS spellings and contractions
    "bcp": "beaucoup",
    "qqn": "quelqu un",
    "qqun": "quelqu un",
    "qq1": "quelqu un",
    "tlm": "tout le monde",
    "pdt": "pendant",
    "mtn": "maintenant",
    "tjr": "toujours",
    "tjrs": "toujours",
    "pu": "plus",
    "co": "connecter",
    "cmt": "comment",
    "comen": "comment",
    "coment": "comment",
    "kel": "quel",
    "kelle": "quelle",
    "conte": "compte",
    "jveux": "je veux",
    "jveu": "je veux",
    "jtrouve": "je trouve",
    "jsais": "je sais",
    "jlai": "je l ai",
    "jcomprend": "je comprends",
    "jcomprends": "je comprends",
    "jactive": "j active",
    "jy": "j y",
    "presta": "prestataire",
    "dispo": "disponible",
    "tiket": "ticket",
    "koment": "comment",
    "identifian": "identifiant",
    "identifients": "identifiants",
    # yes / no / hello / bye / thanks in their many typed forms
    "ouais": "oui",
    "ouai": "oui",
    "ouep": "oui",
    "ouii": "oui",
    "wi": "oui",
    "ui": "oui",
    "yes": "oui",
    "yep": "oui",
    "yup": "oui",
    "okay": "ok",
    "okey": "ok",
    "oki": "ok",
    "okk": "ok",
    "dac": "d accord",
    "dacc": "d accord",
    "dak": "d accord",
    "daccord": "d accord",
    "nan": "non",
    "nn": "non",
    "no": "non",
    "nope": "non",
    "nop": "non",
    "niet": "non",
    "thx": "merci",
    "thanks": "merci",
    "merciii": "merci",
    "mercii": "merci",
    "hello": "salut",
    "hi": "salut",
    "hey": "salut",
    "yo": "salut",
    "wesh": "salut",
    "hola": "salut",
    "ciao": "bye",
    "tchao": "bye",
    "aurevoir": "au revoir",
}
# entity values say nothing about the intent but that one was given: one placeholder word each
_EMAIL = re.compile(r"^[a-z0-9_.+\-]+@([a-z0-9\-]+)(\.[a-z0-9\-]+)+$")
_UAI = re.compile(r"^\d{7}[a-z]$")
_TICKET = re.compile(r"^#\d{1,9}$")
_USERNAME = re.compile(rf"^{LOGIN_PATTERN}$")
_NOT_USERNAMES = {"net", "fr", "com", "org", "eu", "iledefrance", "netocentre", "monlycee"}
_PLUS = re.compile(r"\ba\s?\+")
# who the user is (profile words) and which ENT: one more word says "a profile/an ENT was named"
_PROFILE_WORDS = {
    "eleve",
    "lyceen",
    "lyceenne",
    "parent",
    "parents",
    "maman",
    "papa",
    "mere",
    "pere",
    "prof",
    "professeur",
    "professeure",
    "enseignant",
    "enseignante",
    "documentaliste",
    "secretaire",
    "cpe",
    "intendant",
    "gestionnaire",
    "proviseur",
    "proviseure",
    "agent",
    "agente",
    "personnel",
    "prestataire",
    "technicien",
    "technicienne",
    "cridf",
    "dsi",
    "rectorat",
}
_TENANT_WORDS = {"monlycee", "monlycee.net", "netocentre", "lycees.netocentre.fr"}

_VERBS_AFTER_C = {"est", "etait", "etais"}
_ELISION = re.compile(r"\b([cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’`´]", re.IGNORECASE)
_REPEATS = re.compile(r"([a-z])\1{2,}")
_NON_WORD = re.compile(r"[^a-z0-9@#.\-]+")
_TOKEN = re.compile(r"[a-z0-9@#.\-]+")


def fold(text: str) -> str:
    """Lower case without accents, one character for one character (spans stay valid)."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        base = decomposed[0] if decomposed else char
        out.append(base.lower() if len(base.lower()) == 1 else base)
    return "".join(out)


def spelling_aliases() -> dict[str, str]:
    """Typed forms that normalisation rewrites (`jactive` → `j active`): the spelling corrector may aim at them."""
    return dict(_SPELLINGS)


def normalise(text: str) -> str:
    """The text the intent classifier sees."""
    folded = fold(text)
    folded = _ELISION.sub(lambda m: m.group(1).lower() + " ", folded)
    folded = _REPEATS.sub(r"\1", folded)
    folded = _PLUS.sub(" a plus ", folded)
    folded = _NON_WORD.sub(" ", folded)
    words = []
    tokens = [t for t in (token.strip(".-") for token in _TOKEN.findall(folded)) if t]
    for position, token in enumerate(tokens):
        if token == "c" and tokens[position + 1 : position + 2] and tokens[position + 1] in _VERBS_AFTER_C:
            words.append(token)  # "c'est" is already "c est": the SMS "c" must not become "c est est"
            continue
        words.append(_placeholder(token) or _SPELLINGS.get(token, token))
        if token in _PROFILE_WORDS:
            words.append("xprofile")
        elif token in _TENANT_WORDS:
            words.append("xtenant")
    return " ".join(words)


def _placeholder(token: str) -> str | None:
    """`lea.martin` → `xusername`, `0750655e` → `xuai`, `#42` → `xticket`, `a.b@gmail.com` → `xemail gmail`."""
    email = _EMAIL.match(token)
    if email:
        return f"xemail {email.group(1)}"
    if _UAI.match(token):
        return "xuai"
    if _TICKET.match(token):
        return "xticket"
    if _USERNAME.match(token) and not set(token.split(".")) & _NOT_USERNAMES:
        return "xusername"
    return None
