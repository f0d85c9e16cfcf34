# The two commands of the README: `make run` and `make test`. Everything else is a step of them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run chat test system-deps train nlu-eval bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

run: $(STAMP)  ## set up and start the assistant on its embedded defaults
	$(PY) -m bot migrate
	$(PY) -m bot load-directory
	$(PY) -m bot train
	$(PY) -m bot run

chat: $(STAMP)  ## the same assistant in the terminal
	$(PY) -m bot migrate
	$(PY) -m bot load-directory
	$(PY) -m bot chat

system-deps:  ## Debian packages the tests need (slapd, ldap-utils, chromium, chromium-driver)
	bash scripts/install-system-deps.sh

test: $(STAMP) system-deps  ## set up and run the whole test suite
	$(PY) -m pytest

train: $(STAMP)
	$(PY) -m bot train

nlu-eval: $(STAMP)
	$(PY) -m bot nlu-eval --heldout tests/data/nlu_heldout.yml

bench: $(STAMP)
	$(PY) bench/latency.py
	$(PY) bench/nlu.py

clean:
	rm -rf var/ .pytest_cache
