// A throwaway PostgreSQL server for end-to-end tests: initdb into a temporary folder, pg_ctl start on a free
// loopback port (as the `postgres` user when the test runs as root: the server refuses root), and stopped by its
// own data folder at the end. Fails loudly when the server binaries are missing (scripts/install-deps.sh installs
// them).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

function serverBin() {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin/initdb'))) : [];
  if (!versions.length) throw new Error(`PostgreSQL server binaries not found under ${root} (run scripts/install-deps.sh)`);
  versions.sort((a, b) => Number(b) - Number(a));
  return path.join(root, versions[0], 'bin');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startPostgres() {
  const bin = serverBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voltpool-pg-'));
  const root = process.getuid && process.getuid() === 0;
  const as = (cmd, args) => {
    const full = root ? ['-u', 'postgres', '--', cmd, ...args] : args;
    execFileSync(root ? 'runuser' : cmd, full, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  };
  if (root) {
    fs.chmodSync(dir, 0o755);
    execFileSync('chown', ['postgres:postgres', dir]);
  }
  const data = path.join(dir, 'data');
  as(path.join(bin, 'initdb'), ['-D', data, '-U', 'voltpool', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  as(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o',
                                `-k ${dir} -c listen_addresses=127.0.0.1 -p ${port} -c fsync=on`, 'start']);
  const stop = () => {
    try {
      as(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  return { uri: `postgresql://voltpool@127.0.0.1:${port}/postgres`, stop };
}

module.exports = { startPostgres };
