#!/usr/bin/env node
'use strict';
// Starts nginx -> boshtap -> Prosody/ejabberd on free loopback ports, runs a command against it
// (or waits for Ctrl-C), then tears everything down. The command gets the stack in its
// environment (SCENARIO_BOSH_URL, SCENARIO_WS_URL, SCENARIO_DOMAIN, SCENARIO_MUC, STACK_DIR...).
//
//   harness.js [--server prosody|ejabberd] [--boshtap BIN | --bypass] [--no-tap] [--keep] [-- CMD ARGS]
//
// BIN defaults to $BOSHTAP_BIN. --bypass routes nginx straight to the server (baseline).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const { startStack } = require('./lib/stack');
const { parseArgs, runMain } = require('./lib/cli');

const args = parseArgs(process.argv.slice(2), { flags: ['bypass', 'no-tap', 'keep'] });
let stack = null;

async function main() {
  const boshtap = args.bypass ? null : (args.boshtap || process.env.BOSHTAP_BIN || null);
  if (!args.bypass && !boshtap) throw new Error('no boshtap binary: pass --boshtap BIN, set BOSHTAP_BIN, or use --bypass');
  stack = await startStack({ server: args.server || 'prosody', boshtap, tap: !args['no-tap'] });
  console.error(`stack up (${stack.mode}, ${stack.server}) in ${stack.dir}`);
  console.error(`  BOSH ${stack.boshUrl}\n  WS   ${stack.wsUrl}\n  log  ${stack.eventLog}`);
  if (!args.command.length) {
    console.error('Ctrl-C to stop');
    await new Promise(() => {});
  }
  const child = spawn(args.command[0], args.command.slice(1), { stdio: 'inherit', env: { ...process.env, ...stack.env() } });
  const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 128 : 1))));
  if (code !== 0) stack.printLogTails();
  return code;
}

runMain(main, async () => {
  if (!stack) return;
  await stack.stop();
  if (!args.keep) fs.rmSync(stack.dir, { recursive: true, force: true });
  else console.error(`kept ${stack.dir}`);
});
