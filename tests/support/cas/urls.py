"""The test CAS server's addresses: the CAS protocol under /cas/ (login, logout, serviceValidate, p3/…)."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [path("cas/", include(("cas_server.urls", "cas_server"), namespace="cas_server"))]
