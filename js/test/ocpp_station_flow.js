// End to end: the npm package ocpp-rpc in strict mode (it validates every message both ways against the
// official schemas) acts as a charging station against a real `voltpool serve`, for OCPP 1.6 and 2.0.1:
// boot, authorize, start, meter values, receive and accept a SetChargingProfile from the plan, answer the
// GetCompositeSchedule that reads it back, stop; malformed frames get the right CALLERROR and the connection
// survives; a wrong password, an unknown station and an unknown subprotocol are refused.
'use strict';
const assert = require('node:assert/strict');
const { RPCClient, createValidator } = require('ocpp-rpc');
const { startServer, eventually, fail } = require('./serve_fixture');

const PASSWORD = 'a-long-enough-secret-16';
const STATIONS = [
  { id: 'CS-16', password: PASSWORD, maxPowerKw: 11 },
  { id: 'CS-201', password: PASSWORD, maxPowerKw: 22 },
  { id: 'CS-21', password: PASSWORD, maxPowerKw: 11 },
];

// ocpp-rpc 2.2.1 looks 2.1 schemas up as "urn:Action.req|.conf" while its 2.1 bundle names them
// "urn:ActionRequest|Response": the same official schemas, renamed, make its strict mode work for 2.1.
// (ajv warns about the 2.1 schemas' enum types carrying additionalProperties: harmless, and silenced.)
const warn = console.warn;
console.warn = (...args) => { if (!String(args[0]).startsWith('strict mode:')) warn(...args); };
const strict21 = (createValidator('ocpp2.1', require('ocpp-rpc/lib/schemas/ocpp2_1.json').map((schema) => ({
  ...schema, $id: schema.$id.replace(/Request$/, '.req').replace(/Response$/, '.conf'),
}))));

function isoNow(offsetS = 0) { return new Date(Date.now() + offsetS * 1000).toISOString(); }

// A station that records the calls it gets and answers them as a compliant station would.
function station(port, id, protocol, password = PASSWORD) {
  const cli = new RPCClient({
    endpoint: `ws://127.0.0.1:${port}/ocpp`, identity: id, password, protocols: [protocol],
    strictMode: true, reconnect: false, callTimeoutMs: 10000,
    ...(protocol === 'ocpp2.1' ? { strictModeValidators: [strict21] } : {}),
  });
  const got = { profiles: [], composites: [], inbound: [] };
  cli.on('strictValidationFailure', (e) => { got.strictFailure = e; });
  cli.on('message', ({ message, outbound }) => { if (!outbound) got.inbound.push(JSON.parse(message)); });
  cli.handle('SetChargingProfile', ({ params }) => { got.profiles.push(params); return { status: 'Accepted' }; });
  cli.handle('ClearChargingProfile', () => ({ status: 'Accepted' }));
  cli.handle('GetCompositeSchedule', ({ params }) => {
    got.composites.push(params);
    const last = got.profiles[got.profiles.length - 1];
    const schedule = protocol === 'ocpp1.6' ? last.csChargingProfiles.chargingSchedule : last.chargingProfile.chargingSchedule[0];
    // The composite from now on: the profile's periods shifted to start now.
    const start = new Date(schedule.startSchedule).getTime();
    const now = Math.floor(Date.now() / 1000) * 1000;
    const elapsed = Math.max(0, Math.floor((now - start) / 1000));
    const periods = [];
    for (const p of schedule.chargingSchedulePeriod) {
      const offset = Math.max(0, p.startPeriod - elapsed);
      if (periods.length && periods[periods.length - 1].startPeriod === offset) periods.pop();
      periods.push({ startPeriod: offset, limit: p.limit });
    }
    const scheduleStart = new Date(now).toISOString();
    if (protocol === 'ocpp1.6') {
      return { status: 'Accepted', connectorId: params.connectorId, scheduleStart,
               chargingSchedule: { duration: params.duration, chargingRateUnit: 'W', chargingSchedulePeriod: periods } };
    }
    return { status: 'Accepted', schedule: { evseId: params.evseId, duration: params.duration, scheduleStart,
                                             chargingRateUnit: 'W', chargingSchedulePeriod: periods } };
  });
  return { cli, got };
}

// Sends raw frames and returns the CALLERROR each one got (matched by message id, or "-1" for unreadable ones).
async function malformed(cli, got, frames) {
  const answers = [];
  for (const [frame, id] of frames) {
    const before = got.inbound.length;
    cli.sendRaw(frame);
    const reply = await eventually(() => got.inbound.slice(before).find((m) => m[0] === 4 && m[1] === id), 5000,
                                   `a CALLERROR for ${frame}`);
    answers.push(reply);
  }
  return answers;
}

