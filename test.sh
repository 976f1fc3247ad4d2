#!/usr/bin/env bash
# Runs every test and ends with one line "N passed, N failed". README's test command; .ci/run calls it.
set -uo pipefail
cd "$(dirname "$0")"

log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet test 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform prints "succeeded: N" and "failed: N" in its run summary.
passed=$(awk '/^[[:space:]]*succeeded:/ {s += $2} END {print s + 0}' "$log")
failed=$(awk '/^[[:space:]]*failed:/ {s += $2} END {print s + 0}' "$log")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or the runner failed before any test could report.
  failed=1
fi
echo "$passed passed, $failed failed"
exit "$status"
