#!/usr/bin/env bash
# The decision service against the batch (issue 15). Generates a corpus of
# COUNT applications (default 5,000, seed 7), starts `accord serve --jobs 2`
# on a fresh SQLite register, and measures side by side, interleaved, best
# of ROUNDS (default 3):
#   (a) accord batch --jobs 2 over the corpus            (the baseline)
#   (b) POST /v1/assess of the corpus' files, round robin, for SECONDS
#       (default 4), 2 keep-alive connections
#   (c) the same with 32 keep-alive connections: p50/p99 latency
# Bounds: (b) at least half of (a)'s files per second; (c)'s p99 under 10 ms
# in every round (the worst round is reported).
# The load generator is wrk (Debian's package, installed when absent) with
# tools/wrk-assess.lua; it runs on the same machine and takes CPU from the
# server: the figures are what one 2-core box does, client included.
#
#   tools/bench-serve.sh [COUNT] [ROUNDS] [SECONDS]
set -euo pipefail
count=${1:-5000}
rounds=${2:-3}
seconds=${3:-4}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v wrk >/dev/null || {
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq wrk >/dev/null; else sudo apt-get install -y -qq wrk >/dev/null; fi
}
cargo build --release --quiet --locked -p accord-cli -p accord-corpus
bin=target/release
work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$bin/accord-corpus" generate --count "$count" --seed 7 --out "$work/corpus" >/dev/null
"$bin/accord-corpus" baseline "$work/corpus" >/dev/null # warm the page cache

db="$work/register.db"
"$bin/accord" --db "$db" --quiet actor add bench --name Bench --role assessor >/dev/null
token=$("$bin/accord" --db "$db" --actor bench token create --for bench 2>/dev/null)
"$bin/accord" --db "$db" serve --rules rules --jobs 2 --listen 127.0.0.1:0 2>"$work/serve.log" &
server=$!
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^accord serve: listening on \(http:\/\/[^ ]*\).*/\1/p' "$work/serve.log")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/serve.log" >&2; exit 1; }
find "$work/corpus" -type f \( -name '*.yaml' -o -name '*.json' \) | sort >"$work/manifest"
load() {
  MANIFEST="$work/manifest" TOKEN="$token" wrk -s tools/wrk-assess.lua -t 2 -c "$1" -d "$2s" "$url/v1/assess" | tail -1
}
field() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p"; }
load 2 1 >/dev/null # warm the server

now() { date +%s.%N; }
best_batch=0; best_serve=0; p99s=(); p50s=()
for _ in $(seq "$rounds"); do
  t0=$(now)
  "$bin/accord" batch --quiet --rules rules --jobs 2 --output "$work/batch.jsonl" "$work/corpus"
  t1=$(now)
  batch=$(echo "$count / ($t1 - $t0)" | bc -l)
  serve=$(load 2 "$seconds")
  [ "$(echo "$serve" | field errors)" = 0 ] || { echo "errors: $serve" >&2; exit 1; }
  serve=$(echo "$serve" | field per_second)
  many=$(load 32 "$seconds")
  [ "$(echo "$many" | field errors)" = 0 ] || { echo "errors: $many" >&2; exit 1; }
  p99s+=("$(echo "$many" | field p99_ms)")
  p50s+=("$(echo "$many" | field p50_ms)")
  best_batch=$(echo "if ($batch > $best_batch) $batch else $best_batch" | bc -l)
  best_serve=$(echo "if ($serve > $best_serve) $serve else $best_serve" | bc -l)
done
lines=$(wc -l <"$work/batch.jsonl")
[ "$lines" -eq "$count" ] || { echo "batch: expected $count records, got $lines" >&2; exit 1; }
worst_p99=$(printf '%s\n' "${p99s[@]}" | sort -g | tail -1)
printf '%s files, best of %s rounds (interleaved)\n' "$count" "$rounds"
printf '  batch --jobs 2                          %7.0f files/s\n' "$best_batch"
printf '  serve --jobs 2, 2 connections           %7.0f requests/s\n' "$best_serve"
printf '  ratio serve/batch (bound 0.5)           %7.2f\n' "$(echo "$best_serve / $best_batch" | bc -l)"
printf '  32 connections, p50 per round (ms)      %s\n' "${p50s[*]}"
printf '  32 connections, p99 per round (ms)      %s (worst %s; bound 10)\n' "${p99s[*]}" "$worst_p99"
