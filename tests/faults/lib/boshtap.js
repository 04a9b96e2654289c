'use strict';
// Starts boshtap for a fault test (on free loopback ports, admin endpoint on), reads its admin
// endpoint, and inspects its event log files. Processes and ports come from the integration
// harness (tests/integration/lib).
const fs = require('node:fs');
const path = require('node:path');
const { Procs } = require('../../integration/lib/procs');
const { freePorts, waitForPort } = require('../../integration/lib/ports');

// One I/O thread unless asked: with more, a keep-alive request is sometimes hung up without an
// answer (open bug, keepalive-hangup.test.js), which would change a test's ground truth.
async function startBoshtap(procs, { binary, dir, upstreamPort, logFile, args = [], nofile, name = 'boshtap', threads = 1 }) {
  const [port, adminPort] = await freePorts(2);
  const argv = [
    '--listen', `127.0.0.1:${port}`,
    '--upstream', `http://127.0.0.1:${upstreamPort}/http-bind`,
    '--admin-listen', `127.0.0.1:${adminPort}`,
    '--log-file', logFile || path.join(dir, 'log', 'events.jsonl'),
    '--threads', String(threads),
    ...args,
  ];
  // A lowered descriptor limit applies to boshtap alone (the shell execs it).
  const [cmd, cmdArgs] = nofile
    ? ['sh', ['-c', `ulimit -n ${nofile} && exec "$0" "$@"`, binary, ...argv]]
    : [binary, argv];
  const out = path.join(dir, `${name}.out`);
  const proc = procs.start(name, cmd, cmdArgs, { log: out, cwd: dir });
  await waitForPort(port, 15000, () => !proc.exited);
  await waitForPort(adminPort, 5000, () => !proc.exited);
  return {
    proc, port, adminPort, out,
    pid: proc.child.pid,
    stderr: () => fs.readFileSync(out, 'utf8'),
    signal: (sig) => process.kill(proc.child.pid, sig),
    metrics: () => metrics(adminPort),
    healthz: () => healthz(adminPort),
  };
}

async function adminGet(port, p) {
  const res = await fetch(`http://127.0.0.1:${port}${p}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, text: await res.text() };
}

// Prometheus text -> { 'name{labels}': value }
async function metrics(port) {
  const { text } = await adminGet(port, '/metrics');
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

async function healthz(port) {
  const { status, text } = await adminGet(port, '/healthz');
  return { ...JSON.parse(text), http: status };
}

// Every file in dir whose name starts with the log's stem (events.jsonl, events.3.jsonl, and
// whatever an external rotation named them): each line must parse as one JSON object.
function readLogs(dir, stem = 'events') {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith(stem)).sort() : [];
  const events = [];
  const torn = [];
  let bytes = 0;
  for (const f of files) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    bytes += text.length;
    const lines = text.split('\n');
    const last = lines.pop();
    if (last !== '') torn.push({ file: f, line: lines.length + 1, text: `${last.slice(0, 120)} (no newline)` });
    lines.forEach((line, i) => {
      try {
        const e = JSON.parse(line);
        if (e === null || typeof e !== 'object' || Array.isArray(e)) throw new Error('not an object');
        events.push(e);
      } catch {
        torn.push({ file: f, line: i + 1, text: line.slice(0, 120) });
      }
    });
  }
  return { files, events, torn, bytes };
}

const key = (e) => `${e.event}|${e.room}|${e.occupant}`;

// Events expected (by event|room|occupant) that are missing or duplicated in `events`.
function compareWithTruth(truth, events) {
  const counts = new Map();
  for (const e of events) counts.set(key(e), (counts.get(key(e)) || 0) + 1);
  const missing = [];
  const duplicated = [];
  for (const k of truth) {
    const n = counts.get(k) || 0;
    if (n === 0) missing.push(k);
    if (n > 1) duplicated.push(k);
  }
  return { missing, duplicated };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, fn, timeoutMs = 10000, stepMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(stepMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

// CPU seconds (user + system) a process has used, from /proc.
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
}

// CPU seconds per thread name (boshtap names its threads boshtap-io<N>, -audit, -admin).
function threadCpuSeconds(pid) {
  const out = {};
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[name] = (out[name] || 0) + (Number(fields[11]) + Number(fields[12])) / 100;
    } catch { /* thread ended */ }
  }
  return out;
}

function openFds(pid) {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

module.exports = { Procs, startBoshtap, metrics, healthz, readLogs, compareWithTruth, key, sleep, waitFor, cpuSeconds, threadCpuSeconds, openFds };
