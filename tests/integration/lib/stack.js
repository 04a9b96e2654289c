'use strict';
// One test stack on free loopback ports:
//   clients -> nginx (shipped locations file) -> boshtap -> [server tap] -> Prosody or ejabberd
// With no boshtap binary ("bypass") nginx's upstream is the server (through the tap, if any):
// the baseline for benchmarks, and a way to exercise the clients without boshtap.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Procs } = require('./procs');
const { freePorts, waitForPort } = require('./ports');
const configs = require('./configs');
const { startServerTap } = require('./server-tap');

const DOMAIN = 'meet.jitsi';
const MUC = `conference.${DOMAIN}`;

function tail(file, lines = 40) {
  try {
    const text = fs.readFileSync(file, 'utf8').split('\n');
    return text.slice(-lines - 1).join('\n');
  } catch (e) {
    return `(no ${path.basename(file)}: ${e.code || e.message})`;
  }
}

// ejabberd's packages keep its OTP applications outside Erlang's default code path; its
// ejabberdctl script knows where (ERL_LIBS='...').
function findErlLibs() {
  for (const dir of (process.env.PATH || '').split(':').filter(Boolean)) {
    const ctl = path.join(dir, 'ejabberdctl');
    if (!fs.existsSync(ctl)) continue;
    const m = /^ERL_LIBS=['"]?([^'"\n]+)/m.exec(fs.readFileSync(ctl, 'utf8'));
    if (m) return m[1];
  }
  return '';
}

async function startServer(procs, o) {
  if (o.server === 'prosody') {
    const cfg = path.join(o.dir, 'prosody.cfg.lua');
    fs.writeFileSync(cfg, configs.prosodyConfig(o));
    fs.mkdirSync(path.join(o.dir, 'prosody-data'));
    return procs.start('prosody', 'prosody', ['-F', '--config', cfg], { log: path.join(o.dir, 'prosody.out'), cwd: o.dir });
  }
  if (o.server === 'ejabberd') {
    const cfg = path.join(o.dir, 'ejabberd.yml');
    fs.writeFileSync(cfg, configs.ejabberdConfig(o));
    fs.mkdirSync(path.join(o.dir, 'ejabberd-db'));
    fs.mkdirSync(path.join(o.dir, 'ejabberd-logs'));
    return procs.start('ejabberd', 'erl', ['-noinput', '-mnesia', 'dir', JSON.stringify(path.join(o.dir, 'ejabberd-db')), '-s', 'ejabberd'], {
      log: path.join(o.dir, 'ejabberd.out'),
      cwd: o.dir,
      env: {
        EJABBERD_CONFIG_PATH: cfg,
        EJABBERD_LOG_PATH: path.join(o.dir, 'ejabberd-logs', 'ejabberd.log'),
        ERL_LIBS: process.env.ERL_LIBS || findErlLibs(),
        HOME: o.dir,
      },
    });
  }
  throw new Error(`unknown server ${o.server}`);
}

// HTTP GET until the server answers on the BOSH path (the port opens before the app is ready).
async function waitForHttp(url, timeoutMs, isAlive) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`process exited before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status < 500 && res.status !== 404) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (${last})`);
}

