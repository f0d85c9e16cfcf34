"""The ENT's own login (CAS 3), without I/O: the URLs, the validation answer, and what its attributes say.

The adapter (`bot.cas.client`) asks the CAS's `/p3/serviceValidate`; this module builds the URLs it and the
chat need, reads the XML it gets back, and turns the released attributes into a `CasIdentity`: who the user
is (the account's identifier), their school, and their ADML membership when the CAS says it.

An attribute's value may come as one string or as a list (several elements of one name in the XML; a list in a
mapping such as python-cas returns): `values` takes both and gives a tuple. Attribute names are compared
without regard to case, as LDAP, where they come from, compares them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

CALLBACK_PATH = "/cas/callback"
"""Where the CAS sends the browser back with a ticket: the path of the service URL, served by the web channel."""

STATE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,128}$")
TICKET_MAX_CHARS = 256  # CAS 3 §3.7: services must accept tickets of up to 32 characters, 256 recommended
UAI = re.compile(r"^\d{7}[A-Z]$")

# why a validation failed, by the CAS 3 error code (§2.5.3 of the protocol): the words the user reads
_FAILURES = {
    "INVALID_TICKET": "ticket_refused",  # unknown, already validated (a replay) or expired
    "INVALID_TICKET_SPEC": "ticket_refused",
    "INVALID_SERVICE": "foreign_service",  # issued for another service than this assistant's
}
OTHER_FAILURE = "cas_refused"


@dataclass(frozen=True)
class CasSuccess:
    """The CAS vouched for `principal`; `attributes` are what it released, each as a tuple of values."""

    principal: str
    attributes: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class CasFailure:
    """The CAS refused the ticket; `code` is its error code (`INVALID_TICKET`, `INVALID_SERVICE`, …)."""

    code: str
    detail: str = ""

    @property
    def reason(self) -> str:
        """The refusal reason the assistant words: `ticket_refused`, `foreign_service` or `cas_refused`."""
        return _FAILURES.get(self.code.strip().upper(), OTHER_FAILURE)


class CasResponseError(ValueError):
    """The answer is not a CAS validation response (the server is not a CAS, or something in between broke it)."""


@dataclass(frozen=True)
class AttributeNames:
    """Which released attribute says what (`tenants.*.cas.attributes`); None when the CAS does not release it."""

    login: str | None = "ENTPersonLogin"
    school: str | None = "ESCOUAICourant"
    schools: str | None = "ESCOUAI"
    profiles: str | None = "ENTPersonProfils"
    groups: str | None = "isMemberOf"
    mail: str | None = "mail"


@dataclass(frozen=True)
class CasIdentity:
    """Who the CAS says the user is."""

    principal: str
    login: str  # the account's identifier, lower case: the login attribute, else the principal
    school: str | None  # the current school's UAI, else the first of their schools
    schools: tuple[str, ...]
    profiles: tuple[str, ...]
    mail: str | None
    adml_of: tuple[str, ...] | None  # the UAIs the CAS says they administer; None when the CAS does not say


# -- URLs ---------------------------------------------------------------------------------------------------
def service_url(public_url: str, state: str) -> str:
    """This assistant's service URL for one login: the callback, with the login's single-use state."""
    return f"{public_url.rstrip('/')}{CALLBACK_PATH}?{urlencode({'state': state})}"


def login_url(cas_url: str, service: str) -> str:
    """The CAS login page that sends the browser back to `service` with a ticket."""
    return f"{cas_url.rstrip('/')}/login?{urlencode({'service': service})}"


def validation_url(cas_url: str, service: str, ticket: str) -> str:
    """The CAS 3 service ticket validation (`/p3/serviceValidate`, which releases attributes)."""
    return f"{cas_url.rstrip('/')}/p3/serviceValidate?{urlencode({'service': service, 'ticket': ticket})}"


def plausible_state(state: str) -> bool:
    return bool(STATE_PATTERN.match(state))


def plausible_ticket(ticket: str) -> bool:
    """A ticket the CAS could have issued: printable ASCII without spaces, at most 256 characters."""
    return 0 < len(ticket) <= TICKET_MAX_CHARS and all("!" <= ch <= "~" for ch in ticket)


# -- the validation response --------------------------------------------------------------------------------
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ElementTree.Element, name: str) -> ElementTree.Element | None:
    return next((child for child in element if _local(child.tag) == name), None)


def _attributes(element: ElementTree.Element | None) -> dict[str, tuple[str, ...]]:
    """`<cas:attributes>`: one element per value (`<cas:isMemberOf>` repeated for a list), or the older
    `<cas:attribute name="…" value="…"/>` form some servers send."""
    found: dict[str, list[str]] = {}
    for item in element if element is not None else ():
        name, value = _local(item.tag), item.text
        if name == "attribute" and "name" in item.attrib:
            name, value = item.attrib["name"], item.attrib.get("value", value)
        if value is not None and value.strip():
            found.setdefault(name, []).append(value.strip())
    return {name: tuple(items) for name, items in found.items()}


def parse_validation(body: bytes | str) -> CasSuccess | CasFailure:
    """The CAS's answer to a service ticket validation; `CasResponseError` when it is not one."""
    raw = body.encode() if isinstance(body, str) else body
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        raise CasResponseError("a CAS response declares no document type nor entity")
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        raise CasResponseError(f"not XML ({exc})") from None
    if _local(root.tag) != "serviceResponse":
        raise CasResponseError(f"not a CAS serviceResponse (root element {_local(root.tag)!r})")
    failure = _child(root, "authenticationFailure")
    if failure is not None:
        return CasFailure(failure.attrib.get("code", ""), (failure.text or "").strip())
    success = _child(root, "authenticationSuccess")
    user = _child(success, "user") if success is not None else None
    if success is None or user is None or not (user.text or "").strip():
        raise CasResponseError("a CAS serviceResponse with neither a failure nor a user")
    return CasSuccess((user.text or "").strip(), _attributes(_child(success, "attributes")))


