// End to end: `voltpool chargers` replays a real day of Caltech JPL sessions (../shared/data) at 7200x through
// OCPP against `voltpool serve` on the same simulated clock, for 1.6 and 2.0.1: every station connects, sessions
// start and end, the stations receive and obey the plan's profiles, and no call fails.
'use strict';
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, binary } = require('./serve_fixture');

const shared = process.env.VOLTPOOL_SHARED_DIR || path.join(__dirname, '../../../shared');
const sessions = path.join(shared, 'data/ev_sessions/acn_caltech_jpl/acn_jpl_2019-05-01_2019-08-31.csv');

async function replay(protocol) {
  const epoch = Date.now() / 1000 + 2;
  const clock = ['--clock-start', '2019-06-04', '--clock-speed', '7200', '--clock-epoch', String(epoch)];
  const stationsCsv = path.join(fs.mkdtempSync('/tmp/voltpool-chargers-'), 'stations.csv');
  let r = spawnSync(binary, ['chargers', '--count', '12', '--sessions', sessions, '--from', '2019-06-04',
                             '--provision-csv', stationsCsv], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const server = await startServer({ stations: [], provision: ['--from-csv', stationsCsv], extraArgs: clock });
  try {
    r = spawnSync(binary, ['chargers', '--count', '12', '--url', `ws://127.0.0.1:${server.port}/ocpp`, '--sessions', sessions,
                           '--from', '2019-06-04', '--protocol', protocol, '--tick-ms', '40', '--meter-interval-s', '300',
                           ...clock], { encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const report = JSON.parse(r.stdout);
    assert.equal(report.connected, 12);
    assert.equal(report.calls_failed, 0);
    assert.ok(report.sessions_started >= 12, `sessions started: ${report.sessions_started}`);
    assert.ok(report.sessions_ended >= 6, `sessions ended: ${report.sessions_ended}`);
    assert.ok(report.profiles_received >= report.sessions_started, `profiles: ${report.profiles_received}`);
    assert.ok(report.energy_delivered_kwh > 0 && report.energy_delivered_kwh <= report.energy_requested_kwh + 1e-6);
    assert.ok(report.meter_values_sent > 0);
    return report;
  } finally {
    const { code } = await server.stop();
    assert.equal(code, 0);
  }
}

(async () => {
  for (const protocol of ['1.6', '2.0.1']) {
    const report = await replay(protocol);
    console.log(`ok - OCPP ${protocol}: ${report.sessions_started} sessions replayed on ${report.connected} stations, ` +
                `${report.profiles_received} profiles obeyed, ${report.energy_delivered_kwh.toFixed(1)} of ` +
                `${report.energy_requested_kwh.toFixed(1)} kWh delivered`);
  }
})().catch((e) => { console.error(e); process.exit(1); });
