#!/usr/bin/env bash
# Create .venv and install the project (with dev extras when asked), plus the
# system libraries WeasyPrint needs. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"

apt_install() {
  # Install Debian packages only when something is missing (needs root or sudo).
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing system packages: ${missing[*]}" >&2
  $sudo apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
}

if command -v dpkg >/dev/null 2>&1; then
  # WeasyPrint renders with Pango; DejaVu covers accented and non-Latin names.
  # HarfBuzz-Subset embeds only the glyphs used (WeasyPrint warns without it).
  apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=".venv/.installed-${extras:-runtime}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >&2
  if [ "$extras" = "dev" ]; then
    .venv/bin/python -m pip install -q -e '.[dev]' >&2
  else
    .venv/bin/python -m pip install -q -e . >&2
  fi
  touch "$stamp"
fi
