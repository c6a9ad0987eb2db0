// Durability: a strict ocpp-rpc 2.0.1 station streams meter values while `voltpool serve` is killed with
// SIGKILL again and again mid-stream and restarted on the same database. Every meter value the server
// acknowledged (its CALLRESULT reached the station) must be in the database afterwards, in the transaction, as
// the REST API reports it. KILLS cycles (default 10; bench: 100). STORE=postgres runs the service on a PostgreSQL
// server the test starts (pg_fixture.js) instead of SQLite.
'use strict';
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { RPCClient } = require('ocpp-rpc');
const { startServer, binary, fail } = require('./serve_fixture');
const { startPostgres } = require('./pg_fixture');

const PASSWORD = 'durability-station-secret';
const KILLS = Number(process.env.KILLS || 10);

(async () => {
  const pg = process.env.STORE === 'postgres' ? await startPostgres() : null;
  let server = await startServer({ stations: [{ id: 'CS-D', password: PASSWORD, maxPowerKw: 11 }], db: pg?.uri });
  const reuse = { dir: server.dir, port: server.port, db: server.db };
  const operator = execFileSync(binary, ['tokens', 'create', '--db', server.db, '--role', 'operator'], { encoding: 'utf8' }).trim();
  const acknowledged = [];  // register values (Wh) whose TransactionEvent got a CALLRESULT
  let energy = 1000, seq = 0, started = false;
  try {
    for (let cycle = 0; cycle <= KILLS; ++cycle) {
      const cli = new RPCClient({ endpoint: `ws://127.0.0.1:${reuse.port}/ocpp`, identity: 'CS-D', password: PASSWORD,
                                  protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false, callTimeoutMs: 2000 });
      cli.handle('SetChargingProfile', () => ({ status: 'Accepted' }));
      cli.handle('GetCompositeSchedule', () => ({ status: 'Rejected' }));
      cli.on('error', () => {});
      await cli.connect();
      if (!started) {
        await cli.call('TransactionEvent', { eventType: 'Started', timestamp: new Date().toISOString(), triggerReason: 'Authorized',
          seqNo: seq++, transactionInfo: { transactionId: 'TX-D' }, evse: { id: 1, connectorId: 1 },
          meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: energy }] }] });
        started = true;
      }
      // Stream until the kill (the last cycle streams a little and ends cleanly).
      const killAfterMs = 30 + Math.floor(Math.random() * 120);
      const killer = cycle < KILLS ? setTimeout(() => server.crash(), killAfterMs) : null;
      const until = Date.now() + (cycle < KILLS ? 10000 : 100);
      while (Date.now() < until) {
        energy += 10;
        const value = energy;
        try {
          await cli.call('TransactionEvent', { eventType: 'Updated', timestamp: new Date().toISOString(),
            triggerReason: 'MeterValuePeriodic', seqNo: seq++, transactionInfo: { transactionId: 'TX-D' },
            meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value }] }] });
          acknowledged.push(value);
        } catch (e) {
          break;  // the server died: this value was not acknowledged
        }
      }
      if (killer) clearTimeout(killer);
      await cli.close({ force: true }).catch(() => {});
      if (cycle < KILLS) {
        await server.crash();
        server = await startServer({ reuse });
      }
    }
    const base = `http://127.0.0.1:${reuse.port}`;
    const auth = { headers: { authorization: `Bearer ${operator}` } };
    const sessions = await (await fetch(`${base}/api/sessions?transaction_id=TX-D`, auth)).json();
    assert.equal(sessions.length, 1);
    const stored = new Set((await (await fetch(`${base}/api/sessions/${sessions[0].id}/meter-values`, auth)).json())
      .map((m) => m.energy_import_wh));
    const lost = acknowledged.filter((v) => !stored.has(v));
    assert.deepEqual(lost, [], `acknowledged meter values lost after ${KILLS} kill -9`);
    console.log(`ok - ${KILLS} kill -9 restarts (${pg ? 'PostgreSQL' : 'SQLite'}): all ${acknowledged.length} ` +
                'acknowledged meter values are stored');
  } catch (e) {
    pg?.stop();
    await fail(server, e);
  }
  await server.stop();
  pg?.stop();
})().catch((e) => { console.error(e); process.exit(1); });
