#!/usr/bin/env bash
# Provisio's SCIM load benchmark (issue 3, "Performance"). Loopback only, bounded in time.
#
#   bench/run.sh [--postgres URL] [--users N] [--duration D] [--reps N] [--clients N] [--out FILE]
#
# For each backend (SQLite in a temporary data dir; PostgreSQL in a fresh database when
# --postgres or PROVISIO_TEST_POSTGRES gives a server) it:
#   1. starts `bin/provisio serve` on a free 127.0.0.1 port as a subprocess,
#   2. creates a tenant with the Entra policy,
#   3. seeds --users users (default 100,000) with concurrent POST /Users, in --reps equal
#      parts: this is the create rate,
#   4. measures, --reps times for --duration each (after a 2 s warm-up):
#      - the baseline: a bare net/http handler returning a fixed ListResponse
#        (`scimload -serve-bare`, its own process, same generator),
#      - GET /Users?filter=userName eq "<random existing user>" (must find exactly 1),
#        alternating with the baseline one repetition at a time, so that each pair sees
#        the same machine; the ratio is the median of the pairs' ratios,
#      - an Entra-shaped PATCH (Replace active "True"/"False" + Replace name.familyName)
#        on random existing users,
#   5. samples the server's VmRSS (/proc/<pid>/status) every 100 ms throughout.
# All with --clients (default 16) concurrent keep-alive clients. Medians of the repetitions
# are reported as a Markdown section per backend (stdout, and --out FILE if given), with
# the command, machine and date, ready for docs/benchmarks.md.
#
# Every load phase runs under `timeout`; the whole run takes about 3-6 minutes per backend.
# Needs go, curl, jq (and psql for PostgreSQL).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
USERS=100000
DURATION=10s
REPS=3
CLIENTS=16
OUT=""
PG="${PROVISIO_TEST_POSTGRES:-}"
PHASE_TIMEOUT=900 # seconds, for any one load phase
# The command as run, for the report, with any database password masked.
COMMAND="$(printf '%s' "bench/run.sh $*" | sed -E 's#(://[^:/@ ]+):[^@ ]+@#\1:***@#g')"

usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --postgres) PG="$2"; shift 2 ;;
    --sqlite-only) PG=""; shift ;;
    --users) USERS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "bench/run.sh: unknown argument $1" >&2; usage 2 ;;
  esac
done

LOG_PREFIX=bench
TMP="$(mktemp -d "${TMPDIR:-/tmp}/provisio-bench.XXXXXX")"
PG_DBS=()
cleanup_extra() {
  for db in "${PG_DBS[@]}"; do
    psql -q "$PG" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || log "could not drop database $db"
  done
}
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
for tool in go curl jq; do command -v "$tool" >/dev/null || die "$tool is required (apt-get install $tool)"; done
[ -z "$PG" ] || command -v psql >/dev/null || die "psql is required for PostgreSQL (apt-get install postgresql-client)"

log "building bin/provisio and bin/scimload"
(cd "$ROOT" && go build -o bin/provisio ./cmd/provisio && go build -o bin/scimload ./bench/scimload)
SCIMLOAD="$ROOT/bin/scimload"

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 * 1024 / 1e6 }' "/proc/$1/status"; }

# load NAME ARGS...: one scimload measurement, summary JSON in $TMP/NAME.json.
load() {
  local name="$1"; shift
  log "measuring $name"
  timeout "$PHASE_TIMEOUT" "$SCIMLOAD" -name "$name" -c "$CLIENTS" -reps "${LOAD_REPS:-$REPS}" -json "$TMP/$name.json" "$@" >&2 \
    || die "$name: scimload failed or timed out"
}