async function startStack(opts) {
  const o = {
    server: 'prosody',
    boshtap: null, // path of the boshtap binary; null = bypass
    tap: true,
    boshInactivity: 10,
    hibernation: 10,
    boshtapArgs: [],
    ...opts,
  };
  o.dir = o.dir || fs.mkdtempSync(path.join(os.tmpdir(), `boshtap-it-${o.server}-`));
  fs.mkdirSync(o.dir, { recursive: true });
  for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.mkdirSync(path.join(o.dir, 'nginx-tmp', d), { recursive: true });
  Object.assign(o, { domain: DOMAIN, muc: MUC, serverName: DOMAIN });
  const [c2sPort, httpPort, tapPort, boshtapPort, nginxPort] = await freePorts(5);
  Object.assign(o, { c2sPort, httpPort, tapPort, boshtapPort, port: nginxPort });

  const procs = new Procs();
  const logs = [];
  let tap = null;
  let boshtapArgs = null;
  const startBoshtap = () => procs.start('boshtap', o.boshtap, boshtapArgs, { log: path.join(o.dir, 'boshtap.out'), cwd: o.dir });
  const stack = {
    dir: o.dir, server: o.server, domain: DOMAIN, muc: MUC, mode: o.boshtap ? 'boshtap' : 'bypass',
    procs, logs,
    eventLog: path.join(o.dir, 'events.jsonl'),
    tapLog: o.tap ? path.join(o.dir, 'server-tap.jsonl') : null,
    boshUrl: `http://127.0.0.1:${nginxPort}/http-bind`,
    wsUrl: `ws://127.0.0.1:${nginxPort}/xmpp-websocket`,
    c2sPort,
    settings: { boshInactivity: o.boshInactivity, hibernation: o.hibernation, silenceMargin: 5, resumeWindow: 20, ...(o.boshWait ? { boshWait: o.boshWait } : {}) },
    env() {
      return {
        SCENARIO_BOSH_URL: this.boshUrl, SCENARIO_WS_URL: this.wsUrl, SCENARIO_DOMAIN: DOMAIN, SCENARIO_MUC: MUC,
        SCENARIO_SERVER: o.server, SCENARIO_MODE: this.mode, STACK_DIR: o.dir, SCENARIO_C2S_PORT: String(c2sPort),
        SCENARIO_SETTINGS: JSON.stringify(this.settings),
      };
    },
    printLogTails(out = process.stderr) {
      for (const f of logs) out.write(`\n----- ${path.basename(f)} (last lines) -----\n${tail(f)}\n`);
    },
    async stopBoshtap() {
      const p = procs.list.filter((x) => x.name === 'boshtap').pop();
      if (p) await procs.stop(p, 15000); // boshtap drains for up to 10 s by default
      return p;
    },
    // SIGTERM, then a new process on the same port and log file (a restart by an operator).
    // Returns when each happened (seconds, this machine's clock, as in the event log).
    async restartBoshtap() {
      await this.stopBoshtap();
      const stopped = Date.now() / 1000;
      const bt = startBoshtap();
      await waitForPort(boshtapPort, 15000, () => !bt.exited);
      return { stopped, started: Date.now() / 1000 };
    },
    async stop() {
      await procs.stopAll();
      if (tap) await tap.close();
      tap = null;
    },
  };

  try {
    const server = await startServer(procs, o);
    logs.push(server.log);
    logs.push(o.server === 'prosody' ? path.join(o.dir, 'prosody.log') : path.join(o.dir, 'ejabberd-logs', 'ejabberd.log'));
    const alive = (p) => () => !p.exited;
    await waitForPort(httpPort, 60000, alive(server));
    await waitForHttp(`http://127.0.0.1:${httpPort}/http-bind`, 30000, alive(server));

    let next = httpPort;
    if (o.tap) {
      tap = await startServerTap({ port: tapPort, upstreamPort: httpPort, file: stack.tapLog });
      next = tapPort;
    }
    if (o.boshtap) {
      const args = [
        '--listen', `127.0.0.1:${boshtapPort}`,
        '--upstream', `http://127.0.0.1:${next}/http-bind`,
        '--ws-upstream', `ws://127.0.0.1:${next}/xmpp-websocket`,
        '--log-file', stack.eventLog,
        '--bosh-silence-margin', String(stack.settings.silenceMargin),
        '--ws-resume-window', String(stack.settings.resumeWindow),
        '--trusted-proxy', '127.0.0.1/32',
        ...o.boshtapArgs,
      ];
      boshtapArgs = args;
      const bt = startBoshtap();
      logs.push(bt.log);
      await waitForPort(boshtapPort, 15000, alive(bt));
      next = boshtapPort;
    }

    const nginxConf = path.join(o.dir, 'nginx.conf');
    const nginxErr = path.join(o.dir, 'nginx-error.log');
    fs.writeFileSync(nginxConf, configs.nginxConfig({ ...o, upstreamPort: next }));
    logs.push(nginxErr);
    execFileSync('nginx', ['-p', o.dir, '-e', nginxErr, '-c', nginxConf, '-t', '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const ngx = procs.start('nginx', 'nginx', ['-p', o.dir, '-e', nginxErr, '-c', nginxConf, '-g', 'daemon off;'], { log: path.join(o.dir, 'nginx.out'), cwd: o.dir });
    logs.push(ngx.log);
    await waitForPort(nginxPort, 10000, alive(ngx));
    await waitForHttp(stack.boshUrl, 10000, alive(ngx));
    return stack;
  } catch (e) {
    if (e.stderr) process.stderr.write(e.stderr);
    stack.printLogTails();
    await stack.stop();
    throw e;
  }
}

module.exports = { startStack, tail, DOMAIN, MUC };