async function flow16(port) {
  const { cli, got } = station(port, 'CS-16', 'ocpp1.6');
  await cli.connect();
  assert.equal(cli.protocol, 'ocpp1.6');
  const boot = await cli.call('BootNotification', { chargePointVendor: 'voltpool-test', chargePointModel: 'AC22' });
  assert.equal(boot.status, 'Accepted');
  assert.ok(boot.interval > 0);
  await cli.call('Heartbeat', {});
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
  const auth = await cli.call('Authorize', { idTag: 'OWNER-1' });
  assert.equal(auth.idTagInfo.status, 'Accepted');
  const start = await cli.call('StartTransaction', { connectorId: 1, idTag: 'OWNER-1', meterStart: 1000, timestamp: isoNow() });
  assert.equal(start.idTagInfo.status, 'Accepted');
  assert.ok(Number.isInteger(start.transactionId));

  const profile = await eventually(() => got.profiles[0], 10000, 'a SetChargingProfile from the plan');
  assert.equal(profile.csChargingProfiles.transactionId, start.transactionId);
  assert.equal(profile.csChargingProfiles.chargingProfilePurpose, 'TxProfile');
  assert.equal(profile.csChargingProfiles.chargingSchedule.chargingRateUnit, 'W');
  const first = profile.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0];
  assert.ok(first.limit > 0 && first.limit <= 11000, `limit ${first.limit} within the station's 11 kW`);
  const composite = await eventually(() => got.composites[0], 10000, 'GetCompositeSchedule');
  assert.equal(composite.connectorId, 1);

  await cli.call('MeterValues', {
    connectorId: 1, transactionId: start.transactionId,
    meterValue: [{ timestamp: isoNow(), sampledValue: [{ value: '2500', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
                                                        { value: '7.2', measurand: 'Power.Active.Import', unit: 'kW' }] }],
  });
  const errors = await malformed(cli, got, [
    ['[2,"bad1","BootNotification",{"chargePointVendor":"V"}]', 'bad1'],
    ['[2,"bad2","Heartbeat"', '-1'],
    ['[2,"bad3","MeterValues",{"connectorId":"one","meterValue":[]}]', 'bad3'],
    ['[2,"bad4","FlyToTheMoon",{}]', 'bad4'],
    ['[2,"bad5","Authorize",{"idTag":"OWNER-1","colour":"red"}]', 'bad5'],
    ['[2,"bad6","StopTransaction",{"meterStop":1,"timestamp":"yesterday","transactionId":1}]', 'bad6'],
    ['[7,"bad7","Heartbeat",{}]', 'bad7'],
  ]);
  assert.deepEqual(errors.map((e) => e[2]), ['OccurenceConstraintViolation', 'FormationViolation', 'TypeConstraintViolation',
                                             'NotImplemented', 'PropertyConstraintViolation', 'FormationViolation', 'ProtocolError']);
  assert.match(errors[0][3], /chargePointModel/);
  assert.match(errors[2][3], /connectorId/);
  await cli.call('Heartbeat', {});  // the connection survived
  const stop = await cli.call('StopTransaction', { transactionId: start.transactionId, meterStop: 9000, timestamp: isoNow(), reason: 'EVDisconnected' });
  assert.ok(stop);
  assert.equal(got.strictFailure, undefined, 'every message voltpool sent passed ocpp-rpc strict validation');
  await cli.close();
}

