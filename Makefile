# Two commands do all set-up: `make demo` (try it in the console) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LANGS := nl ar ti so en
DOMAINS := messages answers
MO := $(foreach d,$(DOMAINS),$(foreach l,$(LANGS),locales/$(l)/LC_MESSAGES/$(d).mo))

.PHONY: demo test lint catalogs messages run clean web vendor

$(BIN)/wegwijzer: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

locales/%.mo: locales/%.po $(BIN)/wegwijzer
	$(BIN)/pybabel compile --statistics -i $< -o $@

catalogs: $(MO)

# Front-end packages from npm (package-lock.json): axe-core for the browser tests, and htmx,
# which the web app serves from its own folder (never a CDN); `make vendor` copies it there.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

vendor: node_modules/.package-lock.json
	cp node_modules/htmx.org/dist/htmx.min.js bot/web/static/htmx.min.js

demo: $(BIN)/wegwijzer catalogs
	$(BIN)/wegwijzer db upgrade
	$(BIN)/wegwijzer demo-data
	$(BIN)/wegwijzer web link --org demo --staff "Sanne de Vries"
	@echo "Start the web app in a second terminal (make web), then open that link."
	$(BIN)/wegwijzer chat

web: $(BIN)/wegwijzer catalogs
	$(BIN)/wegwijzer db upgrade
	$(BIN)/wegwijzer web

test: $(BIN)/wegwijzer catalogs node_modules/.package-lock.json
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(BIN)/wegwijzer
	$(BIN)/ruff check .
	$(BIN)/mypy

run: $(BIN)/wegwijzer catalogs
	$(BIN)/wegwijzer db upgrade
	$(BIN)/wegwijzer run

# After changing user-facing texts: extract them, merge into every catalog, copy the source
# language (English for the code's texts, Dutch for the organisations' answers).
messages: $(BIN)/wegwijzer
	$(BIN)/pybabel extract -F locales/babel.cfg --no-location --sort-output \
		--omit-header -o locales/messages.pot .
	$(BIN)/pybabel extract -F locales/answers.cfg --sort-output --omit-header \
		-o locales/answers.pot .
	for d in $(DOMAINS); do for l in $(LANGS); do \
		if [ -f locales/$$l/LC_MESSAGES/$$d.po ]; then \
			$(BIN)/pybabel update --no-fuzzy-matching -D $$d \
				-i locales/$$d.pot -d locales -l $$l; \
		else $(BIN)/pybabel init -D $$d -i locales/$$d.pot -d locales -l $$l; fi; \
	done; done
	$(BIN)/python -m locales.fill_source locales/en/LC_MESSAGES/messages.po
	$(BIN)/python -m locales.fill_source locales/nl/LC_MESSAGES/answers.po

clean:
	rm -rf $(VENV) var locales/*/LC_MESSAGES/*.mo
