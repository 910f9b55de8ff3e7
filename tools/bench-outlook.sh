#!/usr/bin/env bash
# Batch with and without the outlook (issue 12): generates a corpus of N
# applications (default 20,000, seed 7) and times, interleaved, best of
# ROUNDS (default 3):
#   (a) accord batch --jobs 2            (the baseline)
#   (b) accord batch --outlook --jobs 2
# and prints (b)/(a). Issue 12's bound: at most 1.5.
#
#   tools/bench-outlook.sh [COUNT] [ROUNDS]
set -euo pipefail
count=${1:-20000}
rounds=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build --release --quiet -p accord-cli -p accord-corpus
bin=target/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin/accord-corpus" generate --count "$count" --seed 7 --out "$work/corpus" >/dev/null
# Warm the page cache.
"$bin/accord-corpus" baseline "$work/corpus" >/dev/null

now() { date +%s.%N; }
best_a=999999; best_b=999999
for _ in $(seq "$rounds"); do
  t0=$(now); "$bin/accord" batch --jobs 2 --output "$work/plain.jsonl" "$work/corpus" 2>/dev/null || true; t1=$(now)
  a=$(echo "$t1 - $t0" | bc -l)
  t0=$(now); "$bin/accord" batch --outlook --jobs 2 --output "$work/outlook.jsonl" "$work/corpus" 2>/dev/null || true; t1=$(now)
  b=$(echo "$t1 - $t0" | bc -l)
  best_a=$(echo "if ($a < $best_a) $a else $best_a" | bc -l)
  best_b=$(echo "if ($b < $best_b) $b else $best_b" | bc -l)
done
lines=$(wc -l <"$work/outlook.jsonl")
[ "$lines" -eq "$count" ] || { echo "expected $count records, got $lines" >&2; exit 1; }
with=$(grep -c '"outlook"' "$work/outlook.jsonl")
[ "$with" -eq "$count" ] || { echo "expected $count outlooks, got $with" >&2; exit 1; }
printf '%s files, best of %s rounds\n' "$count" "$rounds"
printf '  batch --jobs 2            %6.2f s  %6.0f files/s\n' "$best_a" "$(echo "$count / $best_a" | bc -l)"
printf '  batch --outlook --jobs 2  %6.2f s  %6.0f files/s\n' "$best_b" "$(echo "$count / $best_b" | bc -l)"
printf '  ratio (bound 1.5)         %6.2f\n' "$(echo "$best_b / $best_a" | bc -l)"
