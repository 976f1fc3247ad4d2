#!/usr/bin/env bash
# Runs every test and ends with one line "N passed, N failed". README's test command; .ci/run calls it.
#   1. the .NET suite (unit and end-to-end tests on the real server);
#   2. tests/compat: the real npm clients against a server started here on loopback with a fresh
#      data folder, stopped afterwards whatever happens;
#   3. bench/run --quick: the benchmark harness runs (figures are not judged).
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

passed=0
failed=0
status=0

# --- 1. .NET --------------------------------------------------------------------------------
dotnet test 2>&1 | tee "$work/dotnet.log"
dotnet_status=${PIPESTATUS[0]}
# Microsoft.Testing.Platform prints "succeeded: N" and "failed: N" in its run summary.
p=$(awk '/^[[:space:]]*succeeded:/ {s += $2} END {print s + 0}' "$work/dotnet.log")
f=$(awk '/^[[:space:]]*failed:/ {s += $2} END {print s + 0}' "$work/dotnet.log")
if [ "$dotnet_status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
passed=$((passed + p)); failed=$((failed + f))
[ "$dotnet_status" -ne 0 ] && status=1

# --- 2. real clients ------------------------------------------------------------------------
dll="$root/src/B24Mail.Server/bin/Debug/net10.0/b24mail.dll"
if [ ! -d tests/compat/node_modules ]; then (cd tests/compat && npm ci --no-audit --no-fund); fi
data="$work/data"
dotnet "$dll" --data "$data" --urls "https://127.0.0.1:0;http://127.0.0.1:0" --rate-limit false > "$work/server.log" 2>&1 &
server_pid=$!
webhook=""
for _ in $(seq 1 120); do
  webhook=$(awk '/^Webhook URL:/ {print $3}' "$work/server.log")
  [ -n "$webhook" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$webhook" ]; then
  echo "The server for the compatibility tests did not start:"; cat "$work/server.log"
  failed=$((failed + 1)); status=1
else
  listening=$(awk '/^b24mail is listening on/ {sub(/^b24mail is listening on /, ""); print}' "$work/server.log")
  export B24MAIL_DLL="$dll" B24_DATA="$data" B24_WEBHOOK="$webhook"
  export B24_HTTPS=$(echo "$listening" | tr ',' '\n' | tr -d ' ' | grep '^https://' | head -1)
  export B24_HTTP=$(echo "$listening" | tr ',' '\n' | tr -d ' ' | grep '^http://' | head -1)
  export B24_TLS_PFX="$data/tls/server.pfx" NODE_EXTRA_CA_CERTS="$data/tls/server.crt"
  (cd tests/compat && node --test --test-concurrency=1 --test-reporter=tap) 2>&1 | tee "$work/node.log"
  node_status=${PIPESTATUS[0]}
  p=$(awk '/^# pass / {print $3}' "$work/node.log" | tail -1)
  f=$(awk '/^# fail / {print $3}' "$work/node.log" | tail -1)
  p=${p:-0}; f=${f:-0}
  if [ "$node_status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  [ "$node_status" -ne 0 ] && status=1
fi

# --- 3. the benchmark harness, on its tiny scenario (no figures are judged here) ----------------
if command -v wrk >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1; then
  if timeout 120 python3 bench/run --quick > "$work/bench.log" 2>&1; then
    echo "ok - bench/run --quick"; passed=$((passed + 1))
  else
    echo "not ok - bench/run --quick"; tail -20 "$work/bench.log"; failed=$((failed + 1)); status=1
  fi
else
  echo "skipped - bench/run --quick (wrk or python3 not installed)"
fi

echo "$passed passed, $failed failed"
exit "$status"
