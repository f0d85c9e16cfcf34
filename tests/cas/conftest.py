"""The services with the netocentre tenant logging in through a CAS (`tenants.netocentre.cas`)."""

from __future__ import annotations

from pydantic import AnyHttpUrl

from bot.config import AppConfig, CasSettings
from bot.services import Services

# the netocentre operator's groups of an ENT's local administrators: esco:admin:local:admin_<school>_<UAI>
ADML_GROUPS = r"[a-z0-9]+:admin:local:admin_.*_(?P<uai>\d{7}[A-Z])"


def with_cas(config: AppConfig, cas_url: str, public_url: str = "http://127.0.0.1:8080") -> AppConfig:
    """`config` with netocentre's CAS at `cas_url` (ADML membership from its groups), the server at `public_url`."""
    netocentre = config.tenants["netocentre"].model_copy(
        update={"cas": CasSettings(url=AnyHttpUrl(cas_url), adml_groups=ADML_GROUPS, timeout_seconds=10)}
    )
    web = config.web.model_copy(update={"public_url": AnyHttpUrl(public_url)})
    return config.model_copy(update={"tenants": {**config.tenants, "netocentre": netocentre}, "web": web})


def use_cas(services: Services, cas_url: str, public_url: str = "http://127.0.0.1:8080") -> Services:
    services.config = with_cas(services.config, cas_url, public_url)
    return services
