#!/usr/bin/env bash
# OCPP load benchmark (issue #6 targets) on loopback: N stations (default 10,000) each with a car plugged in,
# sending a meter value every 10 s to `voltpool serve` through real OCPP 2.0.1 WebSockets (`voltpool chargers`);
# then new day-ahead prices arrive (SIGHUP) and every car's profile changes: the time until all N stations
# answered their new SetChargingProfile is measured by the server.
# Usage: bench/ocpp_load.sh [N] [DURATION_S]   (from the repository root, after `make`; SERVE_ARGS="..." adds
#   options to `voltpool serve`, e.g. SERVE_ARGS="--station-rate-limit 0")
#   V2X=1 bench/ocpp_load.sh ...  stations speak OCPP 2.1 and every EV offers 10 kWh of V2X, served with --v2g:
#                                 then every car can move with the prices, so the new prices change (nearly) all.
set -euo pipefail
N=${1:-10000}
DURATION=${2:-90}
BIN=${BIN:-build/voltpool}
PORT=${PORT:-18180}
if [ "${V2X:-0}" = 1 ]; then
  serve_v2x=(--v2g); chargers_v2x=(--protocol 2.1 --v2x-offer-kwh 10)
else
  serve_v2x=(); chargers_v2x=(--protocol 2.0.1)
fi
work=$(mktemp -d)
trap 'kill -TERM "${serve_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

"$BIN" generate --n $((N * 2)) --seed 7 --evs "$work/evs.csv" > /dev/null
"$BIN" chargers --count "$N" --fleet-day "$work/evs.csv" --present-at-step 40 --provision-csv "$work/stations.csv" > /dev/null
"$BIN" stations add --db "$work/vp.db" --from-csv "$work/stations.csv" > /dev/null

# Two day-ahead price files in SMARD's format (DE-LU, EUR/MWh, Berlin time): cheap late afternoon, then cheap
# around noon; every car that can wait moves its charging.
prices() {  # prices FILE CHEAP_FROM CHEAP_TO
  echo "Datum von;Deutschland/Luxemburg [€/MWh] Originalauflösungen" > "$1"
  for day in 03 04; do
    for h in $(seq 0 23); do
      if [ "$h" -ge "$2" ] && [ "$h" -lt "$3" ]; then p="20,00"; else p="140,00"; fi
      printf "%s.06.2024 %02d:00;%s\n" "$day" "$h" "$p" >> "$1"
    done
  done
}
prices "$work/prices.csv" 16 19
prices "$work/prices_noon.csv" 11 14

"$BIN" serve --db "$work/vp.db" --port "$PORT" --clock-start 2024-06-03T10:00:00Z --prices "$work/prices.csv" \
  "${serve_v2x[@]}" ${SERVE_ARGS:-} > "$work/serve.out" 2> "$work/serve.err" &
serve_pid=$!
sleep 1
spread=$(( N / 500 > 1 ? N / 500 : 1 ))
warmup=$(( spread + 20 ))
"$BIN" chargers --count "$N" --url "ws://127.0.0.1:$PORT/ocpp" --fleet-day "$work/evs.csv" --present-at-step 40 \
  --from 2024-06-03 --clock-start 2024-06-03T10:00:00Z --duration-s "$DURATION" --connect-spread-s "$spread" \
  --warmup-s "$warmup" --steady-s 30 "${chargers_v2x[@]}" --report "$work/chargers.json" > /dev/null 2> "$work/chargers.err" &
chargers_pid=$!
sleep $(( warmup + 35 ))  # the steady window (30 s) ends before the new prices
cp "$work/prices_noon.csv" "$work/prices.csv"
kill -HUP "$serve_pid"
wait "$chargers_pid" || true
kill -TERM "$serve_pid"
wait "$serve_pid" || true
echo "== voltpool chargers ($N stations, ${chargers_v2x[*]}, ${DURATION} s, meter value every 10 s; steady = ${warmup} s to $((warmup + 30)) s)"
cat "$work/chargers.json"
echo "== voltpool serve"
cat "$work/serve.out"
echo "== the re-plan after the new prices (SIGHUP) and its batch of profiles"
grep -A 3 "SIGHUP" "$work/serve.err" | grep -E "SIGHUP|re-planned|profiles sent and answered" || true
