# What the benchmark scripts share (bench/run.sh, bench/engine.sh): logging, stopping and
# cleaning up their servers, free ports and health checks. Source it after setting
# LOG_PREFIX and TMP (a temporary directory the cleanup removes); put the PID of every
# process the script starts into PIDS; define cleanup_extra for anything else to undo.

log() { echo "$LOG_PREFIX: $*" >&2; }
die() { log "$*"; exit 1; }

PIDS=()

# stop PID: SIGTERM, up to 10 s to exit, then SIGKILL.
stop() {
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# cleanup stops every process in PIDS, runs cleanup_extra if the script defines it and
# removes TMP, keeping the script's exit status.
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do stop "$pid"; done
  if declare -F cleanup_extra >/dev/null; then cleanup_extra; fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_port prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  die "no free port found"
}

# wait_healthy URL PID: up to 30 s for GET URL to answer 2xx while PID lives.
wait_healthy() {
  for _ in $(seq 1 300); do
    curl -fsS "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
