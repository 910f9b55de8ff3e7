#!/usr/bin/env bash
# Makes the README's two screenshots with headless Chromium (Debian's
# `chromium`): the decision letter of the outlook fixture decided
# `conditional` (docs/letter.png) and the batch report of a generated
# corpus of 500 files compared with an earlier run (docs/batch-report.png).
#
#   tools/screenshots.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v chromium >/dev/null || { echo "chromium not found (apt-get install chromium)" >&2; exit 1; }
cargo build --quiet --release -p accord-cli -p accord-corpus
accord="$root/target/release/accord"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

shoot() { # PAGE PNG WIDTH HEIGHT
  chromium --headless --disable-gpu --no-sandbox --hide-scrollbars --no-first-run \
    --disable-background-networking --host-resolver-rules="MAP * ~NOTFOUND" \
    --user-data-dir="$work/profile" --window-size="$3,$4" \
    --screenshot="$2" "file://$1" >/dev/null 2>&1
}

"$accord" assess --rules rules --outlook --format html \
  fixtures/outlook/cpd-course-leaves-window-before-seven-years/application.yaml > "$work/letter.html"
shoot "$work/letter.html" docs/letter.png 900 1900

"$root/target/release/accord-corpus" generate --count 500 --seed 14 --out "$work/corpus" >/dev/null
"$accord" batch --quiet --rules rules --as-of 2026-03-02 --output "$work/before.jsonl" "$work/corpus"
printf 'id: [\n' > "$work/corpus/zz-broken.yaml"
"$accord" batch --quiet --rules rules --as-of 2027-09-01 --output /dev/null \
  --compare "$work/before.jsonl" --report "$work/report.html" "$work/corpus" || true
sed -i "s#$work/##g" "$work/report.html"
shoot "$work/report.html" docs/batch-report.png 1000 1700
echo "wrote docs/letter.png and docs/batch-report.png"
