#!/usr/bin/env bash
# LureWatch under `airflow standalone` on one machine (scheduler, dag-processor, triggerer and API server in one
# command, LocalExecutor, SQLite metadata DB). Paths are absolute, whatever folder this is started from.
#
#   scripts/airflow-local.sh            # UI on http://127.0.0.1:8080 (the admin password is printed and kept
#                                       # in $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated)
#   scripts/airflow-local.sh env        # prints the variables, to run other `airflow` commands by hand
#
# Needs the `airflow` extra: .venv/bin/pip install -e '.[airflow]'. Settings it reads (all optional):
#   AIRFLOW_HOME (default data/airflow), LUREWATCH_DATA_DIR (data), LUREWATCH_SOURCES_DIR (sources),
#   LUREWATCH_INDEX / LUREWATCH_ES_URL (→ connection elasticsearch_default), LUREWATCH_SMTP_HOST / _PORT /
#   _USER / _PASSWORD (→ connection smtp_default), AIRFLOW_PARALLELISM (default 4).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"

export AIRFLOW_HOME="${AIRFLOW_HOME:-$ROOT/data/airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export LUREWATCH_DATA_DIR="$(realpath -m "${LUREWATCH_DATA_DIR:-$ROOT/data}")"
export LUREWATCH_SOURCES_DIR="$(realpath -m "${LUREWATCH_SOURCES_DIR:-$ROOT/sources}")"
export TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS=""  # no download of the public suffix list (offline machines)

# A small machine (2 cores, a few GB): the defaults (parallelism 32, 16 API workers) pre-fork processes that
# sit idle at about 35 MB each. Four task slots, two per DAG, one API worker, one parsing process.
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW_PARALLELISM:-4}"
export AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG=2
export AIRFLOW__API__WORKERS=1
export AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES=1
export AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL=60  # seconds between two parses of a DAG file
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=60  # seconds between two looks for new DAG files

# Connections from LUREWATCH_* (Airflow reads AIRFLOW_CONN_<ID> as a connection; tasks prefer them).
if [[ "${LUREWATCH_INDEX:-sqlite}" == "elasticsearch" ]]; then
  url="${LUREWATCH_ES_URL:-http://127.0.0.1:9200}"
  url="${url%%,*}"  # the connection names one node; a cluster's other nodes come from LUREWATCH_ES_URL
  scheme="${url%%://*}"; hostport="${url#*://}"; hostport="${hostport%%/*}"
  port=9200; [[ "$hostport" == *:* ]] && port="${hostport##*:}"
  export AIRFLOW_CONN_ELASTICSEARCH_DEFAULT="{\"conn_type\": \"generic\", \"host\": \"${hostport%%:*}\", \"port\": $port, \"schema\": \"$scheme\"}"
fi
if [[ -n "${LUREWATCH_SMTP_HOST:-}" ]]; then
  export AIRFLOW_CONN_SMTP_DEFAULT="{\"conn_type\": \"smtp\", \"host\": \"$LUREWATCH_SMTP_HOST\", \"port\": ${LUREWATCH_SMTP_PORT:-587}, \"login\": \"${LUREWATCH_SMTP_USER:-}\", \"password\": \"${LUREWATCH_SMTP_PASSWORD:-}\"}"
fi

if [[ "${1:-}" == "env" ]]; then
  env | grep -E '^(AIRFLOW|LUREWATCH_)' | sort | while IFS= read -r line; do
    printf 'export %s=%q\n' "${line%%=*}" "${line#*=}"
  done
  exit 0
fi

mkdir -p "$AIRFLOW_HOME" "$LUREWATCH_DATA_DIR"
"$PYTHON" -m lurewatch dags sync --dags-folder "$ROOT/dags/sources"  # one DAG file per source YAML
exec "$PYTHON" -m airflow standalone
