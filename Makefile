# Homeward: `make run` serves the bot, `make test` runs the whole suite. Both set up first.
SHELL := /bin/bash
APP_PY := .venv/bin/python
HOMEWARD := .venv/bin/homeward

.PHONY: help setup run test test-unit nlu-eval bench clean
help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup: .venv/.installed .venv-rasa/.installed  ## app and Rasa environments, database, knowledge base, NLU model
	$(HOMEWARD) db upgrade
	$(HOMEWARD) kb load
	$(HOMEWARD) nlu train

.venv/.installed: pyproject.toml
	test -x $(APP_PY) || "$$(scripts/find-python 3.11 --min)" -m venv .venv
	$(APP_PY) -m pip install -q --upgrade pip
	$(APP_PY) -m pip install -q -e '.[test]'
	touch $@

.venv-rasa/.installed: nlu/requirements.txt
	test -x .venv-rasa/bin/python || "$$(scripts/find-python 3.10)" -m venv .venv-rasa
	.venv-rasa/bin/python -m pip install -q --upgrade pip 'setuptools<70' wheel
	.venv-rasa/bin/python -m pip install -q -r nlu/requirements.txt
	touch $@

run: setup  ## the bot: Telegram when TELEGRAM_BOT_TOKEN is set, otherwise a console chat
	$(HOMEWARD) run

test: setup  ## the whole test suite, with the real Rasa model and databases
	$(HOMEWARD) kb validate
	$(HOMEWARD) responses check
	.venv/bin/pytest -q

test-unit: .venv/.installed  ## only the tests that need neither Rasa nor PostgreSQL
	.venv/bin/pytest -q -m "not rasa and not postgres"

nlu-eval: setup  ## score the NLU model on the held-out dev sets, with the confusion matrix picture
	$(HOMEWARD) nlu eval tests/data/nlu_dev_*.jsonl --confusions 10 --matrix docs/nlu-confusion.svg

bench: setup  ## NLU latency through the app's client and straight against Rasa
	$(APP_PY) benchmarks/nlu_latency.py

clean:  ## remove environments, models and local data
	rm -rf .venv .venv-rasa nlu/models var
