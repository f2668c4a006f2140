# One entry point. `make run` sets everything up and runs the system; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
UV_VERSION := 0.13.9
STAMP  := $(VENV)/.installed

.PHONY: run test check lint format setup install migrate demo messages benchmarks clean lock scenario audit

$(PY):
	$(PYTHON) -m venv $(VENV)

# Install exactly what requirements.lock pins (with hashes). uv is used for speed;
# `pip install -r requirements.lock` installs the same set.
$(STAMP): $(PY) requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip sync --quiet --python $(PY) requirements.lock
	touch $(STAMP)

install: $(STAMP)

messages: install
	$(PY) manage.py compilemessages --ignore=.venv -v 0

# On PostgreSQL with DATABASE_OWNER_URL: the roles first (with DATABASE_ADMIN_URL), then the
# migrations as the owner, which grants the application role its rights (README).
migrate: install
	$(PY) manage.py database_roles
	$(PY) manage.py migrate --no-input -v 0

demo: migrate
	$(PY) manage.py load_demo

setup: install messages migrate demo
	$(PY) manage.py collectstatic --no-input -v 0

run: setup
	$(PY) manage.py run_all

# With `make run` going in another terminal: play the Peru case step by step (PAUSE seconds
# between steps), showing each step's page in chromium when it is installed.
PAUSE ?= 4
scenario: install
	$(PY) manage.py play_scenario --browser --pause $(PAUSE)

# Every gate: ruff (incl. complexity), formatting, the layers contract, migrations, mypy (strict
# modules listed in pyproject.toml), template lint (djlint), django-upgrade (Django 5.2 idioms),
# and the deployment check.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/djlint . --lint
	# Security lint (offline): no finding that is not fixed or justified with `# nosec` (pyproject).
	$(VENV)/bin/bandit -c pyproject.toml -r . -q
	git ls-files -z '*.py' | xargs -0 $(VENV)/bin/django-upgrade --target-version 5.2 --check
	$(PY) manage.py makemigrations --check --dry-run
	# The OpenAPI schema is valid and every view documents itself (no warning).
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=ci-check-$$(date +%s)-not-a-real-secret-key-xxxxxxxxxxxxxxxx \
	  ALLOWED_HOSTS=commission.example.org DATABASE_URL=sqlite:///:memory: CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
	  FIELD_ENCRYPTION_KEY=$$($(PY) -c 'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())') \
	  EMAIL_URL=smtp://localhost:25 DEFAULT_FROM_EMAIL=docket@commission.example.org MEDIA_ROOT=/tmp/media \
	  $(PY) manage.py check --deploy --fail-level WARNING

# Known vulnerabilities in the locked dependencies (pip-audit). It needs the vulnerability
# database over the network, so it is not part of `make test`. A vulnerability found fails;
# where the database cannot be reached, or knows none of the packages, it prints SKIPPED with
# the reason and exits 0; packages it could not audit are counted on the last line.
audit: install
	@out=$$($(VENV)/bin/pip-audit -r requirements.lock --require-hashes --disable-pip --progress-spinner off 2>&1); rc=$$?; \
	echo "$$out"; \
	unaudited=$$(echo "$$out" | grep -c 'could not be audited'); \
	if [ $$rc -ne 0 ]; then \
	  if echo "$$out" | grep -qi 'known vulnerabilit'; then exit $$rc; fi; \
	  if echo "$$out" | grep -qiE 'connection|resolve|timed? ?out|network|unreachable|proxy|ssl'; then \
	    echo "pip-audit SKIPPED: the vulnerability database could not be reached"; exit 0; fi; \
	  exit $$rc; \
	fi; \
	if [ $$unaudited -gt 0 ]; then \
	  echo "pip-audit SKIPPED for $$unaudited locked packages: the vulnerability database has no entry for them (unreachable from here?)"; \
	fi

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: install messages lint
	$(VENV)/bin/pytest

benchmarks: setup
	$(PY) -m benchmarks

# Re-resolve requirements.lock from pyproject.toml (runtime + the dev group, every platform),
# keeping the current pins unless pyproject.toml requires otherwise. Commit the result.
lock: $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip compile pyproject.toml --group dev --universal --generate-hashes \
	  --python-version 3.11 --custom-compile-command "make lock" -o requirements.lock

clean:
	rm -rf $(VENV) .local
