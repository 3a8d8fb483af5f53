VENV   := .venv
PYTHON := $(VENV)/bin/python
AXE    := tests/browser/package-lock.json
STAMP  := $(VENV)/.installed-$(shell sha1sum requirements.txt debian-packages.txt $(AXE) | sha1sum | cut -c1-12)

.PHONY: up test venv clean

up: venv
	$(PYTHON) -m deploy.up

# The browser tests run in a pytest of their own: Playwright's driver needs an event loop
# that eventlet (patched in by tests/conftest.py) has not replaced.
test: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PYTHON) -m deploy.preflight
	$(PYTHON) -m pytest --ignore=tests/browser $(PYTEST_ARGS)
	$(PYTHON) -m pytest -p no:pytest_nameko --confcutdir=tests/browser tests/browser

venv: $(STAMP)

$(STAMP): requirements.txt debian-packages.txt $(AXE)
	@missing=$$(for p in $$(grep -v '^#' debian-packages.txt); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	npm ci --prefix tests/browser --no-audit --no-fund --silent
	rm -f $(VENV)/.installed-*
	touch $@

clean:
	rm -rf $(VENV)
