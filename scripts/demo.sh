#!/usr/bin/env bash
# The live demo (`make run`, after the simulated week): `voltpool serve` with embedded SQLite plans a real day of
# Caltech JPL workplace sessions (moved 9 hours earlier, so Pasadena's working day falls on Berlin's), played by
# `voltpool chargers` through OCPP 2.0.1 at 1440x (a day per minute) on the German day-ahead prices of the same
# weekday in 2024, under a 150 kW site limit; then the REST API shows where the energy went.
# Usage: scripts/demo.sh BUILD_DIR DATA_DIR OUT_DIR
set -euo pipefail
build=$1 data=$2 out=$3
bin=$build/voltpool
port=${DEMO_PORT:-8180}
speed=${DEMO_SPEED:-1440}
sessions=$data/ev_sessions/acn_caltech_jpl/acn_jpl_2019-05-01_2019-08-31.csv
prices=$data/prices/smard_de_eu_2023_2024/Gro_handelspreise_202301010000_202501010000_Stunde.csv
rm -rf "$out" && mkdir -p "$out"
"$bin" chargers --count 40 --sessions "$sessions" --from 2019-06-04 --shift-hours -9 --provision-csv "$out/stations.csv" > /dev/null
"$bin" stations add --db "$out/voltpool.db" --from-csv "$out/stations.csv" > /dev/null
token=$("$bin" tokens create --db "$out/voltpool.db" --role operator)
epoch=$(( $(date +%s) + 3 ))
clock=(--clock-start 2019-06-04 --clock-speed "$speed" --clock-epoch "$epoch")
"$bin" serve --db "$out/voltpool.db" --port "$port" --prices "$prices" --zone DE-LU --replay-prices-from 2024-06-04 \
  --site-limit-kw 150 "${clock[@]}" > "$out/serve.out" 2> "$out/serve.log" &
serve_pid=$!
trap 'kill -TERM $serve_pid 2>/dev/null || true' EXIT
sleep 1
echo "voltpool serve is up: OCPP at ws://127.0.0.1:$port/ocpp/{station_id}, REST at http://127.0.0.1:$port/api/"
echo "  try: curl -H 'Authorization: Bearer $token' http://127.0.0.1:$port/api/plan"
echo "  40 simulated stations now replay 4 June 2019 at JPL (a day in $(( 86400 / speed )) s) ..."
"$bin" chargers --count 40 --url "ws://127.0.0.1:$port/ocpp" --sessions "$sessions" --from 2019-06-04 --shift-hours -9 \
  --protocol 2.0.1 --tick-ms 100 --meter-interval-s 300 "${clock[@]}" --report "$out/chargers.json" > /dev/null 2> "$out/chargers.log"
node "$(dirname "$0")/../js/demo_summary.js" "http://127.0.0.1:$port" "$token"
echo "database, logs and the charger report: $out"
# At a terminal the service stays up to be explored (the day is over: the sessions, earnings and ledger are there).
if [ -t 0 ] && [ "${DEMO_HOLD:-1}" != 0 ]; then
  echo "voltpool serve stays up at http://127.0.0.1:$port/ (token above); press Enter to stop it"
  echo "  try: curl -H 'Authorization: Bearer $token' http://127.0.0.1:$port/api/ledger"
  read -r _ || true
fi
