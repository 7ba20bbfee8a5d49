# Two commands set everything up on a fresh machine: `make run` and `make test`.
VENV := .venv
INSTALLED := $(VENV)/.installed

.PHONY: run test eval bench install system-packages test-packages model lint scale cluster-packages conversations

$(INSTALLED): pyproject.toml constraints.txt scripts/setup-venv.sh
	scripts/setup-venv.sh
	touch $@

install: $(INSTALLED)

system-packages:
	scripts/install-system-packages.sh

test-packages: system-packages
	scripts/install-system-packages.sh test-packages.txt

model: install
	$(VENV)/bin/kundesenter train

## Install what is missing, train if the data changed, start the back-end, the action server and the Rasa server.
run: install system-packages
	$(VENV)/bin/kundesenter run

cluster-packages: system-packages
	scripts/install-system-packages.sh cluster-packages.txt

## Run the production topology on this machine: N Rasa servers behind nginx, PostgreSQL, Redis (bot/cluster/cluster.yml).
scale: install cluster-packages model
	$(VENV)/bin/kundesenter cluster

## Install what is missing and run the whole test suite.
test: install test-packages model
	$(VENV)/bin/python -m pytest -ra

## Only the conversation suite (tests/conversations/): figures per language in var/reports/conversations.json.
conversations: install model
	$(VENV)/bin/python -m pytest -ra tests/conversations

## NLU evaluation: held-out set per language plus cross-validation of two pipelines.
eval: install
	$(VENV)/bin/kundesenter eval --cross-validation --folds 3

## Benchmarks (voice, Whisper recognition, phone line, chat load vs stock Rasa): results/bench-*.{json,md}; `--quick` for a smoke check.
bench: install cluster-packages test-packages model
	$(VENV)/bin/python -m bench

lint: install
	$(VENV)/bin/ruff check --isolated --select F,E9 bot actions backend voice bench tests
