#!/usr/bin/env node
'use strict';
// Demo: nginx -> boshtap -> Prosody on free local ports, a short simulated meeting
// (join, mute, rename, leave), boshtap's event log printed as it grows, `boshtap report` on
// it, then teardown.
//   demo.js BOSHTAP_BIN   (or BOSHTAP_BIN=... demo.js)
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startStack } = require('./lib/stack');
const { runMain } = require('./lib/cli');

const SCENARIO = path.resolve(__dirname, '..', 'scenario');
let stack = null;

// Prints lines appended to file until stop() is called (and once more after).
function follow(file, print) {
  let offset = 0;
  let rest = '';
  const poll = () => {
    if (!fs.existsSync(file)) return;
    const buf = fs.readFileSync(file);
    if (buf.length <= offset) return;
    const text = rest + buf.subarray(offset).toString('utf8');
    offset = buf.length;
    const lines = text.split('\n');
    rest = lines.pop();
    lines.filter(Boolean).forEach(print);
  };
  const timer = setInterval(poll, 200);
  return () => { clearInterval(timer); poll(); };
}

async function main() {
  const bin = process.argv[2] || process.env.BOSHTAP_BIN;
  if (!bin) { console.error('usage: demo.js BOSHTAP_BIN'); return 2; }
  if (!fs.existsSync(path.join(SCENARIO, 'node_modules', 'strophe.js'))) {
    console.error(`installing the simulated clients' dependencies (npm ci in ${SCENARIO})`);
    const code = await new Promise((r) => spawn('npm', ['ci', '--no-audit', '--no-fund'], { cwd: SCENARIO, stdio: 'inherit' }).on('exit', r));
    if (code !== 0) return code;
  }
  stack = await startStack({ server: 'prosody', boshtap: path.resolve(bin), tap: false });
  console.log(`nginx http://127.0.0.1:${new URL(stack.boshUrl).port}  ->  boshtap  ->  Prosody`);
  console.log(`event log: ${stack.eventLog}\n`);
  const stop = follow(stack.eventLog, (line) => console.log(`  LOG ${line}`));
  const code = await new Promise((resolve) => {
    spawn(process.execPath, ['driver.js', '--mode', 'demo', '--rooms', '1'], { cwd: SCENARIO, stdio: 'inherit', env: { ...process.env, ...stack.env() } })
      .on('exit', (c) => resolve(c ?? 1));
  });
  await new Promise((r) => setTimeout(r, 1500)); // let the last events land
  await stack.stopBoshtap();
  stop();
  if (code !== 0) {
    stack.printLogTails();
    return code;
  }
  // The same log as an attendance report (what `boshtap report` gives operators).
  console.log('\n$ boshtap report events.jsonl');
  return new Promise((resolve) => {
    spawn(path.resolve(bin), ['report', stack.eventLog], { stdio: 'inherit' }).on('exit', (c) => resolve(c ?? 1));
  });
}

runMain(main, async () => {
  if (!stack) return;
  await stack.stop();
  fs.rmSync(stack.dir, { recursive: true, force: true });
});
