'use strict';
// Opens `total` idle connections to boshtap at once (from child processes), measures how it
// behaves while they are held (CPU, accept-error log lines, descriptors, a new request, the
// admin endpoint), then drops them and measures the recovery.
const path = require('node:path');
const { fork } = require('node:child_process');
const { post } = require('./bosh-client');
const { sleep, cpuSeconds, threadCpuSeconds, openFds } = require('./boshtap');

const CREATE = `<body xmlns='http://jabber.org/protocol/httpbind' rid='1' to='meet.jitsi'/>`;
// Below this a process is idle (one clock tick is 0.01 s).
const IDLE_CPU = 0.05;
const acceptErrors = (bt) => bt.stderr().split('\n').filter((l) => /accept failed/.test(l)).length;

async function cpuOver(bt, ms) {
  const c0 = cpuSeconds(bt.pid);
  const t0 = threadCpuSeconds(bt.pid);
  const l0 = acceptErrors(bt);
  await sleep(ms);
  const t1 = threadCpuSeconds(bt.pid);
  // Which threads worked, when any did: says what to look at if a check fails.
  const threads = Object.fromEntries(Object.entries(t1).map(([k, v]) => [k, v - (t0[k] || 0)]).filter(([, v]) => v > 0));
  return { cpu: (cpuSeconds(bt.pid) - c0) / (ms / 1000), logLines: acceptErrors(bt) - l0, threads };
}

async function saturate(bt, { total, perChild = 10000, windowMs = 3000 }) {
  const fdsBefore = openFds(bt.pid);
  const children = [];
  for (let left = total; left > 0; left -= perChild) {
    const n = Math.min(perChild, left);
    const child = fork(path.join(__dirname, 'flood-client.js'), [String(bt.port), String(n)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push({ child, report: new Promise((r) => child.once('message', r)) });
  }
  // boshtap's descriptors over time: how fast it takes the flood in.
  const t0 = Date.now();
  const timeline = [];
  const sampler = setInterval(() => { try { timeline.push([Date.now() - t0, openFds(bt.pid)]); } catch { /* gone */ } }, 250);
  const reports = await Promise.all(children.map((c) => c.report));
  clearInterval(sampler);
  const r = {
    connected: reports.reduce((a, x) => a + x.connected, 0),
    connectErrors: reports.reduce((a, x) => { for (const [k, v] of Object.entries(x.errors)) a[k] = (a[k] || 0) + v; return a; }, {}),
    connectMs: Math.max(...reports.map((x) => x.ms)),
  };
  const top = Math.max(...timeline.map(([, n]) => n));
  const reach = (f) => timeline.find(([, n]) => n >= f * top)?.[0];
  r.fdsReached = { '50%': reach(0.5), '90%': reach(0.9), '100%': reach(1), max: top };
  await sleep(1000); // let boshtap accept what it can
  r.fds = openFds(bt.pid);
  r.idle = await cpuOver(bt, windowMs);

  // A new client while saturated: what does it get within 2 s?
  const probe = await post(bt.port, CREATE, { timeoutMs: 2000 });
  r.newRequest = probe.status ? `HTTP ${probe.status}: ${probe.body.trim().slice(0, 100)}` : probe.error;

  // The admin endpoint while saturated (a health check arriving), then CPU again.
  try {
    const res = await fetch(`http://127.0.0.1:${bt.adminPort}/healthz`, { signal: AbortSignal.timeout(2000) });
    r.healthz = `HTTP ${res.status}`;
  } catch (e) {
    r.healthz = e.name === 'TimeoutError' ? 'no answer in 2 s' : e.message;
  }
  r.afterHealthz = await cpuOver(bt, windowMs);

  // Drop everything and time the recovery.
  const closing = await Promise.all(children.map((c) => new Promise((res) => { c.child.once('message', res); c.child.send('close'); })));
  r.closedByServer = closing.reduce((a, x) => a + x.resets, 0);
  const since = Date.now();
  let ok = null;
  while (Date.now() - since < 15000 && !ok) {
    const c = await post(bt.port, CREATE, { timeoutMs: 2000 });
    if (c.status === 200) ok = Date.now() - since;
    else await sleep(100);
  }
  r.recoveredMs = ok;
  // Closing thousands of sockets is work (more so under ASan): wait until boshtap holds no more
  // descriptors than before the flood (which also proves none leaked).
  let drained = null;
  while (Date.now() - since < 30000 && drained === null) {
    if (openFds(bt.pid) <= fdsBefore + 4) drained = Date.now() - since;
    else await sleep(100);
  }
  r.drainedMs = drained;
  r.fdsAfter = openFds(bt.pid);
  // Then it must go idle. The descriptors close before the work behind them is done (cancelled
  // timers completing, sessions freed: a few hundred ms under ASan on a busy machine), so look
  // at one-second windows until one is idle; a spinning thread never gets there.
  const settling = Date.now();
  do r.tail = await cpuOver(bt, 1000);
  while (r.tail.cpu >= IDLE_CPU && Date.now() - settling < 15000);
  r.settledMs = r.tail.cpu < IDLE_CPU ? Date.now() - settling : null;
  return r;
}

module.exports = { saturate, acceptErrors };
