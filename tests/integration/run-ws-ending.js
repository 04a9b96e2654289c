#!/usr/bin/env node
'use strict';
// A WebSocket client's end must reach the server as soon as it would without boshtap: the
// server's XEP-0198 hibernation (and so the room's unavailable) starts there. Two stacks run
// side by side, nginx -> server and nginx -> boshtap -> server; in each, three participants
// leave a room at the same moment, one per way a connection ends, and an observer in the room
// times the server's unavailable for each. boshtap's times must equal the baseline's.
//
//   run-ws-ending.js --boshtap BIN [--server prosody|ejabberd] [--keep]
const fs = require('node:fs');
const path = require('node:path');
const { startStack } = require('./lib/stack');
const { parseArgs, runMain } = require('./lib/cli');

const SCENARIO = path.resolve(__dirname, '..', 'scenario');
const { Participant } = require(path.join(SCENARIO, 'lib', 'participant'));
const wsShim = require(path.join(SCENARIO, 'lib', 'ws-shim'));
const { makeRng } = require(path.join(SCENARIO, 'lib', 'rng'));

// How the connection ends (ws-shim.js), as the client's side of nginx sees it.
const ENDINGS = {
  reset: (id) => wsShim.dropClient(id), // the network goes: TCP reset, no close frame
  fin: (id) => wsShim.endClient(id), // the process exits: TCP FIN, no close frame
  close_frame: (id) => wsShim.closeClient(id, 1001), // the tab closes: close frame, no <close/>
};
// Both times come from one clock, the same way; a scheduling hiccup is well under this.
const TOLERANCE_S = 1.5;

const args = parseArgs(process.argv.slice(2), { flags: ['keep'] });
const stacks = [];
let failed = true;

// One stack's run: seconds from the ending to the observer's copy of each unavailable.
async function timeEndings(stack) {
  const env = { boshUrl: stack.boshUrl, wsUrl: stack.wsUrl, domain: stack.domain, muc: stack.muc, settings: stack.settings };
  const ctx = { env, truth: { join() {}, leave() {}, nickChange() {} }, rng: makeRng(7), wireDir: null, log: () => {} };
  const observer = new Participant('Observer', 'websocket', ctx);
  const leavers = Object.keys(ENDINGS).map((how) => ({ how, p: new Participant(`Leaver-${how}`, 'websocket', ctx) }));
  for (const x of [observer, ...leavers.map((l) => l.p)]) await x.connect();
  await observer.join('ending', 'Observer');
  for (const l of leavers) await l.p.join('ending', l.how);
  const limit = (stack.settings.hibernation + 20) * 1000;
  const seen = leavers.map(({ p }) => {
    const full = `${p.room.jid}/${p.room.resource}`;
    return observer._await((x) => x.getAttribute('from') === full && x.getAttribute('type') === 'unavailable', `${full} unavailable`, limit);
  });
  const t0 = Date.now();
  for (const l of leavers) {
    ENDINGS[l.how](l.p.clientId);
    l.p._stopConn();
  }
  const times = {};
  await Promise.all(seen.map((w, i) => w.then(() => { times[leavers[i].how] = (Date.now() - t0) / 1000; })));
  return times;
}

async function main() {
  let boshtap = args.boshtap || process.env.BOSHTAP_BIN;
  if (!boshtap) throw new Error('no boshtap binary: pass --boshtap BIN or set BOSHTAP_BIN');
  boshtap = path.resolve(boshtap);
  const server = args.server || 'prosody';
  const [base, through] = await Promise.all([
    startStack({ server, tap: false }),
    startStack({ server, boshtap, tap: false }),
  ]);
  stacks.push(base, through);
  console.log(`stacks: nginx -> ${server} in ${base.dir}; nginx -> boshtap -> ${server} in ${through.dir}`);
  const [tBase, tThrough] = await Promise.all([timeEndings(base), timeEndings(through)]);
  const hibernation = through.settings.hibernation;
  let bad = 0;
  console.log(`server's unavailable, seconds after the ending (hibernation ${hibernation} s):`);
  console.log('ending        nginx->server  nginx->boshtap->server');
  for (const how of Object.keys(ENDINGS)) {
    const late = tThrough[how] - tBase[how];
    const ok = late <= TOLERANCE_S;
    if (!ok) bad++;
    console.log(`${how.padEnd(12)}  ${tBase[how].toFixed(2).padStart(13)}  ${tThrough[how].toFixed(2).padStart(22)}${ok ? '' : `  LATE by ${late.toFixed(2)} s`}`);
  }
  failed = bad > 0;
  if (failed) for (const s of stacks) s.printLogTails();
  console.log(`result: ${failed ? `FAILED (${bad} ending(s) reached the server late through boshtap)` : 'ok'}`);
  return failed ? 1 : 0;
}

runMain(main, async () => {
  for (const s of stacks) {
    await s.stop();
    if (failed || args.keep) console.error(`kept ${s.dir}`);
    else fs.rmSync(s.dir, { recursive: true, force: true });
  }
});
