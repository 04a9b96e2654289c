#!/usr/bin/env node
'use strict';
// A WebSocket client's end must reach the server as soon as it would without boshtap: the
// server's XEP-0198 hibernation (and so the room's unavailable) starts there. Two stacks run
// side by side, nginx -> server and nginx -> boshtap -> server, each with the server tap in
// front of the server. In each, three participants leave a room at the same moment, one per way
// a connection ends. Per ending the test takes two times:
//   delivered: when the ending (its close frame, or the end of TCP) reached the server, from the
//     tap's records: boshtap's part, and what fails the test if late;
//   unavailable: when an observer in the room got the server's unavailable: the effect a
//     meeting sees, compared too; a server that loses an ending delivered on time is reported.
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

// How the connection ends (ws-shim.js), as the client's side of nginx sees it, and which tap
// record shows that it reached the server.
const ENDINGS = {
  reset: { end: (id) => wsShim.dropClient(id), seen: 'ws-client-end' }, // the network goes
  fin: { end: (id) => wsShim.endClient(id), seen: 'ws-client-end' }, // the process exits
  close_frame: { end: (id) => wsShim.closeClient(id, 1001), seen: 'ws-close' }, // the tab closes
};
// Both stacks are timed on one clock, the same way; a scheduling hiccup is well under these.
const DELIVERY_TOLERANCE_S = 0.5;
const UNAVAILABLE_TOLERANCE_S = 1.5;

const args = parseArgs(process.argv.slice(2), { flags: ['keep'] });
const stacks = [];
let failed = true;

// The tap connection that carried this participant's stream: the one whose server side bound
// its full JID.
function tapConnOf(records, jid) {
  const needle = `<jid>${jid}</jid>`;
  const hit = records.find((r) => r.kind === 'ws' && r.dir === 's2c' && Buffer.from(r.b64, 'base64').toString('utf8').includes(needle));
  return hit ? hit.conn : null;
}

// One stack's run: per ending, seconds from the ending to its delivery and to the unavailable
// (null: not within the limit).
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
    ENDINGS[l.how].end(l.p.clientId);
    l.p._stopConn();
  }
  const out = {};
  await Promise.all(seen.map((w, i) => w.then(() => (Date.now() - t0) / 1000, () => null)
    .then((s) => { out[leavers[i].how] = { unavailable: s }; })));
  const records = fs.readFileSync(stack.tapLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  for (const { how, p } of leavers) {
    const conn = tapConnOf(records, p.conn.jid);
    const rec = records.find((r) => r.conn === conn && r.kind === ENDINGS[how].seen && (r.kind !== 'ws-close' || r.dir === 'c2s'));
    out[how].delivered = rec ? rec.t - t0 / 1000 : null;
  }
  return out;
}

const fmt = (s) => (s === null ? 'never' : s.toFixed(2));

async function main() {
  let boshtap = args.boshtap || process.env.BOSHTAP_BIN;
  if (!boshtap) throw new Error('no boshtap binary: pass --boshtap BIN or set BOSHTAP_BIN');
  boshtap = path.resolve(boshtap);
  const server = args.server || 'prosody';
  const [base, through] = await Promise.all([
    startStack({ server }),
    startStack({ server, boshtap }),
  ]);
  stacks.push(base, through);
  console.log(`stacks: nginx -> ${server} in ${base.dir}; nginx -> boshtap -> ${server} in ${through.dir}`);
  const [tBase, tThrough] = await Promise.all([timeEndings(base), timeEndings(through)]);
  const problems = [];
  const notes = [];
  console.log(`seconds after the ending (server hibernation ${through.settings.hibernation} s):`);
  console.log('ending        delivered: nginx  via boshtap   unavailable: nginx  via boshtap');
  for (const how of Object.keys(ENDINGS)) {
    const b = tBase[how];
    const t = tThrough[how];
    console.log(`${how.padEnd(12)}  ${fmt(b.delivered).padStart(16)}  ${fmt(t.delivered).padStart(11)}  ${fmt(b.unavailable).padStart(18)}  ${fmt(t.unavailable).padStart(11)}`);
    if (b.delivered === null) problems.push(`${how}: the baseline never delivered the ending (harness)`);
    else if (t.delivered === null || t.delivered > b.delivered + DELIVERY_TOLERANCE_S) {
      problems.push(`${how}: the ending reached the server ${t.delivered === null ? 'never' : `${(t.delivered - b.delivered).toFixed(2)} s later`} through boshtap`);
    } else if (b.unavailable !== null && (t.unavailable === null || t.unavailable > b.unavailable + UNAVAILABLE_TOLERANCE_S)) {
      // Delivered on time: what the server made of it is the server's.
      notes.push(`${how}: delivered on time through boshtap, but the server's unavailable came ${t.unavailable === null ? 'never' : `${(t.unavailable - b.unavailable).toFixed(2)} s later`}`);
    }
  }
  for (const n of notes) console.log(`note: ${n}`);
  failed = problems.length > 0;
  if (failed) for (const s of stacks) s.printLogTails();
  console.log(`result: ${failed ? `FAILED\n  ${problems.join('\n  ')}` : 'ok'}`);
  return failed ? 1 : 0;
}

runMain(main, async () => {
  for (const s of stacks) {
    await s.stop();
    if (failed || args.keep) console.error(`kept ${s.dir}`);
    else fs.rmSync(s.dir, { recursive: true, force: true });
  }
});
