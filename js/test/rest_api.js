// End to end, REST API on the OCPP port: a strict ocpp-rpc 1.6 station charges a car; the operator finds the
// session by its OCPP transaction id, reads its meter values and the plan, loads prices, starts a demand-response
// event (the station gets the setpoint), starts and stops charging through the station (RemoteStart/Stop); the
// owner registers their vehicle and sees their session settled in a balanced ledger, another owner gets 404;
// /metrics and /openapi.json answer without a token.
'use strict';
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { RPCClient } = require('ocpp-rpc');
const { startServer, eventually, binary, fail } = require('./serve_fixture');

const PASSWORD = 'rest-api-station-secret';

(async () => {
  // The fail-safe limit comes from a TOML config file (`serve --config`), the rest from flags.
  const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'voltpool-cfg-')), 'voltpool.toml');
  fs.writeFileSync(config, '[serve]\nfail-safe-kw = 3.7\nheartbeat-s = 120\nlog-format = "json"\n');
  const server = await startServer({ stations: [{ id: 'CS-R', password: PASSWORD, maxPowerKw: 11 }],
                                     extraArgs: ['--config', config] });
  const token = (args) => execFileSync(binary, ['tokens', 'create', '--db', server.db, ...args], { encoding: 'utf8' }).trim();
  const operator = token(['--role', 'operator']);
  const alice = token(['--role', 'owner', '--owner', 'alice']);
  const bob = token(['--role', 'owner', '--owner', 'bob']);
  execFileSync(binary, ['owners', 'link', '--db', server.db, '--owner', 'alice', '--id-token', 'ALICE-CARD']);
  const base = `http://127.0.0.1:${server.port}`;
  const api = async (path, who, init = {}) => {
    const r = await fetch(base + path, { ...init, headers: { ...(who ? { authorization: `Bearer ${who}` } : {}),
                                                             'content-type': 'application/json' } });
    const text = await r.text();
    return { status: r.status, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
  };
  try {
    const cli = new RPCClient({ endpoint: `ws://127.0.0.1:${server.port}/ocpp`, identity: 'CS-R', password: PASSWORD,
                                protocols: ['ocpp1.6'], strictMode: true, reconnect: false });
    const stops = [], starts = [], profiles = [];
    cli.handle('SetChargingProfile', ({ params }) => { profiles.push(params); return { status: 'Accepted' }; });
    cli.handle('GetCompositeSchedule', () => ({ status: 'Rejected' }));
    cli.handle('RemoteStopTransaction', ({ params }) => { stops.push(params.transactionId); return { status: 'Accepted' }; });
    cli.handle('RemoteStartTransaction', ({ params }) => { starts.push(params); return { status: 'Accepted' }; });
    await cli.connect();
    const boot = await cli.call('BootNotification', { chargePointVendor: 'voltpool-test', chargePointModel: 'AC' });
    assert.equal(boot.interval, 120, 'heartbeat interval from the config file');
    // The fail-safe, set in advance: a TxDefaultProfile on every connector, in force whenever no TxProfile is.
    const failSafe = await eventually(() => profiles.find((p) => p.csChargingProfiles.chargingProfilePurpose === 'TxDefaultProfile'),
                                      5000, 'the fail-safe TxDefaultProfile');
    assert.equal(failSafe.connectorId, 0);
    assert.equal(failSafe.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit, 3700);
    const start = await cli.call('StartTransaction', { connectorId: 1, idTag: 'ALICE-CARD', meterStart: 500, timestamp: new Date().toISOString() });
    await cli.call('MeterValues', { connectorId: 1, transactionId: start.transactionId,
      meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '3500', unit: 'Wh' }] }] });

    assert.equal((await api('/api/sessions', '')).status, 401);
    const found = await api(`/api/sessions?transaction_id=${start.transactionId}`, operator);
    assert.equal(found.status, 200);
    assert.equal(found.body.length, 1);
    const session = found.body[0];
    assert.equal(session.station_id, 'CS-R');
    assert.equal(session.energy_wh, 3000);
    const meter = await api(`/api/sessions/${session.id}/meter-values`, operator);
    assert.equal(meter.body.length, 1);
    assert.equal(meter.body[0].energy_import_wh, 3500);
    const planned = await api('/api/plan', operator);
    assert.equal(planned.status, 200);
    assert.equal(planned.body.sessions.length, 1);

    assert.equal((await api(`/api/sessions/${session.id}`, alice)).status, 200);
    assert.equal((await api(`/api/sessions/${session.id}`, bob)).status, 404);
    assert.deepEqual((await api('/api/sessions', bob)).body, []);
    assert.equal((await api('/api/stations', alice)).status, 403);

    const prices = { start: new Date(Math.floor(Date.now() / 3600e3) * 3600e3).toISOString().replace('.000', ''),
                     step_s: 3600, eur_per_kwh: [0.30, 0.05, 0.05, 0.30] };
    assert.equal((await api('/api/prices', operator, { method: 'POST', body: JSON.stringify(prices) })).status, 200);
    assert.deepEqual((await api('/api/prices', operator)).body.eur_per_kwh, prices.eur_per_kwh);
    const bad = await api('/api/prices', operator, { method: 'POST', body: '{"start":"2024-06-03T00:00:00Z","step_s":5,"eur_per_kwh":[1]}' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /step_s/);

    // A vehicle of alice's: its id token is hers; bob cannot see it.
    const car = await api('/api/vehicles/ALICE-EV', alice, { method: 'PUT', body: JSON.stringify({ id_token: 'ALICE-CARD', battery_kwh: 64 }) });
    assert.equal(car.status, 201, JSON.stringify(car.body));
    assert.equal((await api('/api/vehicles/ALICE-EV', bob)).status, 404);
    assert.equal((await api('/api/vehicles', operator)).body.length, 1);

    // Demand response: the fleet absorbs 2 kW more than its plan for ten minutes; the station gets the setpoint.
    const before = profiles.length;
    const dr = await api('/api/dispatch', operator, { method: 'POST', body: JSON.stringify({
      kind: 'demand_response', offset_kw: 2, end: new Date(Date.now() + 600e3).toISOString() }) });
    assert.equal(dr.status, 202, JSON.stringify(dr.body));
    const setpoint = await eventually(() => profiles.slice(before).find((p) => p.csChargingProfiles.chargingProfilePurpose === 'TxProfile'),
                                      10000, 'the dispatch setpoint as a TxProfile');
    const plannedNow = (await api('/api/dispatch', operator)).body;
    assert.equal(plannedNow.active, true);
    assert.ok(Math.abs(plannedNow.assigned_kw - plannedNow.setpoint_kw) < 1e-6, JSON.stringify(plannedNow));
    assert.equal(setpoint.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit,
                 Math.round(plannedNow.setpoint_kw * 1000));
    assert.equal((await api('/api/dispatch', operator, { method: 'DELETE' })).status, 200);

    // An operator starts charging for a driver (1.6 RemoteStartTransaction to the station).
    const remoteStart = await api('/api/stations/CS-R/start', operator, { method: 'POST', body: JSON.stringify({ evse_id: 1, id_token: 'ALICE-CARD' }) });
    assert.equal(remoteStart.status, 202, JSON.stringify(remoteStart.body));
    const started = await eventually(() => starts[0], 5000, 'RemoteStartTransaction at the station');
    assert.equal(started.idTag, 'ALICE-CARD');
    assert.equal(started.connectorId, 1);

    const stop = await api(`/api/sessions/${session.id}/stop`, operator, { method: 'POST' });
    assert.equal(stop.status, 202);
    await eventually(() => stops[0], 5000, 'RemoteStopTransaction at the station');
    assert.equal(stops[0], start.transactionId);
    await cli.call('StopTransaction', { transactionId: start.transactionId, meterStop: 3500, timestamp: new Date().toISOString(), reason: 'Remote' });

    // Settled once it ended: its energy at this hour's price, in a ledger that balances.
    const earnings = await eventually(async () => {
      const e = await api('/api/owners/alice/earnings', alice);
      return e.body.sessions.length === 1 ? e : undefined;
    }, 5000, 'the session settled');
    assert.equal(earnings.status, 200);
    assert.ok(Math.abs(earnings.body.sessions[0].import_kwh - 3.0) < 1e-9, JSON.stringify(earnings.body));
    assert.equal(earnings.body.totals.import_cost_cents, 90);  // 3 kWh at 0.30 EUR/kWh, this hour's price
    assert.equal(earnings.body.ledger_sum_cents, 0);
    assert.equal((await api('/api/owners/alice/earnings', bob)).status, 404);
    const ledger = await api('/api/ledger', operator);
    assert.equal(ledger.body.sum_cents, 0);
    assert.ok(ledger.body.accounts.some((a) => a.account === 'owner:alice'));

    const metrics = await api('/metrics', '');
    assert.match(metrics.body, /voltpool_station_connections 1/);
    assert.match(metrics.body, /voltpool_meter_values_stored 1/);
    const openapi = await api('/openapi.json', '');
    assert.equal(openapi.body.openapi.slice(0, 2), '3.');
    await cli.close();
    console.log('ok - fail-safe TxDefaultProfile on connect; REST API: sessions by transaction id, meter values, plan, prices, vehicles, demand-response dispatch to the station, remote stop, settled earnings and ledger, owner isolation, metrics');
  } catch (e) {
    await fail(server, e);
  }
  const { code, stderr } = await server.stop();
  assert.equal(code, 0);
  // Structured logs (log-format = "json" in the config file): one JSON object per line.
  const lines = stderr.split('\n').filter((l) => l.length);
  assert.ok(lines.length > 3);
  for (const l of lines) {
    const entry = JSON.parse(l);
    assert.ok(entry.time.endsWith('Z') && entry.level && typeof entry.msg === 'string', l);
  }
})().catch((e) => { console.error(e); process.exit(1); });
