'use strict';
// kill -9 at random moments while boshtap writes events as fast as it can (and rotates by
// size): every line already in the files must be one whole JSON object, and the next boshtap
// on the same files keeps appending whole lines. 20 rounds.
const assert = require('node:assert/strict');
const path = require('node:path');
const { runTest } = require('./lib/run-test');
const { FakeXmpp } = require('./lib/fake-xmpp');
const { startBoshtap, readLogs, sleep, waitFor } = require('./lib/boshtap');
const { visits } = require('./lib/traffic');

const ROUNDS = Number(process.env.KILL9_ROUNDS || 20);

runTest('kill9', async (t) => {
  const fake = new FakeXmpp({ observers: 20 });
  await fake.listen();
  t.onCleanup(() => fake.close());
  const logDir = path.join(t.dir, 'log');
  const killedAfter = [];
  let lines = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const bt = await startBoshtap(t.procs, {
      binary: t.binary, dir: t.dir, upstreamPort: fake.port, name: `boshtap-${round}`,
      args: ['--log-max-size', '32KiB', '--log-max-files', '1000'],
    });
    // Traffic runs until boshtap dies under it; wait for writing to be under way first.
    const traffic = visits(bt.port, 400, { parallel: 8, observers: 20 });
    await waitFor('events being written', async () => (await bt.metrics()).boshtap_log_lines_total > 0, 5000, 20);
    const delay = Math.floor(Math.random() * 400);
    await sleep(delay);
    bt.signal('SIGKILL');
    await bt.proc.done;
    await traffic; // requests in flight fail; that is expected here
    killedAfter.push(delay);

    const log = readLogs(logDir);
    assert.deepEqual(log.torn, [], `round ${round}: every line whole after kill -9`);
    assert.ok(log.events.length > lines, `round ${round}: events were written`);
    lines = log.events.length;
  }
  const log = readLogs(logDir);
  t.log(`${ROUNDS} kills at ${killedAfter.join(',')} ms into writing: ${log.events.length} lines in ${log.files.length} files, none torn`);
});
