'use strict';
// The log directory is removed while boshtap runs (an operator's `rm -rf`, a cleanup job).
// Honest behaviour: events after the removal either reach a file at --log-file (boshtap
// notices and recreates it) or are counted as dropped with /healthz failing. Writing them into
// the deleted file, counted as written, is a silent loss. SIGHUP must bring the file back.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { runTest } = require('./lib/run-test');
const { FakeXmpp } = require('./lib/fake-xmpp');
const { startBoshtap, readLogs, waitFor, sleep } = require('./lib/boshtap');
const { visits } = require('./lib/traffic');

runTest('log-dir-removed', async (t) => {
  const fake = new FakeXmpp({ observers: 1 });
  await fake.listen();
  t.onCleanup(() => fake.close());
  const logDir = path.join(t.dir, 'log');
  const bt = await startBoshtap(t.procs, { binary: t.binary, dir: t.dir, upstreamPort: fake.port });

  const first = await visits(bt.port, 10, { observers: 1 });
  await waitFor('first events on disk', () => readLogs(logDir).events.length === first.truth.length);

  fs.rmSync(logDir, { recursive: true });
  const gone = await visits(bt.port, 10, { observers: 1 });
  assert.ok(gone.results.every((r) => r.status === 200), 'forwarding is unaffected');
  await sleep(2500); // two auditor ticks: time enough to notice
  const m = await bt.metrics();
  const h = await bt.healthz();
  const onDisk = readLogs(logDir).events.length;
  t.log(`after rm -rf: ${gone.truth.length} events; on disk at --log-file ${onDisk}; dropped ${m.boshtap_dropped_events_total}; written ${m.boshtap_log_lines_total}; /healthz ${h.http} ${JSON.stringify(h.checks)}`);

  // SIGHUP: the directory and file come back and events are written there again.
  bt.signal('SIGHUP');
  await waitFor('the log reopened', async () => fs.existsSync(path.join(logDir, 'events.jsonl')));
  const after = await visits(bt.port, 5, { observers: 1 });
  await waitFor('events after SIGHUP on disk', () => readLogs(logDir).events.length >= onDisk + after.truth.length);
  const log = readLogs(logDir);
  assert.deepEqual(log.torn, []);
  t.log(`after SIGHUP: ${log.events.length} lines at --log-file`);

  // Every event of the removal window is accounted for: on disk, or counted as dropped.
  assert.equal(onDisk + m.boshtap_dropped_events_total, gone.truth.length,
    `${gone.truth.length} events while the directory was gone: ${onDisk} on disk, ${m.boshtap_dropped_events_total} counted as dropped, ` +
    `the rest written into the deleted file and counted as written`);
  if (m.boshtap_dropped_events_total > 0) assert.equal(h.http, 503);
});
