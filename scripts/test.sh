#!/usr/bin/env bash
# The whole test suite: installs what the tests need, runs ruff and mypy, starts Elasticsearch, runs pytest.
#   scripts/test.sh [pytest args]      (make test)
# Env: VENV (.venv), PYTHON (python3), LUREWATCH_TEST_ES_URL (http://127.0.0.1:9200), CI,
#      PYTEST_WORKERS (3: pytest-xdist workers; 0 runs every test in the one pytest process).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
log() { echo "test.sh: $*" >&2; }

if [[ ! -x $VENV/bin/python ]]; then
  log "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
log "installing lurewatch[test] into $VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]"

# Static checks first: they take seconds and fail before anything starts.
log "ruff check"
"$VENV/bin/python" -m ruff check .
log "mypy (strict) over lurewatch, crawlers, enrichment, index"
VENV="$VENV" scripts/mypy.sh

# Debian packages the tests use: Chromium (Playwright cannot download its own browser here), Redis, and the
# Noto fonts that render Thai, Khmer, Lao, Burmese, CJK and the emoji lure ads use, in screenshots and the web UI.
APT_PACKAGES=(chromium redis-server fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji)
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} with apt-get"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  elif [[ ${CI:-} == true ]]; then
    log "missing Debian packages: ${missing[*]} (CI=true needs them; run as root or install them)"
    exit 1
  else
    log "missing Debian packages: ${missing[*]}: their tests will be skipped"
  fi
fi

started_es=""
if scripts/elasticsearch.sh status >/dev/null 2>&1; then
  log "using the Elasticsearch node already running"
elif scripts/elasticsearch.sh start; then
  started_es=1
elif [[ ${CI:-} == true ]]; then
  log "Elasticsearch did not start; CI=true needs it"
  exit 1
else
  log "Elasticsearch did not start: its tests will be skipped"
fi
cleanup() {
  [[ -n $started_es ]] && scripts/elasticsearch.sh stop >/dev/null 2>&1
  # The fault tests' two-node cluster (9250/9251) stops with them; an interrupted run leaves none behind.
  scripts/elasticsearch.sh cluster-stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

export LUREWATCH_TEST_ES_URL="${LUREWATCH_TEST_ES_URL:-http://127.0.0.1:${ES_PORT:-9200}}"
export TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS=""
# Most tests wait on a browser, a crawl, Elasticsearch or Airflow rather than compute, so three workers share two
# cores. --dist loadfile: each file runs whole on one worker (module-scoped servers, the two-node cluster and the
# fault tests that build on each other stay together). --no-loadscope-reorder: files are handed out in the order
# tests/conftest.py puts them, the long ones first (xdist would start the files with the most tests first, and the
# 200,000-finding export, two tests in its file, would end the run alone). Each worker has its own temp folders,
# free ports and index prefixes. --durations: the slowest tests, in every CI log.
"$VENV/bin/python" -m pytest -n "${PYTEST_WORKERS:-3}" --dist loadfile --no-loadscope-reorder --durations=20 "$@"
