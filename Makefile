# The two commands of the README: `make run` and `make test`. Everything else is a step of them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run chat test system-deps train nlu-eval bench mutation clean

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

# the modules `make mutation` mutates, one at a time (each against the fast tests that cover it; see
# [tool.mutmut] in pyproject.toml and "Mutation testing" in the README)
MUTATED ?= bot.core.accounts bot.core.authz bot.core.diagnosis bot.core.eligibility bot.core.freeze \
	bot.core.identifiers bot.core.redaction bot.core.schools bot.operations actions.operations actions.common
CLEF_RECIA_REFERENCE ?= $(abspath ../shared/reference/recia-ldap)

mutation: $(STAMP)  ## mutation testing (mutmut) of the decisions, one module at a time, one process
	rm -rf mutants
	@for module in $(MUTATED); do \
		echo "== $$module"; \
		CLEF_RECIA_REFERENCE=$(CLEF_RECIA_REFERENCE) $(VENV)/bin/mutmut run --max-children 1 "$$module.*" >/dev/null || exit 1; \
	done
	$(VENV)/bin/mutmut results

clean:
	rm -rf var/ .pytest_cache mutants
