'use strict';
// SIGTERM with BOSH long-polls held by the server: boshtap stops accepting at once, lets held
// requests finish within --drain-timeout (they get the server's answer), cuts those that would
// take longer at the deadline, writes `leave` (shutdown) for every open occupant, exits 0.
const assert = require('node:assert/strict');
const net = require('node:net');
const path = require('node:path');
const { runTest } = require('./lib/run-test');
const { FakeXmpp } = require('./lib/fake-xmpp');
const { BoshClient } = require('./lib/bosh-client');
const { startBoshtap, readLogs, waitFor } = require('./lib/boshtap');

const refused = (port) => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve(false); });
  s.once('error', (e) => resolve(e.code === 'ECONNREFUSED'));
});

async function round(t, { name, holdMs, drain, participants }) {
  const fake = new FakeXmpp({ holdMs });
  await fake.listen();
  t.onCleanup(() => fake.close());
  const logDir = path.join(t.dir, name);
  const bt = await startBoshtap(t.procs, {
    binary: t.binary, dir: t.dir, upstreamPort: fake.port, name,
    logFile: path.join(logDir, 'events.jsonl'), args: ['--drain-timeout', String(drain)],
  });
  const clients = [];
  for (let i = 0; i < participants; i++) {
    const c = new BoshClient(bt.port);
    assert.equal((await c.create()).status, 200);
    assert.equal((await c.join('drain', `p${i}`, `P ${i}`)).status, 200);
    clients.push(c);
  }
  const before = fake.requests;
  const polls = clients.map((c) => c.poll());
  await waitFor('every poll held by the server', () => fake.requests === before + participants);

  const termAt = Date.now();
  bt.signal('SIGTERM');
  await waitFor('the listener closed', () => refused(bt.port), 2000, 20);
  const closedMs = Date.now() - termAt;
  const answers = await Promise.all(polls);
  const answeredMs = Date.now() - termAt;
  await bt.proc.done;
  const exitMs = Date.now() - termAt;

  const log = readLogs(logDir);
  const leaves = log.events.filter((e) => e.event === 'leave');
  const statuses = {};
  for (const a of answers) statuses[a.status ?? a.error] = (statuses[a.status ?? a.error] || 0) + 1;
  t.log(`${name}: ${participants} held polls (server holds ${holdMs} ms, drain ${drain} s): listener closed after ${closedMs} ms; ` +
    `polls ended after ${answeredMs} ms as ${JSON.stringify(statuses)}; exit ${bt.proc.code} after ${exitMs} ms; ` +
    `leaves ${JSON.stringify(leaves.reduce((a, e) => ({ ...a, [e.reason]: (a[e.reason] || 0) + 1 }), {}))}`);
  assert.equal(bt.proc.code, 0);
  assert.deepEqual(log.torn, []);
  assert.equal(leaves.length, participants);
  assert.ok(leaves.every((e) => e.reason === 'shutdown'));
  return { answers, answeredMs, exitMs };
}

runTest('sigterm', async (t) => {
  // Held polls that end within the drain window get the server's answer.
  const a = await round(t, { name: 'within', holdMs: 3000, drain: 10, participants: 20 });
  assert.ok(a.answers.every((r) => r.status === 200), 'drained polls are answered');
  assert.ok(a.exitMs < 6000, `exit after ${a.exitMs} ms: as soon as the last one is answered`);

  // Held polls longer than the drain window are cut at the deadline.
  const b = await round(t, { name: 'beyond', holdMs: 30000, drain: 2, participants: 10 });
  assert.ok(b.answers.every((r) => r.error), 'cut at the deadline');
  assert.ok(b.exitMs >= 1900 && b.exitMs < 5000, `exit after ${b.exitMs} ms`);
});
