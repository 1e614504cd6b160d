#!/usr/bin/env bash
# Installs everything the checker and its tests need; safe to run again (it skips what is done).
#  - Debian packages: a CJK font for the PDF verdict (fonts-wqy-zenhei), emoji and Latin/Hebrew/Arabic
#    fonts for names that use them (fonts-noto-color-emoji, fonts-dejavu-core), poppler-utils
#    (pdftotext/pdffonts/pdftoppm, used by the tests), and WeasyPrint's Pango libraries.
#  - A virtualenv in .venv with this project installed in editable mode, with its test extras.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(fonts-wqy-zenhei fonts-noto-color-emoji fonts-dejavu-core poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig)

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
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fc-cache -f >/dev/null 2>&1 || true
fi
fc-list | grep -qi "WenQuanYi" || { echo "bootstrap: the CJK font fonts-wqy-zenhei is not visible to fontconfig" >&2; exit 1; }

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
  .venv/bin/python -c "import ifcopenshell, durable.engine, weasyprint, pytest_bdd" \
    || { echo "bootstrap: Python packages did not install; see the messages above" >&2; exit 1; }
  rm -f .venv/.installed-*
  touch "$stamp"
fi
