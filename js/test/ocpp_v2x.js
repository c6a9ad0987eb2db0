// End to end, V2X (OCPP 2.1): with `serve --v2g` and day-ahead prices that are dear now and cheap in two hours,
// a strict ocpp-rpc 2.1 station whose EV offers discharge (NotifyEVChargingNeeds with V2X parameters) gets a
// TxProfile that discharges now (operationMode CentralSetpoint, negative setpoint and dischargeLimit) and
// charges later; the same EV without --v2g is never discharged.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { RPCClient, createValidator } = require('ocpp-rpc');
const { startServer, eventually } = require('./serve_fixture');

const PASSWORD = 'v2x-station-secret-123';
const warn = console.warn;
console.warn = (...args) => { if (!String(args[0]).startsWith('strict mode:')) warn(...args); };
// ocpp-rpc 2.2.1's strict mode looks 2.1 schemas up under 1.6-style ids; the same official schemas, renamed.
const strict21 = createValidator('ocpp2.1', require('ocpp-rpc/lib/schemas/ocpp2_1.json').map((schema) => ({
  ...schema, $id: schema.$id.replace(/Request$/, '.req').replace(/Response$/, '.conf'),
})));

// Day-ahead prices in SMARD's format (Berlin time, EUR/MWh): 300 from an hour ago for three hours, 20 for the
// three hours after, 300 again; 48 hours around now.
function writePrices(file) {
  const berlin = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit',
                                                    day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const hour = 3600 * 1000;
  const now = Math.floor(Date.now() / hour) * hour;
  const rows = ['Datum von;Deutschland/Luxemburg [€/MWh] Originalauflösungen'];
  for (let t = now - 24 * hour; t < now + 24 * hour; t += hour) {
    const offset = (t - now) / hour;
    const price = offset >= 2 && offset < 5 ? '20,00' : '300,00';
    const parts = Object.fromEntries(berlin.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
    rows.push(`${parts.day}.${parts.month}.${parts.year} ${parts.hour}:${parts.minute};${price}`);
  }
  fs.writeFileSync(file, rows.join('\n') + '\n');
}

async function profileFor(v2g) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voltpool-v2x-'));
  const prices = path.join(dir, 'prices.csv');
  writePrices(prices);
  const server = await startServer({
    stations: [{ id: 'V2X-1', password: PASSWORD, maxPowerKw: 11 }],
    extraArgs: ['--prices', prices, '--zone', 'DE-LU', ...(v2g ? ['--v2g'] : [])],
  });
  try {
    const cli = new RPCClient({ endpoint: `ws://127.0.0.1:${server.port}/ocpp`, identity: 'V2X-1', password: PASSWORD,
                                protocols: ['ocpp2.1'], strictMode: true, strictModeValidators: [strict21], reconnect: false });
    const profiles = [];
    let strictFailure;
    cli.on('strictValidationFailure', (e) => { strictFailure = e; });
    cli.handle('SetChargingProfile', ({ params }) => { profiles.push(params); return { status: 'Accepted' }; });
    cli.handle('GetCompositeSchedule', () => ({ status: 'Rejected' }));
    await cli.connect();
    await cli.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'BPT11', vendorName: 'voltpool-test' } });
    const now = new Date().toISOString();
    await cli.call('TransactionEvent', { eventType: 'Started', timestamp: now, triggerReason: 'CablePluggedIn', seqNo: 0,
                                         transactionInfo: { transactionId: 'V2X-TX' }, evse: { id: 1, connectorId: 1 } });
    const needs = await cli.call('NotifyEVChargingNeeds', {
      evseId: 1,
      chargingNeeds: {
        requestedEnergyTransfer: 'AC_BPT', departureTime: new Date(Date.now() + 6 * 3600 * 1000).toISOString(),
        v2xChargingParameters: { maxChargePower: 11000, maxDischargePower: 11000, evTargetEnergyRequest: 10000,
                                 evMinV2XEnergyRequest: -20000, evMaxV2XEnergyRequest: 40000 },
      },
    });
    assert.equal(needs.status, 'Accepted');
    await eventually(() => profiles.find((p) => p.chargingProfile.transactionId === 'V2X-TX'), 10000, 'a TxProfile');
    await new Promise((r) => setTimeout(r, 600));  // the re-plan after the needs
    assert.equal(strictFailure, undefined);
    await cli.close();
    return profiles[profiles.length - 1].chargingProfile.chargingSchedule[0].chargingSchedulePeriod;
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

(async () => {
  const withV2g = await profileFor(true);
  const discharging = withV2g.filter((p) => p.setpoint !== undefined && p.setpoint < 0);
  assert.ok(discharging.length > 0, `a discharge period: ${JSON.stringify(withV2g)}`);
  for (const p of discharging) {
    assert.equal(p.operationMode, 'CentralSetpoint');
    assert.equal(p.dischargeLimit, p.setpoint);
    assert.ok(p.setpoint >= -11000);
  }
  assert.ok(withV2g.some((p) => p.limit > 0), 'and a charging period');
  console.log(`ok - with --v2g the 2.1 EV discharges at dear hours: ${discharging.length} discharge period(s), down to ` +
              `${Math.min(...discharging.map((p) => p.setpoint))} W`);
  const without = await profileFor(false);
  assert.ok(without.every((p) => p.setpoint === undefined && p.limit >= 0), JSON.stringify(without));
  console.log('ok - without --v2g it only charges');
})().catch((e) => { console.error(e); process.exit(1); });
