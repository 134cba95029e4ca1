#!/usr/bin/env bash
# The whole test suite: installs what the tests need, starts Elasticsearch, runs pytest.
#   scripts/test.sh [pytest args]      (make test)
# Env: VENV (.venv), PYTHON (python3), LUREWATCH_TEST_ES_URL (http://127.0.0.1:9200), CI.
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

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
if ! command -v chromium >/dev/null 2>&1; then
  if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing chromium and redis-server with apt-get"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium redis-server >/dev/null
  else
    log "chromium not found: browser tests will be skipped (install Debian's chromium package)"
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
cleanup() { [[ -n $started_es ]] && scripts/elasticsearch.sh stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

export LUREWATCH_TEST_ES_URL="${LUREWATCH_TEST_ES_URL:-http://127.0.0.1:${ES_PORT:-9200}}"
export TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS=""
"$VENV/bin/python" -m pytest "$@"
