#!/usr/bin/env bash
# Coverage-guided fuzzing of Accord's two input parsers with cargo-fuzz
# (libFuzzer), on the stable toolchain.
#
# Usage:
#   tools/fuzz.sh [SECONDS] [TARGET...]
#
#   SECONDS  how long to fuzz each target (default 600)
#   TARGET   `application` and/or `ruleset` (default: both, one after the other)
#
# Examples:
#   tools/fuzz.sh                  # 10 minutes each
#   tools/fuzz.sh 60 ruleset       # one minute of the rule-set target
#
# What it does:
#   1. installs cargo-fuzz (`cargo install cargo-fuzz --locked`) if absent;
#   2. sets RUSTC_BOOTSTRAP=1, so that the stable compiler accepts the
#      nightly-only flags cargo-fuzz passes (-Zsanitizer=address, ...);
#   3. seeds fuzz/corpus/<target>/ from fixtures/ and rules/ (and a libFuzzer
#      dictionary of their keys and values into fuzz/dict/);
#   4. runs each target in turn, one process with one job, for SECONDS. If a
#      target crashes early it goes on for the rest of its time in fork mode
#      (-fork=1 -ignore_crashes=1 ...), so the whole time is fuzzed;
#   5. prints executions, exec/s and coverage for each target, and every
#      finding (crash, timeout, out-of-memory) with its message. Each distinct
#      finding is copied to fuzz/crashes/<target>-<n>.bin.
#
# Exit status: 0 if no target found anything, 1 if one did, 2 on a usage or
# build error. Logs (libFuzzer's whole output) are in fuzz/logs/.
#
# Environment:
#   CARGO_BUILD_JOBS  parallel compile jobs (default 1: the machine is shared)
#   FUZZ_TIMEOUT      seconds one input may take before it is a finding (default 20)
#   FUZZ_RSS_MB       memory limit of a run, in MiB (default 2048)
#
# Reproduce a finding:  RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/crashes/<file>
# Minimise it:          RUSTC_BOOTSTRAP=1 cargo fuzz tmin <target> fuzz/crashes/<file>

set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzz="$root/fuzz"
cd "$root"

seconds=${1:-600}
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
    echo "usage: tools/fuzz.sh [SECONDS] [TARGET...]" >&2
    exit 2
