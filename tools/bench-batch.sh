#!/usr/bin/env bash
# Batch benchmark (issue 4): generates a corpus of N applications (default
# 20,000, seed 7) and prints, in one run, files per second for
#   (a) reading and parsing every file into a generic YAML/JSON value on one
#       thread and nothing else (the floor: accord-corpus baseline),
#   (b) accord batch --jobs 1,
#   (c) accord batch --jobs 2,
# each as a ratio to (a), with the peak resident memory of each batch run.
# Each measurement is the best of ROUNDS runs (default 3), interleaved, so
# that noise from other tenants of a shared machine hits all three alike.
#
#   tools/bench-batch.sh [COUNT] [ROUNDS]
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
# Warm the page cache so that every contender reads from memory.
"$bin/accord-corpus" baseline "$work/corpus" >/dev/null

now() { date +%s.%N; }

# (d), for reference: the machine's own two-core ceiling, the baseline run as
# two processes at once on the two halves of the corpus (no Accord code).
dirs=("$work"/corpus/*)
half=$(( ${#dirs[@]} / 2 ))
best_a=999999; best_b=999999; best_c=999999; best_d=999999; rss_b=0; rss_c=0
for _ in $(seq "$rounds"); do
  t0=$(now); "$bin/accord-corpus" baseline "$work/corpus" >/dev/null; t1=$(now)
  a=$(echo "$t1 - $t0" | bc -l)
  t0=$(now); /usr/bin/time -f '%M' -o "$work/rss1" "$bin/accord" batch --jobs 1 --output "$work/out1.jsonl" "$work/corpus" 2>/dev/null || true; t1=$(now)
  b=$(echo "$t1 - $t0" | bc -l)
  t0=$(now); /usr/bin/time -f '%M' -o "$work/rss2" "$bin/accord" batch --jobs 2 --output "$work/out2.jsonl" "$work/corpus" 2>/dev/null || true; t1=$(now)
  c=$(echo "$t1 - $t0" | bc -l)
  t0=$(now)
  "$bin/accord-corpus" baseline "${dirs[@]:0:$half}" >/dev/null &
  "$bin/accord-corpus" baseline "${dirs[@]:$half}" >/dev/null
  wait
  t1=$(now)
  dd=$(echo "$t1 - $t0" | bc -l)
  best_d=$(echo "if ($dd < $best_d) $dd else $best_d" | bc -l)
  best_a=$(echo "if ($a < $best_a) $a else $best_a" | bc -l)
  best_b=$(echo "if ($b < $best_b) $b else $best_b" | bc -l)
  best_c=$(echo "if ($c < $best_c) $c else $best_c" | bc -l)
  r1=$(tail -n1 "$work/rss1"); r2=$(tail -n1 "$work/rss2")
  (( r1 > rss_b )) && rss_b=$r1
  (( r2 > rss_c )) && rss_c=$r2
done
cmp -s "$work/out1.jsonl" "$work/out2.jsonl" || { echo "jobs 1 and jobs 2 outputs differ" >&2; exit 1; }
lines=$(wc -l <"$work/out1.jsonl")
[ "$lines" -eq "$count" ] || { echo "expected $count records, got $lines" >&2; exit 1; }

rate() { echo "scale=0; $count / $1" | bc -l; }
ratio() { echo "scale=2; $best_a / $1" | bc -l; }
printf '%s files, best of %s rounds\n' "$count" "$rounds"
printf '(a) parse baseline, 1 thread : %8s files/s  1.00x\n' "$(rate "$best_a")"
printf '(b) accord batch --jobs 1    : %8s files/s  %sx  peak RSS %s MiB\n' "$(rate "$best_b")" "$(ratio "$best_b")" $((rss_b / 1024))
printf '(c) accord batch --jobs 2    : %8s files/s  %sx  peak RSS %s MiB\n' "$(rate "$best_c")" "$(ratio "$best_c")" $((rss_c / 1024))
printf '(d) 2 baseline processes     : %8s files/s  %sx  (the machine'"'"'s two-core ceiling, for reference)\n' "$(rate "$best_d")" "$(ratio "$best_d")"
