#!/usr/bin/env bash
# bench/scimprof.sh OUTDIR [POSTGRES_URL]: CPU profiles and server CPU per request of the
# SCIM service under the bench/run.sh request shapes (issue 15). Starts bin/enginebench (serve
# plus pprof), seeds N users (env N, default 20000), then runs 6 s each of POST /Users, the
# userName eq filter and the Entra PATCH with 16 clients, with a 5 s CPU profile of each
# (PROF=0: none) in OUTDIR/{create,filter,patch}.cpu. OUTDIR/cpu.txt: server CPU ticks
# (1/100 s, /proc/PID/stat) per phase, and with POSTGRES_URL pg_ticks: the CPU of that
# database's PostgreSQL backends (same machine; WAL writer and checkpointer not included);
# divide by the requests printed. EB=binary overrides
# bin/enginebench (for A/B against an older build). Build first:
#   go build -o bin/enginebench ./bench/enginebench && go build -o bin/scimload ./bench/scimload && go build -o bin/provisio ./cmd/provisio
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"; OUT=$1; PG=${2:-}; mkdir -p $OUT
N=${N:-20000}
D=$(mktemp -d); PORT=$((20000 + RANDOM % 10000)); PP=$((PORT+1))
args=(--addr 127.0.0.1:$PORT --data-dir $D --pprof 127.0.0.1:$PP)
[ -n "$PG" ] && args+=(--db "$PG")
${EB:-$ROOT/bin/enginebench} "${args[@]}" > $OUT/server.log 2>&1 &
SP=$!; trap "kill $SP 2>/dev/null; rm -rf $D" EXIT
for i in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done
T=$(PROVISIO_SERVER=http://127.0.0.1:$PORT PROVISIO_ADMIN_TOKEN=$(cat $D/admin.token) $ROOT/bin/provisio tenant create bench$RANDOM --policy entra --json)
URL=$(jq -r .tenant_url <<<"$T"); TOK=$(jq -r .token <<<"$T")
UB='{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"ext-{{seq}}","userName":"user{{seq}}@example.com","active":true,"displayName":"User {{seq}}","name":{"formatted":"Given{{seq}} Family{{seq}}","givenName":"Given{{seq}}","familyName":"Family{{seq}}"},"emails":[{"primary":true,"type":"work","value":"user{{seq}}@example.com"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"{{seq}}","department":"Sales"}}'
PB='{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"{{bool}}"},{"op":"Replace","path":"name.familyName","value":"Family{{seq}}b"}]}'
SL=$ROOT/bin/scimload
cpu() { awk '{print $14+$15}' /proc/$SP/stat; }
pgcpu() {
  [ -n "$PG" ] || { echo 0; return; }
  psql "$PG" -Atc "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" |
    while read -r p; do awk '{print $14+$15}' /proc/$p/stat 2>/dev/null || true; done | awk '{s += $1} END {print s + 0}'
}
prof() { curl -s -o $OUT/$1.cpu "http://127.0.0.1:$PP/debug/pprof/profile?seconds=${2:-5}" & CP=$!; }
$SL -name seed -c 16 -reps 1 -method POST -url "$URL/Users" -body "$UB" -n $N -expect 201 -save-ids $OUT/ids -H "Authorization: Bearer $TOK" -H "Content-Type: application/scim+json" -json $OUT/seed.json >/dev/null 2>&1
[ "${PROF:-1}" = 1 ] && prof create 5
C0=$(cpu); G0=$(pgcpu)
$SL -name create -c 16 -reps 1 -method POST -url "$URL/Users" -body "$UB" -seq-start 1000000 -d 6s -warmup 0s -expect 201 -H "Authorization: Bearer $TOK" -H "Content-Type: application/scim+json" -json $OUT/create.json 2>&1 | tail -2
echo "create cpu_ticks=$(( $(cpu) - C0 )) pg_ticks=$(( $(pgcpu) - G0 ))" >> $OUT/cpu.txt
[ "${PROF:-1}" = 1 ] && wait $CP
[ "${PROF:-1}" = 1 ] && prof filter 5
C0=$(cpu); G0=$(pgcpu)
$SL -name filter -c 16 -reps 1 -url "$URL/Users?filter=userName%20eq%20%22user{{rand}}%40example.com%22" -rand $N -d 6s -warmup 0s -expect 200 -expect-body '"totalResults":1' -H "Authorization: Bearer $TOK" -json $OUT/filter.json 2>&1 | tail -2
echo "filter cpu_ticks=$(( $(cpu) - C0 )) pg_ticks=$(( $(pgcpu) - G0 ))" >> $OUT/cpu.txt
[ "${PROF:-1}" = 1 ] && wait $CP
[ "${PROF:-1}" = 1 ] && prof patch 5
C0=$(cpu); G0=$(pgcpu)
$SL -name patch -c 16 -reps 1 -method PATCH -url "$URL/Users/{{id}}" -ids $OUT/ids -body "$PB" -d 6s -warmup 0s -expect 200,204 -H "Authorization: Bearer $TOK" -H "Content-Type: application/scim+json" -json $OUT/patch.json 2>&1 | tail -2
echo "patch cpu_ticks=$(( $(cpu) - C0 )) pg_ticks=$(( $(pgcpu) - G0 ))" >> $OUT/cpu.txt
[ "${PROF:-1}" = 1 ] && wait $CP
cat $OUT/cpu.txt
for n in create filter patch; do echo "$n reqs=$(jq -r .requests $OUT/$n.json) $(jq -r '.median_rps|floor' $OUT/$n.json) p99=$(jq -r '.median_p99_ns/1e6' $OUT/$n.json)ms"; done