fi
shift $(($# > 0 ? 1 : 0))
targets=("$@")
((${#targets[@]})) || targets=(application ruleset)
for t in "${targets[@]}"; do
    case $t in
        application | ruleset) ;;
        *) echo "unknown target '$t' (expected application or ruleset)" >&2; exit 2 ;;
    esac
done

export RUSTC_BOOTSTRAP=1
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
timeout_s=${FUZZ_TIMEOUT:-20}
rss_mb=${FUZZ_RSS_MB:-2048}
max_len=1048576 # the 1 MiB limit of an application or rule file

# --- 1. cargo-fuzz -----------------------------------------------------------
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
echo "== $(cargo fuzz --version), $(rustc --version)"

# --- 2. the embedded rule set must still be the bundled one ------------------
bundled_in_target=$(grep -o '"rules/[^"]*\.ya\?ml"' "$fuzz/fuzz_targets/bundled.rs" | tr -d '"' | sort)
bundled_on_disk=$(cd "$root" && find rules -path rules/tests -prune -o -type f \( -name '*.yaml' -o -name '*.yml' \) -print | sort)
if [[ $bundled_in_target != "$bundled_on_disk" ]]; then
    echo "fuzz/fuzz_targets/bundled.rs no longer lists the files of rules/:" >&2
    diff <(echo "$bundled_in_target") <(echo "$bundled_on_disk") >&2 || true
    exit 2
fi

# --- 3. seeds and dictionaries -----------------------------------------------
mkdir -p "$fuzz/corpus/application" "$fuzz/corpus/ruleset" "$fuzz/dict" "$fuzz/logs" "$fuzz/crashes"

# Applications: every case, the examples; and a JSON copy of each when
# python3 has PyYAML (the target reads every input as YAML and as JSON).
app=$fuzz/corpus/application
for f in fixtures/cases/*/application.yaml fixtures/cases-pec-ea/*/application.yaml; do
    [[ -f $f ]] || continue
    group=${f#fixtures/}
    cp "$f" "$app/seed-${group%%/*}-$(basename "$(dirname "$f")").yaml"
done
for f in fixtures/examples/*; do
    [[ -f $f ]] && cp "$f" "$app/seed-example-$(basename "$f")"
done
if python3 -c 'import yaml' 2>/dev/null; then
    python3 - "$app" <<'EOF'
import json, pathlib, sys, yaml
corpus = pathlib.Path(sys.argv[1])
for path in sorted(corpus.glob("seed-*.yaml")):
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except Exception:
        continue
    path.with_suffix(".json").write_text(json.dumps(doc, default=str, indent=1, ensure_ascii=False), encoding="utf-8")
EOF
else
    echo "   (python3 with PyYAML not found: no JSON seeds)"
fi

# Rule sets: the input's first byte picks the file it replaces (see
# fuzz/fuzz_targets/ruleset.rs): 0 ruleset, 1 bodies, 2 disciplines,
# 3 schedules, 4 the agreement, 5 one file replacing all. Each rule file is
# a seed for its slot, and each whole rule set, as one text, for slot 5.
rs=$fuzz/corpus/ruleset
seed_rule() { # slot file name
    { printf '%b' "\\x0$1"; cat "$2"; } >"$rs/seed-$3"
}
for dir in rules fixtures/rulesets/*; do
    [[ -d $dir ]] || continue
    tag=$(basename "$dir")
    files=$(find "$dir" -path "$dir/tests" -prune -o -type f \( -name '*.yaml' -o -name '*.yml' \) -print | sort)
    for f in $files; do
        case $(basename "$f") in
            ruleset.yaml) slot=0 ;;
            bodies.yaml) slot=1 ;;
            disciplines.yaml) slot=2 ;;
            schedules.yaml) slot=3 ;;
            *) slot=4 ;;
        esac
        seed_rule "$slot" "$f" "$tag-$(basename "$f")"
    done
    # shellcheck disable=SC2086 # one file name a word
    { printf '\x05'; for f in $files; do cat "$f"; echo; done; } >"$rs/seed-$tag-whole.yaml"
done

# Dictionaries: the keys and one-word values of the seeds, as YAML and JSON.
make_dict() { # output files...
    local out=$1
    shift
    {
        grep -ohE '[A-Za-z_][A-Za-z0-9_]*:' "$@" | sort -u | while read -r k; do
            printf '"%s"\n"\\"%s\\":"\n' "$k" "${k%:}"
        done
        grep -ohE ':[[:space:]]+[A-Za-z_][A-Za-z0-9_.-]*[[:space:]]*$' "$@" |
            sed -E 's/^:[[:space:]]+//; s/[[:space:]]+$//' | sort -u | while read -r v; do
            printf '"%s"\n' "$v"
        done
        printf '"%s"\n' '- ' '---' '...' '[]' '{}' 'null' 'true' 'false' '~' '&a' '*a' '!!str' '<<: ' '2024-02-29' '9999-12-31'
    } | sort -u >"$out"
}
make_dict "$fuzz/dict/application.dict" fixtures/cases/*/application.yaml fixtures/examples/*
mapfile -t rule_files < <(find rules fixtures/rulesets -path '*/tests' -prune -o -type f -name '*.yaml' -print)
make_dict "$fuzz/dict/ruleset.dict" "${rule_files[@]}"

for t in "${targets[@]}"; do
    echo "== corpus $t: $(find "$fuzz/corpus/$t" -type f | wc -l) inputs ($(find "$fuzz/corpus/$t" -type f -name 'seed-*' | wc -l) seeds), dictionary $(wc -l <"$fuzz/dict/$t.dict") entries"
done

# --- 4. build ------------------------------------------------------------------
# Built once, then the binaries are run directly (as `cargo fuzz run` would
# run them), so that every phase fuzzes the same build even if the sources
# change meanwhile.
echo "== building (release, debug assertions, AddressSanitizer)"
if ! cargo fuzz build -O; then
    echo "build failed" >&2
    exit 2
fi
host=$(rustc -vV | sed -n 's/^host: //p')
bindir=$fuzz/target/$host/release
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_odr_violation=0 # as cargo fuzz run sets it
echo "== sources: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" status --porcelain -- crates rules 2>/dev/null | grep -q . && echo ' with uncommitted changes in crates/ or rules/')"

# fuzz TARGET LOG ARGS...: one libFuzzer run on the target's corpus.
fuzz() {
    local t=$1 log=$2
    shift 2
    "$bindir/$t" -artifact_prefix="$fuzz/artifacts/$t/" "$@" "$fuzz/corpus/$t" >"$log" 2>&1
}

# --- 5. run --------------------------------------------------------------------
scratch=$(mktemp -d) # reruns of findings write their own artifacts here
trap 'rm -rf "$scratch"' EXIT
finding_files() { # target
    find "$fuzz/artifacts/$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' -o -name 'slow-unit-*' \) 2>/dev/null | sort
}

# The message of one finding: reruns it alone, prints its first report line
# (the panic and its location, or the sanitizer's or libFuzzer's error).
finding_message() { # target file
    local out
    out=$("$bindir/$1" -artifact_prefix="$scratch/" -rss_limit_mb="$rss_mb" -timeout="$timeout_s" -runs=1 "$2" 2>&1 || true)
    grep -m1 -A1 -E "panicked at|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)" <<<"$out" | tr '\n' ' ' | sed -E 's/[[:space:]]+/ /g' || true
    if ! grep -qE "panicked at|ERROR: " <<<"$out"; then
        echo "(does not reproduce alone)"
    fi
}

status=0
summary=()
for t in "${targets[@]}"; do
    log=$fuzz/logs/$t-$(date -u +%Y%m%dT%H%M%SZ).log
    mkdir -p "$fuzz/artifacts/$t"
    before=$(finding_files "$t")
    len=$max_len
    if [[ $t == ruleset ]]; then len=$((max_len + 1)); fi # and the slot byte
    common=(-rss_limit_mb="$rss_mb" -max_len="$len" -timeout="$timeout_s"
        -dict="$fuzz/dict/$t.dict" -print_final_stats=1)

    start=$(date +%s)
    echo "== fuzzing $t for ${seconds}s (log: ${log#"$root"/})"
    set +e
    : >"$log"
    fuzz "$t" "$log" -max_total_time="$seconds" "${common[@]}" &
    pid=$!
    tail -n +1 -f --pid="$pid" "$log" | grep --line-buffered -E '^#[0-9]+.*(INITED|pulse|DONE)|panicked at|ERROR:|SUMMARY|^stat::'
    wait "$pid"
    rc=$?
    set -e
    elapsed=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: //p' "$log" | tail -1)
    if [[ -z $execs ]]; then # stopped by a crash: the last status line
        execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    fi
    execs=${execs:-0}
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
    phases="single process ${elapsed}s, $execs runs"

    # Crashed early: go on in fork mode, ignoring further findings, for the rest.
    remaining=$((seconds - elapsed))
    if ((rc != 0 && remaining > 5)); then
        echo "== $t stopped after ${elapsed}s (exit $rc); fuzzing on for ${remaining}s in fork mode, ignoring crashes"
        flog=${log%.log}-fork.log
        set +e
        : >"$flog"
        fuzz "$t" "$flog" -max_total_time="$remaining" -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 "${common[@]}" &
        pid=$!
        tail -n +1 -f --pid="$pid" "$flog" | grep --line-buffered -E '^#[0-9]+:|panicked at|INFO: exiting'
        wait "$pid"
        set -e
        fexecs=$(grep -oE '^#[0-9]+:' "$flog" | tail -1 | tr -d '#:')
        fexecs=${fexecs:-0}
        fcov=$(grep -oE 'cov: [0-9]+' "$flog" | tail -1 | awk '{print $2}')
        if [[ -n $fcov ]]; then cov="$cov (fork mode counts differently: $fcov)"; fi
        phases="$phases; fork mode $(($(date +%s) - start - elapsed))s, $fexecs runs"
        execs=$((execs + fexecs))
        elapsed=$(($(date +%s) - start))
    fi
    per_s=$((elapsed > 0 ? execs / elapsed : execs))

    # Findings of this run: one saved reproducer per distinct message.
    new=$(comm -13 <(echo "$before") <(finding_files "$t") | sed '/^$/d')
    found=0
    declare -A seen=()
    report=()
    for f in $new; do
        found=$((found + 1))
        msg=$(finding_message "$t" "$f")
        key="$(basename "$f" | cut -d- -f1) $(grep -oE 'panicked at [^ ]+|ERROR: [A-Za-z]+: [a-z-]+' <<<"$msg" | head -1)"
        if [[ -z ${seen[$key]:-} ]]; then
            n=1
            while [[ -e $fuzz/crashes/$t-$n.bin ]]; do n=$((n + 1)); done
            saved=$fuzz/crashes/$t-$n.bin
            cp "$f" "$saved"
            # Minimise a crash as `cargo fuzz tmin` does; keep the result only
            # if it still crashes.
            size=$(wc -c <"$f")
            if [[ $(basename "$f") == crash-* ]]; then
                "$bindir/$t" -minimize_crash=1 -runs="${FUZZ_TMIN_RUNS:-255}" -rss_limit_mb="$rss_mb" \
                    -timeout="$timeout_s" -artifact_prefix="$scratch/" -exact_artifact_path="$saved.min" \
                    "$f" >"$log.tmin-$n" 2>&1 || true
                if [[ -s $saved.min ]] && ! "$bindir/$t" -artifact_prefix="$scratch/" -runs=1 "$saved.min" >/dev/null 2>&1; then
                    mv "$saved.min" "$saved"
                fi
                rm -f "$saved.min"
            fi
            seen[$key]=$saved
            report+=("  ${saved#"$root"/} ($(wc -c <"$saved") bytes, from ${f#"$root"/}, $size bytes): $msg")
        fi
    done
    unset seen
    line="$t: ${elapsed}s, $execs executions, $per_s exec/s, cov ${cov:-?} [$phases]"
    if ((found)); then
        status=1
        line="$line — $found finding(s), ${#report[@]} distinct"
    elif ((rc != 0)); then
        status=1
        line="$line — libFuzzer exited $rc without leaving a finding; see ${log#"$root"/}"
    else
        line="$line — no crash"
    fi
    summary+=("$line")
    for r in "${report[@]}"; do summary+=("$r"); done
done

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$status"