async function flow2x(port, id, protocol) {
  const { cli, got } = station(port, id, protocol);
  await cli.connect();
  assert.equal(cli.protocol, protocol);
  const boot = await cli.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'DC50', vendorName: 'voltpool-test' } });
  assert.equal(boot.status, 'Accepted');
  await cli.call('StatusNotification', { timestamp: isoNow(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
  const auth = await cli.call('Authorize', { idToken: { idToken: 'OWNER-2', type: 'ISO14443' } });
  assert.equal(auth.idTokenInfo.status, 'Accepted');
  const txId = `TX-${id}`;
  const started = await cli.call('TransactionEvent', {
    eventType: 'Started', timestamp: isoNow(), triggerReason: 'Authorized', seqNo: 0,
    transactionInfo: { transactionId: txId }, evse: { id: 1, connectorId: 1 },
    idToken: { idToken: 'OWNER-2', type: 'ISO14443' },
    meterValue: [{ timestamp: isoNow(), sampledValue: [{ value: 1000, measurand: 'Energy.Active.Import.Register', context: 'Transaction.Begin' }] }],
  });
  assert.equal(started.idTokenInfo.status, 'Accepted');
  const needs = await cli.call('NotifyEVChargingNeeds', {
    evseId: 1,
    chargingNeeds: { requestedEnergyTransfer: 'AC_three_phase', departureTime: isoNow(4 * 3600),
                     acChargingParameters: { energyAmount: 15000, evMinCurrent: 6, evMaxCurrent: 32, evMaxVoltage: 400 } },
  });
  assert.equal(needs.status, 'Accepted');
  // The needs said: departure in 4 h. A profile planned before they arrived (the default 8 h stay) may come
  // first; the one planned after them ends at the departure.
  const profile = await eventually(() => got.profiles.find((p) => p.chargingProfile.transactionId === txId &&
                                                                 p.chargingProfile.chargingSchedule[0].duration <= 4 * 3600 + 900),
                                   10000, 'a SetChargingProfile planned on the EV\'s needs');
  assert.equal(profile.evseId, 1);
  assert.equal(profile.chargingProfile.chargingProfilePurpose, 'TxProfile');
  const schedule = profile.chargingProfile.chargingSchedule[0];
  assert.equal(schedule.chargingRateUnit, 'W');
  assert.ok(schedule.chargingSchedulePeriod.every((p) => p.limit >= 0 && p.limit <= 22000), 'within the 22 kW station');
  await eventually(() => got.composites[0], 10000, 'GetCompositeSchedule');

  await cli.call('MeterValues', { evseId: 1, meterValue: [{ timestamp: isoNow(), sampledValue: [{ value: 230.1, measurand: 'Voltage' }] }] });
  await cli.call('TransactionEvent', {
    eventType: 'Updated', timestamp: isoNow(), triggerReason: 'MeterValuePeriodic', seqNo: 1,
    transactionInfo: { transactionId: txId, chargingState: 'Charging' },
    meterValue: [{ timestamp: isoNow(), sampledValue: [{ value: 4.5, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'kWh' } }] }],
  });
  const errors = await malformed(cli, got, [
    ['[2,"bad1","BootNotification",{"reason":"PowerUp"}]', 'bad1'],
    ['not json at all', '-1'],
    ['[2,"bad3","StatusNotification",{"timestamp":"2024-06-03T12:00:00Z","connectorStatus":"Available","evseId":"1","connectorId":1}]', 'bad3'],
    ['[2,"bad4","FlyToTheMoon",{}]', 'bad4'],
    ['[2,"bad5","BootNotification",{"reason":"Bored","chargingStation":{"model":"m","vendorName":"v"}}]', 'bad5'],
    ['[9,"bad6","Heartbeat",{}]', 'bad6'],
  ]);
  assert.deepEqual(errors.map((e) => e[2]), ['OccurrenceConstraintViolation', 'RpcFrameworkError', 'TypeConstraintViolation',
                                             'NotImplemented', 'PropertyConstraintViolation', 'MessageTypeNotSupported']);
  assert.match(errors[0][3], /chargingStation/);
  assert.match(errors[2][3], /evseId/);
  await cli.call('Heartbeat', {});  // the connection survived
  await cli.call('TransactionEvent', {
    eventType: 'Ended', timestamp: isoNow(), triggerReason: 'EVDeparted', seqNo: 2,
    transactionInfo: { transactionId: txId, stoppedReason: 'EVDisconnected' },
    meterValue: [{ timestamp: isoNow(), sampledValue: [{ value: 9000, context: 'Transaction.End' }] }],
  });
  assert.equal(got.strictFailure, undefined, 'every message voltpool sent passed ocpp-rpc strict validation');
  await cli.close();
}

async function refused(port) {
  const attempts = [
    ['wrong password', { identity: 'CS-16', password: 'not-the-right-password', protocols: ['ocpp1.6'] }, 'Unauthorized'],
    ['no password', { identity: 'CS-16', protocols: ['ocpp1.6'] }, 'Unauthorized'],
    ['unknown station', { identity: 'CS-404', password: PASSWORD, protocols: ['ocpp2.0.1'] }, 'Not Found'],
    ['unknown subprotocol', { identity: 'CS-16', password: PASSWORD, protocols: ['ocpp1.5'] }, 'Bad Request'],
    ['another station\'s password', { identity: 'CS-201', password: 'a-long-enough-secret-17', protocols: ['ocpp2.0.1'] }, 'Unauthorized'],
  ];
  for (const [what, options, status] of attempts) {
    const cli = new RPCClient({ endpoint: `ws://127.0.0.1:${port}/ocpp`, reconnect: false, ...options });
    await assert.rejects(cli.connect(), (e) => {
      assert.equal(String(e.message ?? e), status, what);
      return true;
    }, what);
  }
}

(async () => {
  const server = await startServer({ stations: STATIONS });
  try {
    await flow16(server.port);
    console.log('ok - OCPP 1.6 station flow (strict ocpp-rpc)');
    await flow2x(server.port, 'CS-201', 'ocpp2.0.1');
    console.log('ok - OCPP 2.0.1 station flow (strict ocpp-rpc)');
    await flow2x(server.port, 'CS-21', 'ocpp2.1');
    console.log('ok - OCPP 2.1 station flow (strict ocpp-rpc)');
    await refused(server.port);
    console.log('ok - wrong password, unknown station and unknown subprotocol refused');
  } catch (e) {
    await fail(server, e);
  } finally {
    const { code, stdout } = await server.stop();
    assert.equal(code, 0, 'serve exits cleanly on SIGTERM');
    const accepted = /(\d+) profiles accepted/.exec(stdout);
    assert.ok(accepted && Number(accepted[1]) >= 3, `profiles accepted: ${stdout}`);
  }
})().catch((e) => { console.error(e); process.exit(1); });
