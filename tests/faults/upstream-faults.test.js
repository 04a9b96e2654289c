'use strict';
// Upstream refused, stuck, answering garbage, restarted: the client gets 502/504 with a message
// naming the upstream, boshtap keeps serving, and sessions that died get their leaves
// (`terminated` when the new server instance refuses the sid, `timeout` when they go silent).
const assert = require('node:assert/strict');
const { runTest } = require('./lib/run-test');
const { FakeXmpp } = require('./lib/fake-xmpp');
const { BoshClient, post } = require('./lib/bosh-client');
const { startBoshtap, readLogs, sleep, waitFor } = require('./lib/boshtap');
const path = require('node:path');

runTest('upstream', async (t) => {
  // wait 2 + inactivity 2 + margin 1: a silent session is declared gone after 5 s.
  const fake = new FakeXmpp({ wait: 2, inactivity: 2, holdMs: 300 });
  await fake.listen();
  t.onCleanup(() => fake.close());
  const bt = await startBoshtap(t.procs, {
    binary: t.binary, dir: t.dir, upstreamPort: fake.port,
    args: ['--upstream-timeout', '30', '--bosh-silence-margin', '1'],
  });
  const upstreamMsg = new RegExp(`^boshtap: upstream 127\\.0\\.0\\.1:${fake.port} `);

  // Six participants in six rooms.
  const clients = [];
  for (let i = 0; i < 6; i++) {
    const c = new BoshClient(bt.port);
    assert.equal((await c.create()).status, 200);
    assert.equal((await c.join(`room${i}`, `res${i}`, `User ${i}`)).status, 200);
    clients.push(c);
  }

  // Garbage of several kinds: 502 with a message; the next request is served normally.
  const failures = {};
  for (const mode of ['garbage', 'truncated', 'reset', 'huge']) {
    fake.mode = mode;
    const r = await post(bt.port, `<body xmlns='http://jabber.org/protocol/httpbind' rid='1' to='meet.jitsi'/>`);
    fake.mode = 'ok';
    assert.equal(r.status, 502, `${mode}: ${JSON.stringify(r)}`);
    assert.match(r.body, upstreamMsg, mode);
    failures[mode] = r.body.trim();
    assert.equal((await new BoshClient(bt.port).create()).status, 200, `served again after ${mode}`);
  }
  t.log(`garbage answers: ${JSON.stringify(failures)}`);

  // Restarted server: old sids are unknown. Prosody answers 200 + terminate, others 404; both
  // are forwarded unchanged and end the session (`terminated`).
  await fake.restart();
  fake.unknownSid = 'terminate';
  for (const c of clients.slice(0, 2)) {
    const r = await c.poll();
    assert.equal(r.status, 200);
    assert.match(r.body, /condition='item-not-found'/);
  }
  fake.unknownSid = '404';
  for (const c of clients.slice(2, 4)) assert.equal((await c.poll()).status, 404);

  // Refused: 502 at once with the reason; /healthz reports the upstream within one probe (5 s).
  await fake.close();
  const refusedAt = Date.now();
  const r = await post(bt.port, `<body xmlns='http://jabber.org/protocol/httpbind' rid='1' to='meet.jitsi'/>`);
  assert.equal(r.status, 502);
  assert.match(r.body, upstreamMsg);
  assert.match(r.body, /refused/i);
  t.log(`refused: "${r.body.trim()}" in ${r.ms.toFixed(1)} ms`);
  // The two remaining participants try once and then go quiet (their server is gone).
  for (const c of clients.slice(4)) assert.equal((await c.poll()).status, 502);
  const h = await waitFor('/healthz to report the upstream', async () => {
    const x = await bt.healthz();
    return x.checks.upstream === 'unreachable' && x;
  }, 8000, 250);
  assert.equal(h.http, 503);
  t.log(`/healthz noticed the refused upstream after ${Date.now() - refusedAt} ms`);

  // The silent sessions time out (inactivity 2 + wait 2 + margin 1 s, checked every second).
  const expected = new Map([
    ...[0, 1, 2, 3].map((i) => [`res${i}`, 'terminated']),
    ...[4, 5].map((i) => [`res${i}`, 'timeout']),
  ]);
  const logDir = path.join(t.dir, 'log');
  const leaves = await waitFor('six leaves', () => {
    const l = readLogs(logDir).events.filter((e) => e.event === 'leave');
    return l.length >= 6 && l;
  }, 15000, 250);
  for (const e of leaves) assert.equal(e.reason, expected.get(e.occupant), JSON.stringify(e));

  // Back up: served again, and /healthz recovers.
  await fake.listen(fake.port);
  assert.equal((await new BoshClient(bt.port).create()).status, 200);
  await waitFor('/healthz ok again', async () => (await bt.healthz()).http === 200, 8000, 250);

  // Stuck upstream (last: a restart would close its connection, and boshtap retries a request
  // whose pooled connection dies before any answer): 504 at --upstream-timeout, not before.
  fake.mode = 'hang';
  const before = fake.requests;
  const stuck = post(bt.port, `<body xmlns='http://jabber.org/protocol/httpbind' rid='1' to='meet.jitsi'/>`);
  await waitFor('the stuck request to reach the fake', () => fake.requests > before);
  const stuckSince = Date.now();
  fake.mode = 'ok';
  // Meanwhile other requests are served.
  assert.equal((await new BoshClient(bt.port).create()).status, 200);
  const s = await stuck;
  const stuckMs = Date.now() - stuckSince;
  assert.equal(s.status, 504, JSON.stringify(s));
  assert.match(s.body, upstreamMsg);
  assert.ok(stuckMs >= 29000 && stuckMs < 33000, `504 after ${stuckMs} ms`);
  t.log(`stuck upstream: "${s.body.trim()}" after ${stuckMs} ms`);

  const m = await bt.metrics();
  t.log(`upstream errors: error=${m['boshtap_upstream_errors_total{kind="error"}']} timeout=${m['boshtap_upstream_errors_total{kind="timeout"}']}`);
  assert.equal(m['boshtap_upstream_errors_total{kind="timeout"}'], 1);
  assert.ok(m['boshtap_upstream_errors_total{kind="error"}'] >= 7);

  // Nothing crashed; it stops cleanly.
  assert.equal(bt.proc.exited, false);
  await t.procs.stop(bt.proc, 15000);
  assert.equal(bt.proc.code, 0);
  const log = readLogs(logDir);
  assert.deepEqual(log.torn, []);
  assert.equal(log.events.filter((e) => e.event === 'join').length, 6);
});
