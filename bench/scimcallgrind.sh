#!/usr/bin/env bash
# bench/scimcallgrind.sh [SRC_DIR]: instructions per request of the SCIM service's create,
# userName filter and Entra PATCH through serve's whole handler (internal/app's
# BenchmarkSCIM*, in process, one request at a time, SQLite), counted by callgrind (issue 15).
# Caution: serve's background loops run by wall time, so a slower run counts more: run it
# alone, on a quiet machine, and repeat (docs/benchmarks.md). Each benchmark seeds 1,000 users;
# a run of 1 filter gives the seeding's count, subtracted from runs of N=1000 requests.
# SRC_DIR (default: this checkout) is the source tree to measure, e.g. an older commit's
# `git archive` with internal/app/scim_bench_test.go copied in. Needs valgrind; ~10 min.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"; SRC=${1:-$ROOT}; N=${N:-1000}
T=$(mktemp -d); trap 'rm -rf $T' EXIT
(cd "$SRC" && go test -c -o $T/app.test ./internal/app)
# Valgrind lacks RDTSCP and Go's preemption signals upset callgrind.
run() { (cd $T && GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off valgrind --tool=callgrind --callgrind-out-file=$T/cg.out \
  ./app.test -test.run '^$' -test.bench "SCIM$1\$" -test.benchtime "${2}x" 2>&1 | awk '/Collected/ {print $NF}'); }
seed=$(run Filter 1)
echo "seeding 1,000 users and 1 filter: $seed instructions"
for op in Filter Patch Create; do
  total=$(run $op $N)
  echo "$op: $(( (total - seed) / (N - 1) )) instructions per request"
done