# -- what the attributes say --------------------------------------------------------------------------------
def values(attributes: Mapping[str, object], name: str | None) -> tuple[str, ...]:
    """The values of attribute `name` (any case), whether it came as one string or as a list; blanks dropped."""
    if name is None:
        return ()
    wanted = name.lower()
    raw = next((value for key, value in attributes.items() if key.lower() == wanted), None)
    if raw is None:
        return ()
    items: Iterable[object] = [raw] if isinstance(raw, str) or not isinstance(raw, Iterable) else raw
    return tuple(str(item).strip() for item in items if item is not None and str(item).strip())


def _uais(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(u for u in (item.strip().upper() for item in items) if UAI.match(u)))


def administered_schools(groups: Iterable[str], pattern: re.Pattern[str]) -> tuple[str, ...]:
    """The UAIs of the groups that `pattern` (with its named group `uai`) wholly matches, once each, sorted."""
    found = (match.group("uai") for group in groups if (match := pattern.fullmatch(group)))
    return tuple(sorted(set(_uais(u for u in found if u))))


def identity_of(
    success: CasSuccess, names: AttributeNames = AttributeNames(), adml_groups: re.Pattern[str] | None = None
) -> CasIdentity:
    """Who the CAS says the user is: the login attribute (else the principal), the school, the ADML membership
    (from the groups `adml_groups` matches; None without a pattern: the CAS does not say)."""
    attributes = success.attributes
    login = next(iter(values(attributes, names.login)), success.principal).strip().lower()
    schools = _uais(values(attributes, names.schools))
    current = _uais(values(attributes, names.school))
    adml_of = None if adml_groups is None else administered_schools(values(attributes, names.groups), adml_groups)
    return CasIdentity(
        principal=success.principal,
        login=login,
        school=next(iter(current + schools), None),
        schools=schools,
        profiles=values(attributes, names.profiles),
        mail=next(iter(values(attributes, names.mail)), None),
        adml_of=adml_of,
    )
