# The two commands of the README.
VENV ?= .venv
PYTHON ?= python3

.PHONY: demo test

## demo: install LureWatch into .venv and run the demo on the embedded SQLite index
demo:
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e .
	$(VENV)/bin/lurewatch demo

## test: install everything the tests need, start Elasticsearch, run the whole suite
test:
	scripts/test.sh
