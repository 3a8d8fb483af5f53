VENV   := .venv
PYTHON := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell sha1sum requirements.txt debian-packages.txt | sha1sum | cut -c1-12)

.PHONY: up test venv clean

up: venv
	$(PYTHON) -m deploy.up

test: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PYTHON) -m deploy.preflight
	$(PYTHON) -m pytest $(PYTEST_ARGS)

venv: $(STAMP)

$(STAMP): requirements.txt debian-packages.txt
	@missing=$$(for p in $$(grep -v '^#' debian-packages.txt); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

clean:
	rm -rf $(VENV)
