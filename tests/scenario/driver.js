#!/usr/bin/env node
'use strict';
// Runs simulated Jitsi Meet participants against a BOSH/WebSocket URL and writes the ground
// truth of the audit events they caused (truth.js) plus, per client connection, every byte
// sent and received (wire.js).
//
//   driver.js [--mode scripted|random|demo] [--transport bosh|websocket|mixed] [--no-resume]
//             [--seed N] [--participants N] [--duration SECONDS] [--rooms N]
//             [--phones N] [--wave N] [--pace X] [--exclude-moves a,b] [--restart-at SECONDS]
//             [--truth FILE] [--wire DIR] [--bosh-url URL] [--ws-url URL] [--c2s-port N]
//             [--domain D] [--muc M] [--server NAME]
//
// URLs and domains default to the SCENARIO_* variables the integration harness exports.
// --phones: plain-TCP participants on the server's c2s port (random mode; scripted has two).
// --pace: random mode; multiplies the idle time between a participant's actions (0.5-6 s at 1).
// --restart-at: random mode; the parent (run-restart.js, over IPC) restarts boshtap then.
// Exits 0 once every event it caused may have reached the log (timer deadlines included).
const fs = require('node:fs');
const { Participant } = require('./lib/participant');
const { Phone } = require('./lib/phone');
const { restartPoint } = require('./lib/restart-point');
const { Truth } = require('./lib/truth');
const { makeRng } = require('./lib/rng');
const { scripted } = require('./scenarios/scripted');
const { randomWalk } = require('./scenarios/random');
const { demo } = require('./scenarios/demo');

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    if (['--no-resume', '--quiet'].includes(a)) out[a.slice(2)] = true;
    else out[a.slice(2)] = argv[++i];
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const settings = { boshWait: 60, boshInactivity: 60, silenceMargin: 30, resumeWindow: 90, hibernation: 60,
    ...JSON.parse(process.env.SCENARIO_SETTINGS || '{}') };
  const env = {
    boshUrl: args['bosh-url'] || process.env.SCENARIO_BOSH_URL,
    wsUrl: args['ws-url'] || process.env.SCENARIO_WS_URL,
    c2sPort: Number(args['c2s-port'] || process.env.SCENARIO_C2S_PORT || 0),
    domain: args.domain || process.env.SCENARIO_DOMAIN || 'meet.jitsi',
    muc: args.muc || process.env.SCENARIO_MUC || 'conference.meet.jitsi',
    server: args.server || process.env.SCENARIO_SERVER || 'other',
    settings,
  };
  const mode = args.mode || 'scripted';
  const transport = args.transport || 'bosh';
  const seed = Number(args.seed ?? Date.now() % 1e9);
  if (!env.boshUrl && transport !== 'websocket') throw new Error('no BOSH URL (--bosh-url or SCENARIO_BOSH_URL)');
  if (!env.wsUrl && transport !== 'bosh') throw new Error('no WebSocket URL (--ws-url or SCENARIO_WS_URL)');
  if (args.wire) fs.mkdirSync(args.wire, { recursive: true });

  const rng = makeRng(seed);
  const truth = new Truth(args.truth);
  const t0 = Date.now();
  const log = args.quiet ? () => {} : (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(2).padStart(7)}] ${msg}`);
  // Room names are tagged per run: a server remembers abrupt occupants for a while.
  const tag = rng.hex(6);
  const roomCount = Number(args.rooms || (mode === 'scripted' ? 3 : 2));
  const rooms = Array.from({ length: roomCount }, (_, i) => `scenario-${tag}-${i + 1}`);
  const ctx = { env, truth, rng, wireDir: args.wire, log };
  const participants = [];
  const make = (name, t = transport, r = rng) => {
    const p = new Participant(name, t, { ...ctx, rng: r });
    participants.push(p);
    return p;
  };
  const makePhone = (name, r = rng) => new Phone(name, { ...ctx, rng: r });
  const forkRng = (i) => makeRng((seed * 7919 + i * 104729) >>> 0);
  log(`${mode} run, transport ${transport}, seed ${seed}, rooms ${rooms.join(' ')}`);

  const waitForDeadline = async () => {
    const wait = truth.deadline() - Date.now() / 1000;
    if (wait > 0) {
      log(`waiting ${wait.toFixed(1)} s for timer-driven leaves to become due`);
      await sleep(wait * 1000);
    }
  };

  if (mode === 'scripted') {
    await scripted({ make, makePhone, rooms, transport, resume: !args['no-resume'], sleep, settings, phones: Boolean(env.c2sPort) });
  } else if (mode === 'demo') {
    await demo({ make, rooms, sleep });
  } else if (mode === 'random') {
    const restart = args['restart-at'] ? restartPoint({ at: Number(args['restart-at']), truth, waitForDeadline, log, sleep, participants: () => participants }) : null;
    const run = await randomWalk({ make, makePhone, rooms, transport, resume: !args['no-resume'], sleep, rng, forkRng,
      participants: Number(args.participants || 10), duration: Number(args.duration || 60),
      phones: Number(args.phones || 0), wave: Number(args.wave || 6), pace: Number(args.pace || 1),
      excludeMoves: args['exclude-moves'] ? args['exclude-moves'].split(',') : [],
      hold: restart ? restart.hold : undefined });
    if (restart) await restart.done;
    await run.finish(waitForDeadline);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }

  await waitForDeadline();
  truth.close();
  log(`done: ${truth.records.length} expected events`);
}

main().then(() => process.exit(0), (e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
