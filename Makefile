# presssite: everyday commands.
#
#   make build    create .venv, install presssite, build the example site into build/
#   make test     install the test extras, the HTML validators and Lighthouse, run the whole suite
#   make fuzz     a long property-based fuzzing campaign (FUZZ_SCALE times the examples of
#                 make test's short one; 16 makes over 10,000 inputs)
#   make lint     ruff check + ruff format --check + mypy (strict) on src/
#   make photos   regenerate the example site's photos, logo and favicon
#   make catalogs refresh the theme's message catalogs after a UI string was added or changed
#   make clean    remove build output and caches (make distclean also drops .venv, node_modules)
#
# Stamp files inside .venv/ and node_modules/ remember what was installed, so a repeated
# run installs nothing unless pyproject.toml or package-lock.json changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
FUZZ_SCALE ?= 16

.DEFAULT_GOAL := build
.PHONY: build test fuzz lint format photos catalogs validators clean distclean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
		"presssite needs Python 3.11 or newer: run make PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-install: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

# The test extras include the project itself, so they satisfy the plain install too.
$(VENV)/.stamp-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(VENV)/.stamp-install $@

# --ignore-scripts: vnu-jar's postinstall would try to download a Java runtime; the
# machine's own `java` runs vnu.jar.
node_modules/.stamp: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

validators: node_modules/.stamp

build: $(VENV)/.stamp-install
	$(BIN)/presssite build --site . --out build

# pytest exits 5 when it collected no test: that is a failure too.
test: $(VENV)/.stamp-test node_modules/.stamp
	@status=0; $(BIN)/pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no test ran" >&2; fi; \
	exit $$status

fuzz: $(VENV)/.stamp-test
	PRESSSITE_FUZZ_SCALE=$(FUZZ_SCALE) $(BIN)/pytest -p no:cacheprovider tests/test_fuzz.py \
		--hypothesis-show-statistics -q

lint: $(VENV)/.stamp-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.stamp-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

photos: $(VENV)/.stamp-install
	$(BIN)/python scripts/make_example_photos.py

LOCALES := src/presssite/theme/locales
catalogs: $(VENV)/.stamp-install
	$(BIN)/pybabel extract -F babel.cfg -o $(LOCALES)/messages.pot src/presssite
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES)

clean:
	rm -rf build build.tmp-* build.old-* .presssite-cache .pytest_cache .ruff_cache .mypy_cache \
		.hypothesis
	find . -name __pycache__ -type d -not -path './.venv/*' -not -path './node_modules/*' \
		-prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules
