# The two commands a new machine needs: `make run` and `make test`.
# Everything else (virtualenv, system packages, databases) is set up by them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: ## Install, create and seed the SQLite database, serve on http://127.0.0.1:5000 (ROOM=1: to phones on this network)
	@bash scripts/run.sh

test: ## Install what the tests need and run the whole suite on SQLite and PostgreSQL
	@bash scripts/test.sh

lint: ## ruff check and format check
	@bash scripts/bootstrap.sh dev >/dev/null && .venv/bin/ruff check . && .venv/bin/ruff format --check .

.PHONY: help run test lint
