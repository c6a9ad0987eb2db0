// Durability of the whole service over a simulated day: `voltpool chargers` replays a real day of JPL sessions
// (20 stations, OCPP 2.0.1, at SPEED x) against `voltpool serve` with day-ahead prices, while the server is killed
// with SIGKILL KILLS times mid-day and restarted on the same database. The stations reconnect and send again what
// was not acknowledged, as real stations do. Afterwards:
// - every meter value whose TransactionEvent the server acknowledged (the simulator's --ack-log) is stored, in
//   its transaction, as the REST API reports it;
// - every ledger entry the REST API showed before a kill is still there, in order, after the restart;
// - every session whose end was acknowledged is settled, and the ledger balances (sums to zero).
'use strict';
const assert = require('node:assert/strict');
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, eventually, binary, fail } = require('./serve_fixture');

const KILLS = Number(process.env.KILLS || 8);
const SPEED = Number(process.env.SPEED || 1440);  // simulated seconds per second: 1440 plays the day in a minute
const STATIONS = 20;
const PASSWORD = 'fleet-day-secret';
const data = path.join(process.env.VOLTPOOL_SHARED_DIR || path.join(__dirname, '../../../shared'), 'data');
const sessions = path.join(data, 'ev_sessions/acn_caltech_jpl/acn_jpl_2019-05-01_2019-08-31.csv');
const prices = path.join(data, 'prices/smard_de_eu_2023_2024/Gro_handelspreise_202301010000_202501010000_Stunde.csv');
const day = ['--sessions', sessions, '--from', '2019-06-04', '--shift-hours', '-9'];

(async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'voltpool-fleet-day-'));
  const stationsCsv = path.join(work, 'stations.csv');
  const ackLog = path.join(work, 'acks.jsonl');
  execFileSync(binary, ['chargers', '--count', String(STATIONS), ...day, '--password', PASSWORD,
                        '--provision-csv', stationsCsv]);
  const epoch = Math.floor(Date.now() / 1000) + 3;
  const clock = ['--clock-start', '2019-06-04', '--clock-speed', String(SPEED), '--clock-epoch', String(epoch)];
  const serveArgs = ['--prices', prices, '--zone', 'DE-LU', '--replay-prices-from', '2024-06-04', '--site-limit-kw', '100',
                     ...clock];
  let server = await startServer({ provision: ['--from-csv', stationsCsv], extraArgs: serveArgs });
  const reuse = { dir: server.dir, port: server.port };
  const operator = execFileSync(binary, ['tokens', 'create', '--db', server.db, '--role', 'operator'], { encoding: 'utf8' }).trim();
  const base = `http://127.0.0.1:${reuse.port}`;
  const api = async (p) => (await fetch(base + p, { headers: { authorization: `Bearer ${operator}` } })).json();

  const chargers = spawn(binary, ['chargers', '--count', String(STATIONS), '--url', `ws://127.0.0.1:${reuse.port}/ocpp`,
                                  ...day, '--password', PASSWORD, '--protocol', '2.0.1', '--tick-ms', '100',
                                  '--meter-interval-s', '300', '--ack-log', ackLog, ...clock],
                         { stdio: ['ignore', 'pipe', 'pipe'] });
  let report = '', chargerLog = '';
  chargers.stdout.on('data', (d) => { report += d; });
  chargers.stderr.on('data', (d) => { chargerLog += d; });
  const chargersDone = new Promise((resolve) => chargers.on('exit', resolve));

  try {
    // The day lasts 86400 / SPEED seconds from the epoch; the kills fall evenly inside it, at a random moment each.
    const dayMs = 86400 / SPEED * 1000;
    let entriesSeen = 0;
    for (let k = 0; k < KILLS; ++k) {
      const due = epoch * 1000 + dayMs * (k + 0.3 + 0.6 * Math.random()) / (KILLS + 1);
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      const before = await api('/api/ledger?entries=true');
      await server.crash();
      server = await startServer({ reuse, extraArgs: serveArgs });
      const after = await api('/api/ledger?entries=true');
      assert.deepEqual(after.ledger.slice(0, before.ledger.length), before.ledger,
                       `ledger entries shown before kill ${k + 1} are not all there after the restart`);
      entriesSeen = before.ledger.length;
    }
    const exit = await chargersDone;
    assert.equal(exit, 0, `the charger simulator failed:\n${chargerLog}\n${report}`);
    const fleet = JSON.parse(report);
    assert.ok(fleet.connections_lost >= KILLS, `the kills hit the stations' connections: ${report}`);

    // Every acknowledged meter value, in its transaction.
    const acks = fs.readFileSync(ackLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const byTx = new Map();
    for (const a of acks) {
      const key = `${a.station}/${a.transaction_id}`;
      if (!byTx.has(key)) byTx.set(key, []);
      byTx.get(key).push(a);
    }
    let lost = 0;
    const ended = [];
    for (const [key, list] of byTx) {
      const [station, tx] = key.split('/');
      const found = (await api(`/api/sessions?transaction_id=${encodeURIComponent(tx)}`)).filter((s) => s.station_id === station);
      assert.equal(found.length, 1, `session ${key} of acknowledged events`);
      const stored = new Set((await api(`/api/sessions/${found[0].id}/meter-values`)).map((m) => m.energy_import_wh));
      stored.add(found[0].meter_start_wh);
      stored.add(found[0].meter_stop_wh);
      for (const a of list) if (!stored.has(a.energy_wh)) ++lost;
      if (list.some((a) => a.event === 'Ended')) ended.push(found[0]);
    }
    assert.equal(lost, 0, `acknowledged meter values lost after ${KILLS} kill -9`);

    // Every session whose end was acknowledged is settled; the ledger balances.
    for (const s of ended) assert.notEqual(s.stopped, null, `session ${s.id} ended`);
    const ledger = await eventually(async () => {
      const l = await api('/api/ledger');
      return l.sessions_unsettled === 0 ? l : undefined;
    }, 20000, 'every ended session settled');
    assert.equal(ledger.sum_cents, 0);
    const settled = new Set((await api('/api/ledger?entries=true')).ledger.map((e) => e.session_id));
    const settledEnded = ended.filter((s) => settled.has(s.id)).length;
    assert.ok(settledEnded > 0 && ledger.entries >= entriesSeen);
    console.log(`ok - ${KILLS} kill -9 restarts during a simulated day: ${acks.length} acknowledged meter values all ` +
                `stored (${fleet.connections_lost} connections lost, ${fleet.calls_resent} calls resent); ` +
                `${ended.length} ended sessions settled (${settledEnded} with ledger entries), ${ledger.entries} ` +
                `entries kept across every restart, sum ${ledger.sum_cents}`);
  } catch (e) {
    chargers.kill('SIGTERM');
    console.error(chargerLog);
    await fail(server, e);
  }
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
})().catch((e) => { console.error(e); process.exit(1); });
