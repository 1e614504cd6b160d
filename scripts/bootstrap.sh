#!/usr/bin/env bash
# Installs everything the checker and its tests need; safe to run again (it skips what is done).
#  - Debian packages: a CJK font for the PDF verdict (fonts-wqy-zenhei), emoji and Latin/Hebrew/Arabic
#    fonts for names that use them (fonts-noto-color-emoji, fonts-dejavu-core), poppler-utils
#    (pdftotext/pdffonts/pdftoppm, used by the tests), and WeasyPrint's Pango libraries.
#  - Debian's chromium, the browser the web app's end-to-end tests drive through Playwright
#    (/usr/bin/chromium; never `playwright install`), and node + npm (Debian's nodejs and npm, only
#    when no node / npm is on the PATH) to build the 3D viewer.
#  - postgresql, nginx and openssl for the tests of the registry on PostgreSQL and of the deployment
#    (docs/deploy.md). The tests start their own throw-away PostgreSQL cluster and nginx
#    (tests/postgres.py, tests/test_deploy.py) on free ports: the services are installed without
#    being started (a policy-rc.d that says no, for the install only), so Debian's cluster `main`
#    and its default nginx site stay stopped.
#  - A virtualenv in .venv with this project installed in editable mode, with its test extras.
#  - The 3D viewer bundle compliance/web/static/build/viewer.js (scripts/build_viewer.sh: npm ci +
#    esbuild, skipped when up to date).
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(fonts-wqy-zenhei fonts-noto-color-emoji fonts-dejavu-core poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig chromium postgresql nginx openssl)
# node and npm may come from elsewhere (NodeSource's nodejs holds npm): Debian's only when absent
command -v node >/dev/null || SYSTEM_PACKAGES+=(nodejs)
command -v npm >/dev/null || SYSTEM_PACKAGES+=(npm)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing system packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "bootstrap: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  no_start=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then      # services installed now are not started (see above)
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    no_start=1
  fi
  installed=0
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || installed=$?
  if [ -n "$no_start" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
  [ "$installed" -eq 0 ] || { echo "bootstrap: apt-get install failed" >&2; exit 1; }
  fc-cache -f >/dev/null 2>&1 || true
fi
fc-list | grep -qi "WenQuanYi" || { echo "bootstrap: the CJK font fonts-wqy-zenhei is not visible to fontconfig" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "bootstrap: /usr/bin/chromium is missing although the chromium package is installed" >&2; exit 1; }
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || { echo "bootstrap: PostgreSQL's initdb is missing under /usr/lib/postgresql although the postgresql package is installed" >&2; exit 1; }
[ -x /usr/sbin/nginx ] || { echo "bootstrap: /usr/sbin/nginx is missing although the nginx package is installed" >&2; exit 1; }

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating virtualenv .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "bootstrap: installing Python packages into .venv"
  # (grep drops pip's notes about optional local package mirrors this machine may list)
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | { grep -v "^WARNING: Location" || true; }
  PYTHONWARNINGS=ignore .venv/bin/python -m pip install -q -e '.[test]' 2>&1 | { grep -v "^WARNING: Location" || true; }
  .venv/bin/python -c "import ifcopenshell, durable.engine, weasyprint, pytest_bdd, playwright.sync_api" \
    || { echo "bootstrap: Python packages did not install; see the messages above" >&2; exit 1; }
  rm -f .venv/.installed-*
  touch "$stamp"
fi

bash scripts/build_viewer.sh