# merge NAME PARTS...: one summary from one-repetition measurements, as
# scimload would write it for all of them together (medians over them).
merge() {
  local name="$1"; shift
  local files=()
  for part in "$@"; do files+=("$TMP/$part.json"); done
  jq -s 'def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    (map(.reps) | add) as $reps
    | .[0] + {reps: $reps, median_rps: ($reps | map(.rps) | median), median_p50_ns: ($reps | map(.p50_ns) | median),
              median_p99_ns: ($reps | map(.p99_ns) | median), requests: (map(.requests) | add), errors: (map(.errors) | add),
              peak_rss_bytes: (map(.peak_rss_bytes // 0) | max)}' "${files[@]}" >"$TMP/$name.json"
}

# field NAME JQ: a value from a measurement's summary.
field() { jq -r "$2" "$TMP/$1.json"; }
rps() { field "$1" '.median_rps | floor'; }
lat() { field "$1" "(.$2 / 1e6 * 100 | round) / 100"; }
peak_mb() { field "$1" '.peak_rss_bytes / 1e6 * 10 | round / 10'; }

# The baseline server lives for the whole run; each backend section measures it anew.
BARE_PORT="$(free_port)"
"$SCIMLOAD" -serve-bare "127.0.0.1:$BARE_PORT" >"$TMP/bare.out" 2>&1 &
BARE_PID=$!
PIDS+=("$BARE_PID")
wait_healthy "http://127.0.0.1:$BARE_PORT/" "$BARE_PID" || die "bare server did not start: $(cat "$TMP/bare.out")"

USER_BODY='{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],'\
'"externalId":"ext-{{seq}}","userName":"user{{seq}}@example.com","active":true,"displayName":"User {{seq}}",'\
'"name":{"formatted":"Given{{seq}} Family{{seq}}","givenName":"Given{{seq}}","familyName":"Family{{seq}}"},'\
'"emails":[{"primary":true,"type":"work","value":"user{{seq}}@example.com"}],'\
'"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"{{seq}}","department":"Sales"}}'
PATCH_BODY='{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":['\
'{"op":"Replace","path":"active","value":"{{bool}}"},{"op":"Replace","path":"name.familyName","value":"Family{{seq}}b"}]}'

# bench_backend NAME [DSN]: one section of results.
bench_backend() {
  local backend="$1" dsn="${2:-}" port data pid tenant url token auth ids
  LOADAVG_START="$(cut -d' ' -f1-3 /proc/loadavg)"
  port="$(free_port)"
  data="$TMP/data-$backend"
  local args=(serve --addr "127.0.0.1:$port" --data-dir "$data" --log-level warn)
  [ -n "$dsn" ] && args+=(--db "$dsn")
  log "[$backend] starting provisio serve on 127.0.0.1:$port"
  "$ROOT/bin/provisio" "${args[@]}" >"$TMP/server-$backend.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_healthy "http://127.0.0.1:$port/healthz" "$pid" || die "[$backend] server did not start: $(tail -20 "$TMP/server-$backend.log")"
  local rss_start
  rss_start="$(rss_mb "$pid")"

  tenant="$(PROVISIO_SERVER="http://127.0.0.1:$port" PROVISIO_ADMIN_TOKEN="$(cat "$data/admin.token")" \
    "$ROOT/bin/provisio" tenant create "bench-$backend" --policy entra --json)"
  url="$(jq -r .tenant_url <<<"$tenant")"
  token="$(jq -r .token <<<"$tenant")"
  auth="Authorization: Bearer $token"
  ids="$TMP/ids-$backend.txt"

  load "$backend-create" -method POST -url "$url/Users" -body "$USER_BODY" -n "$USERS" \
    -expect 201 -save-ids "$ids" -pid "$pid" -H "$auth" -H "Content-Type: application/scim+json"
  [ "$(wc -l <"$ids")" -eq "$USERS" ] || die "[$backend] seeded $(wc -l <"$ids") users, want $USERS"

  # The baseline and the filter alternate, one repetition each, so that
  # each pair sees the same machine; the ratio is the median of the pairs'.
  local bares=() filters=()
  for i in $(seq 1 "$REPS"); do
    LOAD_REPS=1 load "$backend-bare-$i" -url "http://127.0.0.1:$BARE_PORT/Users?filter=userName%20eq%20%22user{{rand}}%40example.com%22" \
      -rand "$USERS" -d "$DURATION" -warmup 2s -expect 200
    LOAD_REPS=1 load "$backend-filter-$i" -url "$url/Users?filter=userName%20eq%20%22user{{rand}}%40example.com%22" \
      -rand "$USERS" -d "$DURATION" -warmup 2s -expect 200 -expect-body '"totalResults":1' -pid "$pid" -H "$auth"
    bares+=("$backend-bare-$i"); filters+=("$backend-filter-$i")
  done
  merge "$backend-bare" "${bares[@]}"
  merge "$backend-filter" "${filters[@]}"
  load "$backend-patch" -method PATCH -url "$url/Users/{{id}}" -ids "$ids" -body "$PATCH_BODY" \
    -d "$DURATION" -warmup 2s -expect 200,204 -pid "$pid" -H "$auth" -H "Content-Type: application/scim+json"

  local rss_end peak
  rss_end="$(rss_mb "$pid")"
  peak="$(printf '%s\n' "$rss_start" "$rss_end" "$(peak_mb "$backend-create")" "$(peak_mb "$backend-filter")" "$(peak_mb "$backend-patch")" | sort -g | tail -1)"
  stop "$pid"
  report "$backend" "$peak"
}

verdict() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "**missed**"; fi; }

# report BACKEND PEAK_MB: the Markdown section.
report() {
  local b="$1" peak="$2" bare filter create patch ratio errors
  bare="$(rps "$b-bare")"; filter="$(rps "$b-filter")"; create="$(rps "$b-create")"; patch="$(rps "$b-patch")"
  # Median of the per-pair ratios (see bench_backend).
  ratio="$(jq -rs '[.[0].reps, .[1].reps] | transpose | map(100 * .[1].rps / .[0].rps) | sort
    | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end | round' \
    "$TMP/$b-bare.json" "$TMP/$b-filter.json")"
  local create_target=2000 patch_target="≥ 2,000/s"
  [ "$b" = postgres ] && create_target=1000 && patch_target="(none set)"
  local patch_verdict="met"
  if [ "$b" = sqlite ]; then patch_verdict="$(verdict "$patch >= 2000")"; else patch_verdict="–"; fi
  errors="$(jq -s 'map(.errors) | add' "$TMP/$b-create.json" "$TMP/$b-filter.json" "$TMP/$b-patch.json" "$TMP/$b-bare.json")"
  cat <<EOF

## $b

- Date: $(date -u +%Y-%m-%dT%H:%MZ)
- Command: \`$COMMAND\` (backend: $b; $USERS users; $CLIENTS clients; $REPS repetitions of $DURATION after a 2 s warm-up; medians)
- Machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(go version | awk '{ print $3, $4 }'), $(uname -sr); load average before the section $LOADAVG_START, after $(cut -d' ' -f1-3 /proc/loadavg) (other processes compete for the same cores when it is above ~2)

| measurement | median req/s | p50 | p99 | errors | target | verdict |
|---|---:|---:|---:|---:|---|---|
| bare net/http handler, fixed ListResponse | $bare | $(lat "$b-bare" median_p50_ns) ms | $(lat "$b-bare" median_p99_ns) ms | $(field "$b-bare" .errors) | baseline | |
| GET /Users?filter=userName eq "…" | $filter ($ratio% of bare, median of pairs) | $(lat "$b-filter" median_p50_ns) ms | $(lat "$b-filter" median_p99_ns) ms | $(field "$b-filter" .errors) | ≥ 30% of bare | $(verdict "$ratio >= 30") |
| POST /Users (seeding $USERS users) | $create | $(lat "$b-create" median_p50_ns) ms | $(lat "$b-create" median_p99_ns) ms | $(field "$b-create" .errors) | ≥ $create_target/s | $(verdict "$create >= $create_target") |
| PATCH (Replace active + name.familyName) | $patch | $(lat "$b-patch" median_p50_ns) ms | $(lat "$b-patch" median_p99_ns) ms | $(field "$b-patch" .errors) | $patch_target | $patch_verdict |
| server resident memory (VmRSS), peak | $peak MB | | | | < 250 MB | $(verdict "$peak < 250") |

Per repetition (req/s): create $(field "$b-create" '[.reps[].rps | floor] | join(", ")'); bare $(field "$b-bare" '[.reps[].rps | floor] | join(", ")'); filter $(field "$b-filter" '[.reps[].rps | floor] | join(", ")'); patch $(field "$b-patch" '[.reps[].rps | floor] | join(", ")'). Errors in total: $errors.
EOF
}

run_all() {
  bench_backend sqlite
  if [ -n "$PG" ]; then
    local db base query
    db="provisio_bench_$(date +%s)_$$"
    psql -q "$PG" -c "CREATE DATABASE $db" >/dev/null
    PG_DBS+=("$db")
    base="${PG%%\?*}"; query="${PG#"$base"}"
    bench_backend postgres "${base%/*}/$db$query"
  fi
}

# Not in a pipeline: the servers must be started by this shell so that cleanup stops them.
run_all >"$TMP/report.md"
cat "$TMP/report.md"
[ -z "$OUT" ] || cp "$TMP/report.md" "$OUT"
