// End to end, security: OCPP security profile 2 (TLS 1.2+ with HTTP Basic auth) with a strict ocpp-rpc station,
// bulk provisioning from CSV (and its errors), and the id-token allow-list.
'use strict';
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { RPCClient } = require('ocpp-rpc');
const { startServer, binary, fail } = require('./serve_fixture');

const PASSWORD = 'another-long-secret-99';

function selfSignedCertificate(dir) {
  const key = path.join(dir, 'key.pem'), cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
                           '-subj', '/CN=voltpool-test', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { key, cert };
}

function provisioningErrors(dir) {
  const db = path.join(dir, 'bad.db');
  const bad = path.join(dir, 'bad.csv');
  fs.writeFileSync(bad, 'id,password,max_power_kw\nCS-A,long-enough-password-1,11\nCS-B,short,11\n');
  let r = spawnSync(binary, ['stations', 'add', '--db', db, '--from-csv', bad], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad\.csv:3: .*16 to 40 characters/);
  r = spawnSync(binary, ['stations', 'add', '--db', db, '--id', 'a/b', '--password', 'long-enough-password-1'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /'a\/b'/);
  r = spawnSync(binary, ['stations', 'list', '--db', db], { encoding: 'utf8' });
  assert.equal(r.stdout.trim(), 'id,max_power_kw,vendor,model', 'nothing of a bad file was provisioned');
}

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voltpool-sec-'));
  provisioningErrors(dir);
  const { key, cert } = selfSignedCertificate(dir);
  const csv = path.join(dir, 'stations.csv');
  fs.writeFileSync(csv, `id,password,max_power_kw\nTLS-1,${PASSWORD},7.4\nTLS-2,${PASSWORD},22\n`);
  const tokens = path.join(dir, 'tokens.txt');
  fs.writeFileSync(tokens, '# owners allowed to charge\nOWNER-OK\n');
  const server = await startServer({
    stations: [], provision: ['--from-csv', csv],
    extraArgs: ['--tls-cert', cert, '--tls-key', key, '--allow-id-tokens', tokens],
  });
  try {
    const cli = new RPCClient({
      endpoint: `wss://127.0.0.1:${server.port}/ocpp`, identity: 'TLS-2', password: PASSWORD, protocols: ['ocpp2.0.1'],
      strictMode: true, reconnect: false, wsOpts: { ca: fs.readFileSync(cert), minVersion: 'TLSv1.2' },
    });
    await cli.connect();
    const boot = await cli.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'm', vendorName: 'v' } });
    assert.equal(boot.status, 'Accepted');
    assert.equal((await cli.call('Authorize', { idToken: { idToken: 'OWNER-OK', type: 'ISO14443' } })).idTokenInfo.status, 'Accepted');
    assert.equal((await cli.call('Authorize', { idToken: { idToken: 'STRANGER', type: 'ISO14443' } })).idTokenInfo.status, 'Invalid');
    await cli.close();
    console.log('ok - OCPP 2.0.1 over TLS with basic auth; id tokens checked against the allow-list');

    const wrong = new RPCClient({
      endpoint: `wss://127.0.0.1:${server.port}/ocpp`, identity: 'TLS-1', password: 'not-the-password-at-all', protocols: ['ocpp1.6'],
      reconnect: false, wsOpts: { ca: fs.readFileSync(cert) },
    });
    await assert.rejects(wrong.connect(), /Unauthorized/);
    const plain = new RPCClient({ endpoint: `ws://127.0.0.1:${server.port}/ocpp`, identity: 'TLS-1', password: PASSWORD,
                                  protocols: ['ocpp1.6'], reconnect: false });
    await assert.rejects(plain.connect());
    const untrusted = new RPCClient({ endpoint: `wss://127.0.0.1:${server.port}/ocpp`, identity: 'TLS-1', password: PASSWORD,
                                      protocols: ['ocpp1.6'], reconnect: false });
    await assert.rejects(untrusted.connect(), /self.signed|certificate/i);
    console.log('ok - wrong password, plain ws and an untrusted certificate refused over TLS');
  } catch (e) {
    await fail(server, e);
  }
  const { code } = await server.stop();
  assert.equal(code, 0);
  fs.rmSync(dir, { recursive: true, force: true });

  // A flooding station is slowed to its rate (its messages are read later, none refused); the others are not.
  const limited = await startServer({ stations: [{ id: 'FLOOD', password: PASSWORD }, { id: 'CALM', password: PASSWORD }],
                                      extraArgs: ['--station-rate-limit', '20', '--station-burst', '5'] });
  try {
    const connect = async (identity) => {
      const c = new RPCClient({ endpoint: `ws://127.0.0.1:${limited.port}/ocpp`, identity, password: PASSWORD,
                                protocols: ['ocpp1.6'], strictMode: true, reconnect: false });
      c.handle('SetChargingProfile', () => ({ status: 'Accepted' }));
      await c.connect();
      return c;
    };
    const flood = await connect('FLOOD');
    const calm = await connect('CALM');
    const t0 = Date.now();
    const answers = await Promise.all(Array.from({ length: 45 }, () => flood.call('Heartbeat', {})));
    const floodMs = Date.now() - t0;
    assert.equal(answers.length, 45);
    assert.ok(floodMs >= 1800, `45 messages at 20/s after a burst of 5 take about 2 s, took ${floodMs} ms`);
    const t1 = Date.now();
    const sent = flood.call('Heartbeat', {});
    await calm.call('Heartbeat', {});
    assert.ok(Date.now() - t1 < 500, 'another station is not slowed by the flood');
    await sent;
    const metrics = await (await fetch(`http://127.0.0.1:${limited.port}/metrics`)).text();
    assert.match(metrics, /voltpool_ocpp_messages_throttled_total [1-9]/);
    await flood.close();
    await calm.close();
    console.log(`ok - a station over its message rate is slowed (45 heartbeats in ${floodMs} ms), none refused; others unaffected`);
  } catch (e) {
    await fail(limited, e);
  }
  await limited.stop();
})().catch((e) => { console.error(e); process.exit(1); });
