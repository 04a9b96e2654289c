'use strict';
// Runs tsung against the stack, kept on loopback: a private epmd on a free port, Erlang
// distribution bound to 127.0.0.1, no web dashboard (-n, it would listen on *:8091), and a
// private HOME (tsung writes ~/.tsung). Everything lands in `<runDir>/tsung/`.
const fs = require('node:fs');
const path = require('node:path');
const { freePorts, waitForPort } = require('../lib/ports');
const { tsungConfig } = require('./tsung-config');

async function startTsung(procs, { runDir, ...configOpts }) {
  const dir = path.join(runDir, 'tsung');
  const home = path.join(dir, 'home');
  const logDir = path.join(dir, 'log');
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(logDir, { recursive: true });
  const xml = path.join(dir, 'soak.xml');
  fs.writeFileSync(xml, tsungConfig(configOpts));

  const [epmdPort, distMin] = await freePorts(2);
  const env = {
    HOME: home,
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    ERL_ZFLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  const epmd = procs.start('epmd', 'epmd', ['-address', '127.0.0.1', '-port', String(epmdPort)], { env, cwd: dir, log: path.join(dir, 'epmd.out') });
  await waitForPort(epmdPort, 10000, () => !epmd.exited);
  // -I: node names on 127.0.0.1, not the host name; -t/-T: the distribution's listen range.
  const tsung = procs.start('tsung', 'tsung', ['-n', '-I', '127.0.0.1', '-t', String(distMin), '-T', String(distMin + 20),
    '-f', xml, '-l', logDir, 'start'], { env, cwd: dir, log: path.join(dir, 'tsung.out') });
  return { dir, logDir, epmd, tsung };
}

// tsung makes one dated directory under -l per run.
function tsungRunDir(logDir) {
  const subs = fs.readdirSync(logDir).map((d) => path.join(logDir, d)).filter((d) => fs.statSync(d).isDirectory());
  return subs.sort().pop() || null;
}

module.exports = { startTsung, tsungRunDir };
