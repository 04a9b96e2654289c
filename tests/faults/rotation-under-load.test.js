'use strict';
// Size rotation under load: a tiny --log-max-size and thousands of events. No line may be lost
// or torn across the rotated files: every event of the ground truth is found exactly once, the
// line count equals boshtap_log_lines_total, and the rotation counter matches the files.
const assert = require('node:assert/strict');
const path = require('node:path');
const { runTest } = require('./lib/run-test');
const { FakeXmpp } = require('./lib/fake-xmpp');
const { startBoshtap, readLogs, waitFor, compareWithTruth } = require('./lib/boshtap');
const { visits } = require('./lib/traffic');

runTest('rotation', async (t) => {
  const fake = new FakeXmpp({ observers: 9 });
  await fake.listen();
  t.onCleanup(() => fake.close());
  const logDir = path.join(t.dir, 'log');
  const bt = await startBoshtap(t.procs, {
    binary: t.binary, dir: t.dir, upstreamPort: fake.port,
    args: ['--log-max-size', '16KiB', '--log-max-files', '1000'],
  });

  const started = Date.now();
  const { results, truth } = await visits(bt.port, 300, { parallel: 16, observers: 9 });
  assert.ok(results.every((r) => r.status === 200));
  const m = await waitFor('every event written', async () => {
    const x = await bt.metrics();
    return x.boshtap_log_lines_total >= truth.length && x;
  }, 20000, 200);
  const secs = (Date.now() - started) / 1000;

  const log = readLogs(logDir);
  t.log(`${truth.length} events in ${secs.toFixed(1)} s (${Math.round(truth.length / secs)}/s) over ${log.files.length} files ` +
    `(${log.bytes} bytes); rotations counted ${m.boshtap_log_rotations_total}; dropped ${m.boshtap_dropped_events_total}`);
  assert.deepEqual(log.torn, [], 'no torn line');
  const { missing, duplicated } = compareWithTruth(truth, log.events);
  assert.deepEqual(missing, [], 'no event lost');
  assert.deepEqual(duplicated, []);
  assert.equal(log.events.length, truth.length);
  assert.equal(m.boshtap_log_lines_total, truth.length);
  assert.equal(m.boshtap_dropped_events_total, 0);
  assert.equal(m.boshtap_log_rotations_total, log.files.length - 1);
  assert.ok(log.files.length > 20, `${log.files.length} files`);
});
