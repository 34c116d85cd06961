#!/usr/bin/env bash
# The load benchmark of issue 8: every endpoint of ENDPOINTS at each connection count, against
# /healthz of the same server in the same run; prints one table. See docs/benchmarks.md.
#
#   bench/load.sh --database-url URL [--data-dir DIR]   starts `gaibu serve` on it, stops it after
#   bench/load.sh --url http://HOST:PORT [--pid PID]     a server already running (PID: for RSS)
# Options: -d SECONDS (10) per run, -c "8 64" connection counts, -t THREADS (2) of wrk,
#   --token T (else one is made with `gaibu user token` when the script starts the server),
#   --login L --password P (ciso / gaibu-bench: the seeder's), --totp-code C (the login's
#   second factor; else `gaibu user code` when the script starts the server), --service ID
#   (else the first in operation), --bin PATH (target/release/gaibu).
# Needs wrk (Debian: apt-get install wrk) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=10
CONNS="8 64"
THREADS=2
URL=""
PID=""
DB_URL=""
DATA_DIR=""
TOKEN="${GAIBU_BENCH_TOKEN:-}"
LOGIN="ciso"
PASSWORD="gaibu-bench"
TOTP_CODE=""
SERVICE=""
BIN="${GAIBU_BIN:-target/release/gaibu}"

# The endpoints: "kind path", kind `api` (bearer token) or `html` (session cookie). A path that
# answers 404 on this server (not built yet) is marked in the table, not fatal. {id} is the
# sample service.
DEFAULT_ENDPOINTS='
api /api/v1/services?limit=50
html /services
html /services?q=会議
api /api/v1/catalogue?q=会議
api /api/v1/register
html /register
api /api/v1/applications
html /checks
api /api/v1/rechecks?scope=all
html /terminations?state=all
html /dashboard
api /api/v1/dashboard
html /services/{id}
api /api/v1/services/{id}
'
ENDPOINTS="${GAIBU_BENCH_ENDPOINTS:-$DEFAULT_ENDPOINTS}"

while [ $# -gt 0 ]; do
  case "$1" in
    -d) DURATION="$2"; shift 2 ;;
    -c) CONNS="$2"; shift 2 ;;
    -t) THREADS="$2"; shift 2 ;;
    --url) URL="$2"; shift 2 ;;
    --pid) PID="$2"; shift 2 ;;
    --database-url) DB_URL="$2"; shift 2 ;;
    --data-dir) DATA_DIR="$2"; shift 2 ;;
    --token) TOKEN="$2"; shift 2 ;;
    --login) LOGIN="$2"; shift 2 ;;
    --password) PASSWORD="$2"; shift 2 ;;
    --totp-code) TOTP_CODE="$2"; shift 2 ;;
    --service) SERVICE="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 2; }
[ -n "$URL" ] || [ -n "$DB_URL" ] || { echo "give --database-url or --url" >&2; exit 2; }

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# urlencode the non-ASCII of a path (wrk sends what it is given; curl too).
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="/?=&:{}"))' "$1"; }

if [ -n "$DB_URL" ]; then
  [ -x "$BIN" ] || { echo "no server binary at $BIN (cargo build --release)" >&2; exit 2; }
  DATA_DIR="${DATA_DIR:-$WORK/data}"
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if [ -z "$TOKEN" ]; then
    TOKEN=$("$BIN" user token --login "$LOGIN" --name load --database-url "$DB_URL" --data-dir "$DATA_DIR" 2>/dev/null | tail -n1)
  fi
  GAIBU_LOG=warn "$BIN" serve --listen "127.0.0.1:$PORT" --database-url "$DB_URL" --data-dir "$DATA_DIR" \
    >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  PID=$SERVER_PID
  URL="http://127.0.0.1:$PORT"
  START=$(date +%s%N)
  for _ in $(seq 1 200); do
    curl -sf "$URL/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.05
  done
  READY_MS=$(( ($(date +%s%N) - START) / 1000000 ))
  echo "server: pid $SERVER_PID, healthy after ${READY_MS} ms (including process start)"
fi
URL="${URL%/}"

# A session for the HTML pages: sign in as a browser would.
curl -s -o /dev/null -c "$WORK/jar" --data-urlencode "login=$LOGIN" \
  --data-urlencode "password=$PASSWORD" --data-urlencode "next=/" "$URL/login"
# A privileged login (the seeder's CISO) has a second step: the code its app would show now.
if awk '$6 == "gaibu_mfa"' "$WORK/jar" | grep -q .; then
  if [ -z "$TOTP_CODE" ] && [ -n "$DB_URL" ]; then
    TOTP_CODE=$("$BIN" user code --login "$LOGIN" --database-url "$DB_URL" --data-dir "$DATA_DIR" 2>/dev/null | tail -n1)
  fi
  [ -n "$TOTP_CODE" ] || { echo "$LOGIN signs in with a second factor: give --totp-code" >&2; exit 2; }
  curl -s -o /dev/null -b "$WORK/jar" -c "$WORK/jar" --data-urlencode "code=$TOTP_CODE" "$URL/login/mfa"
