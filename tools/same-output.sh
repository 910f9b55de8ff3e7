#!/usr/bin/env bash
# Records what an `accord` binary prints for every command on a generated
# corpus, so that a refactoring can be shown to change no output:
#
#   tools/same-output.sh OUT_DIR ACCORD_BIN CORPUS_BIN [COUNT]
#   diff -r OUT_BEFORE OUT_AFTER
#
# Covers assess (text and json, every file), batch (JSON Lines and CSV, with
# summary and --compare), impact (text and jsonl), diff, check, test
# --coverage, and the case and ledger commands. Times and values derived from
# them (elapsed seconds, recording times, entry hashes) are masked; nothing
# else is.
set -euo pipefail
out=$1
bin=$(realpath "$2")
corpus_bin=$(realpath "$3")
count=${4:-2000}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rm -rf "$out"
mkdir -p "$out"
out=$(realpath "$out")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$corpus_bin" generate --count "$count" --seed 7 --out "$work/corpus" >/dev/null

mask() {
  sed -E \
    -e "s#$work#<work>#g" \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/<time>/g' \
    -e 's/"(elapsed_seconds|files_per_second)": [0-9.e+-]+/"\1": <n>/g' \
    -e 's/elapsed [0-9.]+ s, [0-9]+ files\/s/elapsed <n>/' \
    -e 's/"(hash|prev_hash)": ?"sha256:[0-9a-f]{64}"/"\1":"<hash>"/g' \
    -e 's/(entry [0-9]+ \(|head entry [0-9]+ )sha256:[0-9a-f]{64}/\1<hash>/g'
}
# run NAME COMMAND...: stdout, stderr and the exit code, masked.
run() {
  local name=$1
  shift
  set +e
  "$@" >"$work/stdout" 2>"$work/stderr"
  local code=$?
  set -e
  { mask <"$work/stdout"; echo "--- stderr"; mask <"$work/stderr"; echo "--- exit $code"; } >"$out/$name"
}

rules=rules
old=fixtures/rulesets/before-amendment-1
for f in $(cd "$work/corpus" && find . -type f | sort); do
  name=$(echo "$f" | tr '/.' '__')
  { "$bin" assess --rules "$rules" "$work/corpus/$f" 2>&1; echo "exit $?"; } | mask >>"$out/assess-text" || true
  { "$bin" assess --rules "$rules" --format json "$work/corpus/$f" 2>&1; echo "exit $?"; } | mask >>"$out/assess-json" || true
done
for f in fixtures/examples/spec-example.yaml fixtures/cases/*/application.yaml; do
  { echo "== $f"; "$bin" assess --rules "$rules" --as-of 2026-06-30 "$f" 2>&1; echo "exit $?"; } >>"$out/assess-fixtures" || true
done
run batch-jsonl "$bin" batch --rules "$rules" --jobs 2 --summary "$work/summary.json" "$work/corpus"
mask <"$work/summary.json" >"$out/batch-summary.json"
run batch-csv "$bin" batch --rules "$rules" --jobs 2 --format csv "$work/corpus"
"$bin" batch --rules "$old" --jobs 2 --output "$work/previous.jsonl" "$work/corpus" 2>/dev/null || true
run batch-compare "$bin" batch --rules "$rules" --jobs 2 --compare "$work/previous.jsonl" "$work/corpus"
run batch-compare-csv "$bin" batch --rules "$rules" --jobs 1 --format csv --compare "$work/previous.jsonl" "$work/corpus"
run impact-text "$bin" impact --old "$old" --new "$rules" --jobs 2 "$work/corpus"
run impact-jsonl "$bin" impact --old "$old" --new "$rules" --jobs 2 --format jsonl "$work/corpus"
run diff-text "$bin" diff "$old" "$rules"
run diff-json "$bin" diff --format json "$old" "$rules"
run diff-same "$bin" diff "$rules" "$rules"
run check-rules "$bin" check --rules "$rules"
run check-pec-ea "$bin" check --rules fixtures/rulesets/pec-ea
run test-coverage "$bin" test --coverage --rules "$rules"

# The case register, on chosen dates.
db="$work/accord.db"
first=$(cd "$work/corpus" && find . -name '*.yaml' | sort | sed -n 1,3p)
i=0
for f in $first; do
  i=$((i + 1))
  id=$(grep -m1 '^id:' "$work/corpus/$f" | sed 's/id: *//; s/"//g')
  run "case-$i-open" "$bin" case --db "$db" open --rules "$rules" --received 2026-01-05 "$work/corpus/$f"
  run "case-$i-ack" "$bin" case --db "$db" acknowledge "$id" --on 2026-01-14
  run "case-$i-assess" "$bin" case --db "$db" assess --rules "$rules" "$id" --on 2026-01-20
  run "case-$i-evidence" "$bin" case --db "$db" evidence --rules "$rules" "$id" "$work/corpus/$f" --received 2026-02-01
  run "case-$i-show-text" "$bin" case --db "$db" show --rules "$rules" "$id" --as-of 2026-02-10
  run "case-$i-show-json" "$bin" case --db "$db" show --rules "$rules" "$id" --as-of 2026-02-10 --format json
done
run case-due-text "$bin" case --db "$db" due --rules "$rules" --as-of 2026-03-04
run case-due-json "$bin" case --db "$db" due --rules "$rules" --as-of 2026-03-04 --format json
run case-unknown "$bin" case --db "$db" show --rules "$rules" NOPE --as-of 2026-03-04
run batch-record "$bin" batch --rules "$rules" --jobs 2 --record --db "$db" --output "$work/recorded.jsonl" "$work/corpus/000"
run ledger-verify "$bin" ledger --db "$db" verify
run ledger-replay-same "$bin" ledger --db "$db" replay --rules "$rules"
run ledger-replay-old "$bin" ledger --db "$db" replay --rules "$old"
run ledger-export "$bin" ledger --db "$db" export
echo "outputs written to $out"
