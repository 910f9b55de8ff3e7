#!/usr/bin/env bash
# Property-based fuzzing of the HTTP service against its own OpenAPI
# document, with schemathesis (https://schemathesis.readthedocs.io).
#
#   tools/schemathesis.sh [ACCORD_BINARY] [EXAMPLES_PER_OPERATION]
#
# Starts `accord serve` on a fresh SQLite register with one actor holding
# every role, fetches /v1/openapi.json, and runs two passes:
#   1. every operation with generated data (case ids mostly unknown: 404s);
#   2. the case routes pinned to a case opened from a real application, so
#      the generated dates and bodies reach the workflow's own rules.
# Checks: no 5xx; every status, content type, header and body is one the
# document declares; a request without the token gets 401 whatever else it
# carries; unsupported methods get 405. Exits non-zero on any failure.
# Needs schemathesis (`pip install schemathesis`; .ci/run installs it): its
# `st` command, or the module when pip's scripts are not on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
accord="${1:-target/debug/accord}"
examples="${2:-40}"
accord="$(cd "$(dirname "$accord")" && pwd)/$(basename "$accord")"

work="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

db="$work/register.db"
"$accord" --db "$db" --quiet actor add fuzz --name "API fuzzer" \
  --role admin --role clerk --role assessor --role auditor >/dev/null
token="$("$accord" --db "$db" --actor fuzz token create --for fuzz 2>/dev/null)"

"$accord" --db "$db" serve --rules rules --listen 127.0.0.1:0 2>"$work/serve.log" &
server=$!
url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's/^accord serve: listening on \(http:\/\/[^ ]*\).*/\1/p' "$work/serve.log")"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/serve.log"; echo "the server did not start" >&2; exit 1; }

auth=(-H "Authorization: Bearer $token")
curl -fsS "${auth[@]}" "$url/v1/openapi.json" -o "$work/openapi.json"
case_id="$(curl -fsS "${auth[@]}" -H 'Content-Type: application/yaml' \
  --data-binary @fixtures/examples/spec-example.yaml "$url/v1/cases?received=2026-03-02" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["case"])')"

# Every request's body is an application or a correction: the document can
# say "an object", not the whole application format, so "schema-valid data
# is accepted" (positive_data_acceptance) cannot hold and is not checked.
checks="not_a_server_error,status_code_conformance,content_type_conformance"
checks="$checks,response_headers_conformance,response_schema_conformance"
checks="$checks,missing_required_header,unsupported_method,ignored_auth"

if command -v st >/dev/null; then st=(st); else st=(python3 -m schemathesis.cli); fi
run() {
  local config=()
  [ -f "$work/schemathesis.toml" ] && config=(--config-file "$work/schemathesis.toml")
  "${st[@]}" "${config[@]}" run "$work/openapi.json" --url "$url" "${auth[@]}" --checks "$checks" \
    --max-examples "$examples" --seed 20261206 --no-color "$@"
}
echo "== schemathesis: every operation"
run
echo "== schemathesis: the case routes on case $case_id"
cat >"$work/schemathesis.toml" <<EOF
[parameters]
"path.id" = "$case_id"
EOF
run --include-path-regex '^/v1/cases/\{id\}' 
echo "schemathesis: no server error and no response outside the document"
