#!/usr/bin/env node
'use strict';
// One integration test: start the stack, run the scenario driver through nginx, stop boshtap,
// then check its event log against the ground truth (check.js), `boshtap report` on that log
// against the attendance caused (check-report.js), and the bytes the clients got
// against what the server sent (check-wire.js). On failure the logs' tails are printed and
// the run's directory is kept.
//
//   run-scenario.js --server prosody|ejabberd --transport bosh|websocket|mixed
//                   [--boshtap BIN | --bypass] [--keep] [--bosh-wait SECONDS]
//                   [-- DRIVER ARGS (e.g. --mode random --seed 7)]
// --bosh-wait shortens the clients' BOSH wait (default Jitsi's 60 s), and with it boshtap's
// silence timer (inactivity + wait + margin) that bounds how long a vanished client may take.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startStack } = require('./lib/stack');
const { parseArgs, runMain } = require('./lib/cli');

const SCENARIO = path.resolve(__dirname, '..', 'scenario');
const args = parseArgs(process.argv.slice(2), { flags: ['bypass', 'keep', 'no-resume'] });
let stack = null;
let failed = true;

function run(cmd, argv, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: 'inherit', cwd: SCENARIO, env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function main() {
  if (!fs.existsSync(path.join(SCENARIO, 'node_modules', 'strophe.js'))) {
    throw new Error(`${SCENARIO}/node_modules is missing: run "npm ci" there (ctest does it in its setup fixture)`);
  }
  const boshtap = args.bypass ? null : (args.boshtap || process.env.BOSHTAP_BIN || null);
  if (!args.bypass && !boshtap) throw new Error('no boshtap binary: pass --boshtap BIN, set BOSHTAP_BIN, or use --bypass');
  const server = args.server || 'prosody';
  const transport = args.transport || 'bosh';
  stack = await startStack({ server, boshtap, boshWait: args['bosh-wait'] ? Number(args['bosh-wait']) : undefined });
  console.log(`stack: ${stack.mode} -> ${server}, ${transport}, in ${stack.dir}`);

  const truth = path.join(stack.dir, 'truth.jsonl');
  const wire = path.join(stack.dir, 'wire');
  // ejabberd cannot resume an anonymous guest's session (a new login is a new user).
  const resume = server === 'prosody' && !args['no-resume'];
  const driverArgs = ['driver.js', '--transport', transport, '--truth', truth, '--wire', wire, ...(resume ? [] : ['--no-resume']), ...args.command];
  const results = {};
  results.driver = await run(process.execPath, driverArgs, stack.env());
  // A graceful stop flushes the log; everything the scenario caused is due by now, so a
  // `shutdown` leave in the log means boshtap missed an ending.
  if (stack.mode === 'boshtap') {
    const bt = await stack.stopBoshtap();
    if (bt.code !== 0 && bt.signal !== 'SIGTERM') results.boshtap_exit = bt.code ?? 1;
    if (results.driver === 0) results.events = await run(process.execPath, ['check.js', '--log', stack.eventLog, '--truth', truth]);
    // `boshtap report` on the same log must show the attendance the participants caused.
    if (results.driver === 0) results.report = await run(process.execPath, ['check-report.js', '--boshtap', boshtap, '--log', stack.eventLog, '--truth', truth]);
  }
  if (results.driver === 0) results.wire = await run(process.execPath, ['check-wire.js', '--wire', wire, '--tap', stack.tapLog]);
  const bad = Object.entries(results).filter(([, c]) => c !== 0);
  console.log(`result: ${Object.entries(results).map(([k, c]) => `${k} ${c === 0 ? 'ok' : `FAILED (${c})`}`).join(', ')}`);
  failed = bad.length > 0;
  if (failed) stack.printLogTails();
  return failed ? 1 : 0;
}

runMain(main, async () => {
  if (!stack) return;
  await stack.stop();
  if (failed || args.keep) console.error(`kept ${stack.dir}`);
  else fs.rmSync(stack.dir, { recursive: true, force: true });
});
