#!/usr/bin/env bash
# make run: install, migrate, seed, serve with gunicorn (gunicorn.conf.py).
#   make run                 this laptop only: http://127.0.0.1:5000
#   PORT=8080 make run       another port
#   make run ROOM=1          phones in the room: also listen on the laptop's
#                            network address, which the join links and QR codes name
#   ROOM_ADDRESS=10.0.0.5    pick that address yourself (0.0.0.0: every interface)
#   FACILITATOR_PUBLIC_URL=https://room.example.org   a tunnel or proxy in front:
#                            the base of every join link and QR code
#   DEMO_FACILITATOR_DISABLED=1   no demo account
# facilitator/serve.py does the serving part (`flask serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export FLASK_APP=facilitator
.venv/bin/flask db upgrade
.venv/bin/flask seed
exec .venv/bin/flask serve
