#!/usr/bin/env bash
# make run: install, migrate, seed, serve on http://127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export FLASK_APP=facilitator
.venv/bin/flask db upgrade
.venv/bin/flask seed
if [ -z "${DEMO_FACILITATOR_DISABLED:-}" ]; then
  # A demo account so a new user can open the facilitator views straight away.
  .venv/bin/flask create-demo-facilitator
fi
echo "Serving on http://127.0.0.1:5000 (Ctrl-C stops)"
exec .venv/bin/flask run --host 127.0.0.1 --port "${PORT:-5000}"
