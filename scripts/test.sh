#!/usr/bin/env bash
# make test: the whole suite, first on SQLite, then again on PostgreSQL.
# Installs what the tests need (venv, Chromium for browser tests, PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh dev

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium for the browser tests" >&2
  $sudo apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
fi
if ! command -v pdftotext >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq poppler-utils >&2 || true
fi

# The Nu HTML Checker for tests/test_html_valid.py: Debian's Java, and vnu.jar
# from npm's vnu-jar in .cache/vnu (its postinstall would fetch a Java of its
# own from elsewhere: skipped). Under CI=true the test fails without them.
if ! command -v java >/dev/null 2>&1; then
  echo "Installing Java for the HTML checker" >&2
  $sudo apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq default-jre-headless >&2
fi
VNU_VERSION=26.9.27
if ! grep -qs "\"version\": \"$VNU_VERSION\"" .cache/vnu/node_modules/vnu-jar/package.json; then
  if ! command -v npm >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq npm >&2
  fi
  echo "Installing the Nu HTML Checker (vnu-jar $VNU_VERSION)" >&2
  npm install --prefix .cache/vnu --no-save --no-audit --no-fund --ignore-scripts \
    "vnu-jar@$VNU_VERSION" >&2
fi

PG_URL="$(bash scripts/services.sh)"
export PYTHONDONTWRITEBYTECODE=1

echo "== Test suite on SQLite =="
.venv/bin/python -m pytest -n 2 -p no:cacheprovider "$@"

echo "== Test suite on PostgreSQL =="
TEST_DATABASE_URL="$PG_URL" .venv/bin/python -m pytest -n 2 -p no:cacheprovider "$@"
