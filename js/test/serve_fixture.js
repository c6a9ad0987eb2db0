// Starts a real `voltpool serve` on a free loopback port with a fresh database and provisioned stations, and
// stops it by its own PID. Used by the end-to-end tests in this folder.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const binary = process.env.VOLTPOOL_BINARY || path.join(__dirname, '../../build/voltpool');

// `stations`: [{id, password, maxPowerKw}] added one by one; `provision`: extra arguments for one bulk
// `voltpool stations add` (e.g. ['--from-csv', FILE]). `reuse`: {dir, db, port} of an earlier server, to restart
// it on its own database and port (after a crash). `db`: the database to use instead of a fresh SQLite file (a
// PostgreSQL URI).
async function startServer({ stations = [], provision, extraArgs = [], reuse, db: given }) {
  const dir = reuse ? reuse.dir : fs.mkdtempSync(path.join(os.tmpdir(), 'voltpool-e2e-'));
  const db = reuse?.db ?? given ?? path.join(dir, 'voltpool.db');
  for (const s of stations) {
    execFileSync(binary, ['stations', 'add', '--db', db, '--id', s.id, '--password', s.password,
                          '--max-power-kw', String(s.maxPowerKw ?? 11)]);
  }
  if (provision) execFileSync(binary, ['stations', 'add', '--db', db, ...provision]);
  const child = spawn(binary, ['serve', '--db', db, '--port', String(reuse ? reuse.port : 0), ...extraArgs],
                      { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start:\n' + stderr)), 15000);
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /:\/\/[^:]+:(\d+)\/ocpp\//.exec(stdout);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${stderr}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) return { code: child.exitCode, stdout, stderr };
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await exited;
    fs.rmSync(dir, { recursive: true, force: true });
    return { code, stdout, stderr };
  };
  // kill -9: no shutdown at all; the database stays for a restart.
  const crash = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  return { port, db, dir, stop, crash, logs: () => stderr };
}

// Resolves with the first value `poll()` returns that is not undefined, or rejects after `ms`.
async function eventually(poll, ms, what) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await poll();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Ends a failed test: the error, the server's log, the server stopped, exit 1.
async function fail(server, error) {
  console.error(error);
  console.error(server.logs());
  await server.stop();
  process.exit(1);
}

module.exports = { startServer, eventually, fail, binary };
