#!/usr/bin/env bash
# Makes the upgrade fixtures from a build of main at 61191d6 (the last schema before one shared history):
#   git archive 61191d6 | tar -x -C /tmp/b24old && dotnet build /tmp/b24old/src/B24Mail.Server
#   tests/B24Mail.Tests/Storage/Fixtures/make-fixtures.sh /tmp/b24old/src/B24Mail.Server/bin/Debug/net10.0/b24mail.dll \
#     "Host=127.0.0.1;Username=b24mail;Password=b24mail;Database=postgres"
# It writes sqlite-61191d6.db with its logo folder sqlite-61191d6-portals/, postgres-61191d6.sql and the credentials each printed (*-61191d6.json) next to itself.
set -euo pipefail
shopt -s inherit_errexit
OLD=$1
ADMIN=$2
HERE=$(cd "$(dirname "$0")" && pwd)
PNG='iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

make() { # NAME PORT [--postgres CONNSTRING]; leaves the data folder in $data
  local name=$1 port=$2; shift 2
  data=$(mktemp -d)
  local base="http://127.0.0.1:$port"
  local common=(--data "$data" --clock manual "$@")
  local cli=(dotnet "$OLD")
  "${cli[@]}" "${common[@]}" --urls "$base" --allow-http true --operating-limit 100 --rate-limit-burst 40 >"$data/server.out" 2>"$data/server.err" &
  local pid=$!
  trap "kill -TERM $pid 2>/dev/null || true" EXIT
  until curl -sf "$base/health" >/dev/null; do sleep 0.5; done
  local hook; hook=$(sed -n 's/^Webhook URL: //p' "$data/server.out")
  # Every time below is this manual clock's, so the test knows the stored values.
  curl -sf "$base/_b24mail/clock" -H 'Content-Type: application/json' -d '{"now":"2026-03-01T12:00:00Z"}' >/dev/null
  # Options follow the command; --url names the address printed webhook URLs start with.
  c() { "${cli[@]}" "$@" "${common[@]}"; }
  c portal add --code second --domain second.test --license ent10000 --language de >/dev/null
  c portal limit --code second --burst 10 --per-second 1 >/dev/null
  c user add --name Bob --last-name Builder --email bob@example.test >/dev/null
  c user add --portal second --name Carol --email carol@second.test --admin >/dev/null
  local hook2; hook2=$(c webhook add --user 2 --scope mailservice,user --expires-in 86400 --url "$base")
  local hook3; hook3=$(c webhook add --portal second --user 2 --scope mailservice --url "$base")
  local app; app=$(c app add --name Demo --scope mailservice,user --redirect-uri https://app.example/callback)
  local client; client=$(jq -r .client_id <<<"$app")
  c app restrict --app "$client" --users 1,2 >/dev/null
  local tokens; tokens=$(c token issue --app "$client" --user 1)
  # A code (and user 2's last login) from the consent page; the manual clock keeps it unexpired.
  curl -sf -o /dev/null "$base/oauth/authorize/?client_id=$client&state=xyz&user_id=2&approve=Y"
  curl -sf "${hook}mailservice.add" -H 'Content-Type: application/json' \
    -d "{\"NAME\":\"With logo\",\"SERVER\":\"imap.logo.test\",\"PORT\":993,\"ENCRYPTION\":\"Y\",\"LINK\":\"https://mail.logo.test/\",\"SORT\":5,\"ICON\":[\"logo.png\",\"$PNG\"]}" >/dev/null
  curl -sf "${hook3}mailservice.add" -d 'NAME=Second+IMAP&SERVER=imap.second.test&PORT=143&ENCRYPTION=N' >/dev/null
  curl -sf "${hook2}mailservice.list" >/dev/null
  curl -sf "$base/_b24mail/faults" -H 'Content-Type: application/json' -d '{"method":"mailservice.fields","error":"QUERY_LIMIT_EXCEEDED","times":3}' >/dev/null
  curl -sf "$base/_b24mail/clock" -H 'Content-Type: application/json' -d '{"advance":90}' >/dev/null
  kill -TERM "$pid"; wait "$pid" || true
  jq -n --arg hook "$hook" --arg hook2 "$hook2" --arg hook3 "$hook3" --argjson app "$app" --argjson tokens "$tokens" \
    '{bootstrapWebhook: $hook, bobWebhook: $hook2, secondWebhook: $hook3, app: $app, tokens: $tokens}' >"$HERE/$name-61191d6.json"
}

make sqlite 5291
sqlite3 "$data/b24mail.db" "VACUUM INTO '$HERE/sqlite-61191d6.db.tmp'"
mv "$HERE/sqlite-61191d6.db.tmp" "$HERE/sqlite-61191d6.db"
# SQLite keeps logo files in the data folder: the server refuses to start without the one the database names.
rm -rf "$HERE/sqlite-61191d6-portals" && cp -r "$data/portals" "$HERE/sqlite-61191d6-portals"

export PGPASSWORD=b24mail
psql "host=127.0.0.1 user=b24mail dbname=postgres" -qc 'DROP DATABASE IF EXISTS b24fixture' -c 'CREATE DATABASE b24fixture'
pg=$(sed 's/Database=[^;]*/Database=b24fixture/' <<<"$ADMIN")
make postgres 5292 --postgres "$pg"
# INSERT statements rather than COPY, so the test can run the dump through Npgsql; no owners, so any account restores it.
pg_dump -h 127.0.0.1 -U b24mail --inserts --no-owner --no-privileges b24fixture | grep -v '^\\' >"$HERE/postgres-61191d6.sql"
psql "host=127.0.0.1 user=b24mail dbname=postgres" -qc 'DROP DATABASE b24fixture'
