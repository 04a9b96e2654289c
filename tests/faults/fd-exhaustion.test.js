'use strict';
// Descriptor exhaustion: boshtap under `ulimit -n 256` gets 400 idle connections at once.
// It must degrade (serve what it holds, leave the rest waiting), not spin on EMFILE, say so
// in its log rate-limited, and recover as soon as connections drop.
const assert = require('node:assert/strict');
const { runTest } = require('./lib/run-test');
const { FakeXmpp } = require('./lib/fake-xmpp');
const { startBoshtap } = require('./lib/boshtap');
const { saturate, acceptErrors } = require('./lib/saturate');
const { checkSaturation } = require('./lib/saturation-checks');

runTest('fd-exhaustion', async (t) => {
  const fake = new FakeXmpp();
  await fake.listen();
  t.onCleanup(() => fake.close());
  const bt = await startBoshtap(t.procs, { binary: t.binary, dir: t.dir, upstreamPort: fake.port, nofile: 256, threads: 2 });
  const r = await saturate(bt, { total: 400, perChild: 400 });
  t.log(JSON.stringify(r));
  t.log(`accept errors logged in total: ${acceptErrors(bt)}`);
  checkSaturation(r, bt);
});
