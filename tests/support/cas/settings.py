"""Django settings of the test CAS server (django-cas-server), read by `python -m django` in its own process.

Everything comes from the environment that `tests.support.cas_server` sets: the folder of its SQLite database
and the one test user (`cas_server.auth.TestAuthUser`: a login, a password and the attributes it releases). No
request leaves the machine: the page's CSS and script addresses are blank and the version check is off.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

FOLDER = Path(os.environ["CLEF_TEST_CAS_DIR"])
USER = json.loads(os.environ["CLEF_TEST_CAS_USER"])

SECRET_KEY = "tests-only-cas-server-key"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
TIME_ZONE = "Europe/Paris"
LANGUAGE_CODE = "fr"
USE_I18N = True

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "cas_server",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.support.cas.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(FOLDER / "cas.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
STATIC_URL = "/static/"
SESSION_COOKIE_NAME = "casserver"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

CAS_AUTH_CLASS = "cas_server.auth.TestAuthUser"
CAS_TEST_USER = USER["username"]
CAS_TEST_PASSWORD = USER["password"]
CAS_TEST_ATTRIBUTES = USER["attributes"]
CAS_NEW_VERSION_HTML_WARNING = False
CAS_NEW_VERSION_EMAIL_WARNING = False
CAS_SHOW_POWERED = False
CAS_COMPONENT_URLS = dict.fromkeys(
    ("bootstrap3_css", "bootstrap3_js", "html5shiv", "respond", "bootstrap4_css", "bootstrap4_js", "jquery"), ""
)
