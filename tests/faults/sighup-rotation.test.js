'use strict';
// External rotation during writes, as logrotate does it (rename, then `kill -HUP`), in a tight
// loop, while boshtap also rotates by size. Every event must be found exactly once across all
// files (renamed, size-rotated, current), and every line must be whole.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { runTest } = require('./lib/run-test');
const { FakeXmpp } = require('./lib/fake-xmpp');
const { startBoshtap, readLogs, waitFor, compareWithTruth } = require('./lib/boshtap');
const { visits } = require('./lib/traffic');

runTest('sighup', async (t) => {
  const fake = new FakeXmpp({ observers: 9 });
  await fake.listen();
  t.onCleanup(() => fake.close());
  const logDir = path.join(t.dir, 'log');
  const current = path.join(logDir, 'events.jsonl');
  const bt = await startBoshtap(t.procs, {
    binary: t.binary, dir: t.dir, upstreamPort: fake.port,
    args: ['--log-max-size', '8KiB', '--log-max-files', '1000'],
  });

  // logrotate every 15 ms: move the live file away, tell boshtap. Every third round only the
  // HUP (a reopen of the same file must not cut or duplicate anything either).
  let rounds = 0;
  let renamed = 0;
  const rotator = setInterval(() => {
    rounds++;
    if (rounds % 3 !== 0) {
      // boshtap's own size rotation may have just moved the file away: then there is nothing
      // to rename this round.
      try {
        fs.renameSync(current, path.join(logDir, `events.jsonl.hup-${String(rounds).padStart(5, '0')}`));
        renamed++;
      } catch (e) {
        if (e.code !== 'ENOENT') throw e;
      }
    }
    bt.signal('SIGHUP');
  }, 15);
  const { results, truth } = await visits(bt.port, 200, { parallel: 16, observers: 9 });
  clearInterval(rotator);
  assert.ok(results.every((r) => r.status === 200));
  const m = await waitFor('every event written', async () => {
    const x = await bt.metrics();
    return x.boshtap_log_lines_total >= truth.length && x;
  }, 20000, 200);

  const log = readLogs(logDir);
  t.log(`${truth.length} events; ${rounds} SIGHUPs (${renamed} after a rename); ${log.files.length} files; ` +
    `reopens+rotations counted ${m.boshtap_log_rotations_total}; dropped ${m.boshtap_dropped_events_total}`);
  assert.equal(bt.proc.exited, false);
  assert.deepEqual(log.torn, [], 'no torn line');
  const { missing, duplicated } = compareWithTruth(truth, log.events);
  assert.deepEqual(missing, [], 'no event lost');
  assert.deepEqual(duplicated, []);
  assert.equal(log.events.length, truth.length);
  assert.equal(m.boshtap_dropped_events_total, 0);
});
