'use strict';
// 20 000 connections opened at once (the descriptor limit of a process here is 20 000, so
// boshtap runs out of descriptors just before the last ones). It must stay up, not spin on
// EMFILE, log it rate-limited, and serve normally as soon as the connections drop.
const { runTest } = require('./lib/run-test');
const { FakeXmpp } = require('./lib/fake-xmpp');
const { startBoshtap } = require('./lib/boshtap');
const { saturate, acceptErrors } = require('./lib/saturate');
const { checkSaturation } = require('./lib/saturation-checks');

runTest('flood', async (t) => {
  const fake = new FakeXmpp();
  await fake.listen();
  t.onCleanup(() => fake.close());
  const bt = await startBoshtap(t.procs, { binary: t.binary, dir: t.dir, upstreamPort: fake.port, threads: 2 });
  const r = await saturate(bt, { total: Number(process.env.FLOOD_CONNECTIONS || 20000), perChild: 10000 });
  t.log(JSON.stringify(r));
  t.log(`accept errors logged in total: ${acceptErrors(bt)}`);
  checkSaturation(r, bt);
});
