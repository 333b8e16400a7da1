# Two commands do all set-up: `make demo` (try it in the console) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LANGS := nl ar ti so en
MO := $(foreach l,$(LANGS),locales/$(l)/LC_MESSAGES/messages.mo)

.PHONY: demo test lint catalogs messages run clean

$(BIN)/wegwijzer: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(BIN)/wegwijzer
	$(BIN)/pybabel compile --statistics -D messages -d locales -l $*

catalogs: $(MO)

demo: $(BIN)/wegwijzer catalogs
	$(BIN)/wegwijzer db upgrade
	$(BIN)/wegwijzer demo-data
	$(BIN)/wegwijzer chat

test: $(BIN)/wegwijzer catalogs
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(BIN)/wegwijzer
	$(BIN)/ruff check .

run: $(BIN)/wegwijzer catalogs
	$(BIN)/wegwijzer db upgrade
	$(BIN)/wegwijzer run

# After changing user-facing texts: extract them, merge into every catalog, copy English.
messages: $(BIN)/wegwijzer
	$(BIN)/pybabel extract -F locales/babel.cfg --no-location --sort-output \
		--omit-header -o locales/messages.pot .
	for l in $(LANGS); do \
		if [ -f locales/$$l/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update --no-fuzzy-matching -D messages \
				-i locales/messages.pot -d locales -l $$l; \
		else $(BIN)/pybabel init -D messages -i locales/messages.pot -d locales -l $$l; fi; \
	done
	$(BIN)/python -m locales.fill_source locales/en/LC_MESSAGES/messages.po

clean:
	rm -rf $(VENV) var locales/*/LC_MESSAGES/*.mo
