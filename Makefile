# Two commands: `make run` (set up and start everything) and `make test` (set up and pass the tests).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Rasa 3.6 runs on Python 3.8-3.10 only. The first candidate that really is a working 3.10 wins:
# PYTHON310=..., pyenv's 3.10, pyenv's install folder, then python3.10 on PATH (a pyenv shim on
# PATH may exist without working, so each candidate is tried).
PYTHON310 ?= $(shell for c in "$$(pyenv prefix 3.10 2>/dev/null)/bin/python3.10" $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.10.*/bin/python3.10 2>/dev/null) "$$(command -v python3.10)"; do \
  "$$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1 && { echo "$$c"; break; }; done)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONPATH := $(CURDIR)

.PHONY: run test setup browser contract-tools db train eval bench talk lint clean

run: setup db train
	$(PY) -m careline.processes

test: setup db train
	$(PY) -m pytest

setup: $(VENV)/.installed browser contract-tools

# Prism and Twilio's OpenAPI spec for the gateway's contract test (exact versions, from the npm registry).
contract-tools:
	@[ -x .tools/node_modules/.bin/prism ] || { echo "Installing Prism and the Twilio OpenAPI spec into .tools/"; \
	  npm install --prefix .tools --silent --no-audit --no-fund @stoplight/prism-cli@5.14.2 @twilio-alpha/mcp@0.7.0 >/dev/null 2>&1 \
	  || echo "npm could not install them: the contract test will be skipped, with the reason"; }

# The nurse console is tested in Debian's chromium (Playwright drives it; nothing is downloaded at run time).
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "Installing Debian's chromium for the console's browser test"; \
	  (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1)) \
	  || echo "chromium could not be installed: the browser test will be skipped, with the reason"; }

$(VENV)/.installed: requirements.txt
	@if [ -z "$(PYTHON310)" ] || ! "$(PYTHON310)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then \
	  echo "Python 3.10 is needed (Rasa 3.6 refuses newer versions) and was not found."; \
	  echo "Install it with 'pyenv install 3.10' (or your package manager), or run 'make PYTHON310=/path/to/python3.10'."; \
	  exit 1; fi
	@[ -x $(PY) ] || { echo "Creating $(VENV) with $(PYTHON310)"; "$(PYTHON310)" -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade 'pip<25' 'setuptools<70.4' wheel
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

db: setup
	$(PY) -m careline.seed

train: setup
	$(PY) scripts/train.py

eval: setup train
	$(PY) scripts/evaluate.py

bench: setup db train
	$(PY) scripts/bench.py

talk: setup
	$(PY) -m ivr.talk $(ARGS)

lint: setup
	$(VENV)/bin/ruff check . || true

clean:
	rm -rf models var .pytest_cache
