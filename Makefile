# The commands of the README: `make run`, `make check` and `make test`. Everything else is a step of them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run chat check lint typecheck fast-tests test system-deps train nlu-eval bench mutation clean

# the fast test layers: no system service (slapd, PostgreSQL, Chromium), no started process, no cross-validation
FAST_TESTS := tests/core tests/dashboard tests/nlu tests/dialogue tests/services tests/storage tests/mail tests/directory tests/cas tests/helpdesk \
	tests/reliability/test_breaker.py tests/test_relay.py tests/test_scheduler.py tests/test_operations.py tests/test_assistant.py \
	tests/test_memory.py tests/operations tests/actions/test_operations_actions.py tests/actions/test_resend_actions.py \
	tests/actions/test_affirm_actions.py tests/actions/test_adml_actions.py tests/actions/test_proposals.py \
	tests/actions/test_common.py
FAST_MARKERS := not ldap and not postgres and not browser and not security and not slow

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

check: lint typecheck fast-tests  ## lint, format check, types, then the fast tests (no system service)

lint: $(STAMP)
	$(PY) -m ruff check bot actions tests bench
	$(PY) -m ruff format --check bot actions tests bench

typecheck: $(STAMP)
	$(PY) -m mypy

fast-tests: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider -m "$(FAST_MARKERS)" $(FAST_TESTS)

system-deps:  ## Debian packages the tests need (slapd, ldap-utils, chromium, chromium-driver, postgresql, npm)
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
	$(PY) bench/web_throughput.py
	$(PY) bench/instances.py
	nice -n 10 $(PY) bench/growth.py
	nice -n 10 $(PY) bench/dashboard.py
	$(PY) bench/socketio_turns.py
	$(PY) bench/startup.py
	$(PY) bench/notices.py

# the modules `make mutation` mutates, one at a time (each against the fast tests that cover it; see
# [tool.mutmut] in pyproject.toml and "Mutation testing" in the README)
MUTATED ?= bot.core.accounts bot.core.authz bot.core.diagnosis bot.core.distance bot.core.eligibility bot.core.freeze \
	bot.core.identifiers bot.core.redaction bot.core.schools bot.services.operations actions.proposals actions.adml \
	actions.common
CLEF_RECIA_REFERENCE ?= $(abspath ../shared/reference/recia-ldap)

mutation: $(STAMP)  ## mutation testing (mutmut) of the decisions, one module at a time, one process
	rm -rf mutants
	@for module in $(MUTATED); do \
		echo "== $$module"; \
		CLEF_RECIA_REFERENCE=$(CLEF_RECIA_REFERENCE) $(VENV)/bin/mutmut run --max-children 1 "$$module.*" >/dev/null || exit 1; \
	done
	$(VENV)/bin/mutmut results

clean:
	rm -rf var/ .pytest_cache .mypy_cache .ruff_cache mutants
