"""French normalisation for classification: what phone typing varies, folded away.

Lower case, accents stripped, elisions split (j'arrive → j arrive), letters repeated three times or more
cut to one (bonjouuuur → bonjour), SMS spellings and common misspellings rewritten. The text used to
find entity spans is never this one: `fold` keeps the length so spans map back to the original.
"""

from __future__ import annotations

import re
import unicodedata

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
}

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


def normalise(text: str) -> str:
    """The text the intent classifier sees."""
    folded = fold(text)
    folded = _ELISION.sub(lambda m: m.group(1).lower() + " ", folded)
    folded = _REPEATS.sub(r"\1", folded)
    folded = _NON_WORD.sub(" ", folded)
    words = []
    for token in _TOKEN.findall(folded):
        token = token.strip(".-")
        if not token:
            continue
        words.append(_SPELLINGS.get(token, token))
    return " ".join(words)
