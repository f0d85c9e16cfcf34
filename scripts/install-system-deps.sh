#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when they are missing: slapd and ldap-utils (the
# LDAP adapter's tests run a real OpenLDAP server), chromium and chromium-driver (the web page's tests),
# postgresql (the storage tests run the migrations and a conversation on a real PostgreSQL server), npm (the
# socket.io channel's browser test installs Rasa's web-chat widget from npm, tests/support/webchat/package.json).
set -euo pipefail

missing=()
command -v /usr/sbin/slapd >/dev/null 2>&1 || missing+=(slapd)
command -v ldapadd >/dev/null 2>&1 || missing+=(ldap-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need these Debian packages: ${missing[*]}." >&2
  echo "Install them as root:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "Installing ${missing[*]} (apt-get)…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
