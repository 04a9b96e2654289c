#!/usr/bin/env node
'use strict';
// boshtap restarted in the middle of a run: a seeded random run through nginx -> boshtap ->
// Prosody; at --restart-at seconds the driver holds new moves back and asks (over IPC) for a
// restart: boshtap gets SIGTERM (its `shutdown` leaves close the first lifetime) and a new
// process starts on the same port and log file while the participants stay connected (BOSH
// requests held at that moment fail with 502 once and strophe retries them; WebSocket clients
// are closed by the drain and resume their session). check.js then checks the log per process
// lifetime (tests/scenario/lib/lifetimes.js, docs/accuracy.md).
//
//   run-restart.js --boshtap BIN [--server prosody] [--keep] [-- DRIVER ARGS]
const { fork, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startStack } = require('./lib/stack');
const { parseArgs, runMain } = require('./lib/cli');

const SCENARIO = path.resolve(__dirname, '..', 'scenario');
const args = parseArgs(process.argv.slice(2), { flags: ['keep'] });
let stack = null;
let failed = true;

async function main() {
  const boshtap = args.boshtap || process.env.BOSHTAP_BIN;
  if (!boshtap) throw new Error('no boshtap binary: pass --boshtap BIN or set BOSHTAP_BIN');
  // Prosody only: the WebSocket clients must resume their sessions (ejabberd cannot resume an
  // anonymous guest's). A short drain keeps the outage inside the server's hibernation time.
  const server = args.server || 'prosody';
  stack = await startStack({ server, boshtap, boshWait: 20, boshtapArgs: ['--drain-timeout', '2'] });
  console.log(`stack: boshtap -> ${server}, mixed, in ${stack.dir}`);
  const truth = path.join(stack.dir, 'truth.jsonl');
  const driverArgs = ['--transport', 'mixed', '--truth', truth, '--wire', path.join(stack.dir, 'wire'), '--mode', 'random', '--restart-at', '30',
    ...(server === 'prosody' ? [] : ['--no-resume']), ...args.command];
  const driver = fork(path.join(SCENARIO, 'driver.js'), driverArgs, { cwd: SCENARIO, env: { ...process.env, ...stack.env() } });
  driver.on('message', async (msg) => {
    if (msg.type !== 'restart') return;
    const times = await stack.restartBoshtap();
    console.log(`boshtap restarted: stopped ${times.stopped.toFixed(3)}, started ${times.started.toFixed(3)}`);
    driver.send(times);
  });
  const results = {};
  results.driver = await new Promise((resolve) => driver.on('exit', (c, s) => resolve(c ?? (s ? 128 : 1))));
  const bt = await stack.stopBoshtap();
  if (bt.code !== 0 && bt.signal !== 'SIGTERM') results.boshtap_exit = bt.code ?? 1;
  if (results.driver === 0) {
    results.events = await new Promise((resolve) => spawn(process.execPath, ['check.js', '--log', stack.eventLog, '--truth', truth], { cwd: SCENARIO, stdio: 'inherit' })
      .on('exit', (c) => resolve(c ?? 1)));
  }
  console.log(`result: ${Object.entries(results).map(([k, c]) => `${k} ${c === 0 ? 'ok' : `FAILED (${c})`}`).join(', ')}`);
  failed = Object.values(results).some((c) => c !== 0);
  if (failed) stack.printLogTails();
  return failed ? 1 : 0;
}

runMain(main, async () => {
  if (!stack) return;
  await stack.stop();
  if (failed || args.keep) console.error(`kept ${stack.dir}`);
  else fs.rmSync(stack.dir, { recursive: true, force: true });
});
