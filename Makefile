# The two commands a newcomer needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test venv dev-deps system-deps

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt

dev-deps: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt

# Headless Chromium and CJK fonts for the browser tests, LibreOffice (PDF of the printed documents)
# and poppler-utils (their tests render PDF pages) — Debian packages; never a downloaded browser.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk" \
		|| ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver fonts-noto-cjk libreoffice-writer-nogui poppler-utils >/dev/null; \
	fi

# Set up, migrate, seed the demo county on first start (printing the demo accounts) and serve.
run: venv
	$(BIN)/python -m db.bootstrap
	@echo "关爱联席工作台：请在浏览器打开 http://localhost:$(PORT)"
	$(BIN)/streamlit run app.py --server.port $(PORT)

# Set up and run the whole suite (unit, SQLite + PostgreSQL, AppTest, headless Chromium), two workers.
test: dev-deps system-deps
	$(BIN)/python -m pytest -q -n 2 $(PYTEST_ARGS)