fi
SESSION=$(awk '$6 == "gaibu_session" { print $7 }' "$WORK/jar")
[ -n "$SESSION" ] || { echo "could not sign in as $LOGIN" >&2; exit 1; }
[ -n "$TOKEN" ] || { echo "give --token (an API token of $LOGIN)" >&2; exit 2; }

if [ -z "$SERVICE" ]; then
  SERVICE=$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/services?limit=50&status=in_operation" \
    | grep -o '"id": *[0-9]*' | head -n1 | grep -o '[0-9]*$' || true)
  SERVICE="${SERVICE:-1}"
fi

rss() {
  if [ -n "$PID" ] && [ -r "/proc/$PID/status" ]; then
    awk '/^VmRSS:/ { printf "%.0f MB", $2 / 1024 }' "/proc/$PID/status"
  else
    echo "-"
  fi
}

# run KIND PATH CONNS: prints "req/s p50 p99 status size" (status: HTTP code of a probe).
run() {
  local kind="$1" path="$2" conns="$3" auth=""
  case "$kind" in
    api) auth="Authorization: Bearer $TOKEN" ;;
    html) auth="Cookie: gaibu_session=$SESSION" ;;
  esac
  local probe code size
  if [ -n "$auth" ]; then
    probe=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' -H "$auth" "$URL$path")
  else
    probe=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$URL$path")
  fi
  code=${probe% *}
  size=${probe#* }
  if [ "$code" = "404" ]; then
    echo "- - - 404_(not_on_this_server) $size"
    return
  fi
  if [ "$code" != "200" ]; then
    echo "- - - HTTP_$code $size"
    return
  fi
  local out
  out=$(GAIBU_BENCH_AUTH="$auth" wrk -t "$THREADS" -c "$conns" -d "${DURATION}s" --timeout 10s \
    -s bench/report.lua "$URL$path" 2>&1 | grep '^RESULT' || true)
  if [ -z "$out" ]; then
    echo "- - - wrk $size"
    return
  fi
  # RESULT rps p50 p99 n status_errors socket_errors bytes
  set -- $out
  local note="200"
  [ "$6" != "0" ] && note="$6 non-2xx"
  [ "$7" != "0" ] && note="$note, $7 socket errors"
  [ "$5" = "0" ] && note="none completed"
  echo "$2 $3 $4 ${note// /_} $size"
}

human() { # bytes -> human
  awk -v b="$1" 'BEGIN { if (b !~ /^[0-9]+$/) { print b; exit } if (b >= 1048576) printf "%.1f MB", b/1048576; else if (b >= 1024) printf "%.1f KB", b/1024; else printf "%d B", b }'
}

echo "server: $URL, $DURATION s a run, wrk -t $THREADS, service $SERVICE"
echo "RSS before: $(rss)"
printf '\n| %-36s | %5s | %9s | %8s | %8s | %7s | %9s | %8s | %s\n' \
  endpoint conns 'req/s' 'p50 ms' 'p99 ms' '% hz' size RSS note
printf '|%s|%s|%s|%s|%s|%s|%s|%s|---\n' \
  "--------------------------------------" "-------" "-----------" "----------" "----------" "---------" "-----------" "----------"
for c in $CONNS; do
  read -r HZ_RPS HZ_P50 HZ_P99 HZ_NOTE HZ_SIZE <<<"$(run none /healthz "$c")"
  printf '| %-36s | %5s | %9s | %8s | %8s | %7s | %9s | %8s | %s\n' \
    "GET /healthz" "$c" "$HZ_RPS" "$HZ_P50" "$HZ_P99" "100" "$(human "$HZ_SIZE")" "$(rss)" "${HZ_NOTE//_/ }"
  while read -r kind path; do
    [ -n "$kind" ] || continue
    path="${path//\{id\}/$SERVICE}"
    read -r RPS P50 P99 NOTE SIZE <<<"$(run "$kind" "$(enc "$path")" "$c")"
    RATIO="-"
    if [ "$RPS" != "-" ] && [ "$HZ_RPS" != "-" ]; then
      RATIO=$(awk -v a="$RPS" -v b="$HZ_RPS" 'BEGIN { printf "%.1f", 100 * a / b }')
    fi
    label="$path"
    [ "$kind" = "api" ] || label="HTML $path"
    [ "$kind" = "api" ] && label="GET $path"
    printf '| %-36s | %5s | %9s | %8s | %8s | %7s | %9s | %8s | %s\n' \
      "$label" "$c" "$RPS" "$P50" "$P99" "$RATIO" "$(human "$SIZE")" "$(rss)" "${NOTE//_/ }"
  done <<<"$ENDPOINTS"
done
echo
echo "RSS after: $(rss)"
