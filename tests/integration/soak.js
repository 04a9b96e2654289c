#!/usr/bin/env node
'use strict';
// Soak (documented in docs/accuracy.md, not in CI): hundreds of scenario participants and tsung's
// own BOSH users at the same time, for minutes, through nginx -> boshtap -> Prosody.
//
//   soak.js --boshtap BIN [--participants 500] [--minutes 10] [--tsung-users 100] [--seed N]
//           [--rooms N] [--phones N] [--pace 4] [--wave 6] [--tsung-rooms N] [--bosh-wait 20] [--keep]
//   soak.js --bypass ...   the same load with nginx -> Prosody only: does the client side cope
//                          without boshtap? (nothing is checked, usage is still printed)
//
// Checks: the driver's participants against their ground truth (check.js, zero differences);
// tsung's occupants (rooms `soak-tsung-N`, no ground truth) balanced in the log and counted
// like tsung counted its users and transactions. Prints CPU and peak RSS per process: on a
// small machine the clients saturate before boshtap does, and the figures show which.
// Prosody only: tsung's BOSH client stalls on ejabberd.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startStack } = require('./lib/stack');
const { parseArgs, runMain } = require('./lib/cli');
const { raiseNginxLimits } = require('./soak/nginx-capacity');
const { startTsung, tsungRunDir } = require('./soak/tsung-run');
const { tsungTotals } = require('./soak/tsung-stats');
const { occupantBalance } = require('./soak/occupant-balance');
const { ROOM_PREFIX } = require('./soak/tsung-config');
const { UsageSampler, groupUsage, peakRssKb } = require('./soak/proc-usage');
const { verdict, printSummary } = require('./soak/summary');

const SCENARIO = path.resolve(__dirname, '..', 'scenario');
const args = parseArgs(process.argv.slice(2), { flags: ['keep', 'bypass'] });
let stack = null;
let failed = true;

const num = (name, dflt) => (args[name] === undefined ? dflt : Number(args[name]));

function readLog(file) {
  const events = [];
  let unparseable = 0;
  if (!fs.existsSync(file)) return { events, unparseable };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try { events.push(JSON.parse(line)); } catch { unparseable++; }
  }
  return { events, unparseable };
}

// check.js on the driver's part of the log; its report goes to a file, its verdict is parsed.
function runCheck(logFile, truth, out) {
  return new Promise((resolve) => {
    const fd = fs.openSync(out, 'w');
    const child = spawn(process.execPath, ['check.js', '--log', logFile, '--truth', truth, '--json', `${out}.json`], { cwd: SCENARIO, stdio: ['ignore', fd, fd] });
    child.on('exit', (code) => {
      fs.closeSync(fd);
      let differences = null;
      try { differences = JSON.parse(fs.readFileSync(`${out}.json`, 'utf8')).findings.length; } catch { /* check.js failed */ }
      resolve({ code, differences });
    });
  });
}

async function main() {
  const boshtap = args.bypass ? null : (args.boshtap || process.env.BOSHTAP_BIN);
  if (!boshtap && !args.bypass) throw new Error('pass --boshtap BIN (or set BOSHTAP_BIN), or --bypass');
  if (!fs.existsSync(path.join(SCENARIO, 'node_modules', 'strophe.js'))) throw new Error(`run "npm ci" in ${SCENARIO} first`);
  const participants = num('participants', 500);
  const seconds = Math.round(num('minutes', 10) * 60);
  const tsungUsers = num('tsung-users', 100);
  const seed = num('seed', Date.now() % 1e9);
  const rooms = num('rooms', Math.max(2, Math.ceil(participants / 20))); // Jitsi-sized meetings
  const phones = num('phones', Math.ceil(participants / 50));
  // A participant acts every 2-24 s (pace 4; 0.5-6 s at pace 1, the CI runs): busier than a real
  // meeting's presence traffic, and what two cores can drive at 500 participants.
  const pace = num('pace', 4);
  const wave = num('wave', 6); // participants joining together, one wave every 1.2 s
  const tsungRooms = num('tsung-rooms', Math.max(1, Math.ceil(tsungUsers / 10)));
  // A tsung user stays a third of the run (at most a minute) and all have started well before
  // the driver stops, so both loads overlap for the whole run.
  const stay = Math.min(60, Math.max(6, Math.round(seconds / 3)));
  const arrival = Math.max(5, seconds - stay - 15);

  raiseNginxLimits();
  const started = Date.now();
  stack = await startStack({ server: 'prosody', boshtap, tap: false, boshWait: num('bosh-wait', 20) });
  console.log(`stack: nginx -> ${boshtap ? 'boshtap -> ' : ''}prosody in ${stack.dir}`);
  console.log(`driver: ${participants} participants (mixed BOSH/WebSocket), ${phones} phones, ${rooms} rooms, ${seconds} s, pace ${pace}, waves of ${wave}, seed ${seed}`);
  console.log(`tsung:  ${tsungUsers} BOSH users arriving over ${arrival} s, ~${stay} s each, ${tsungRooms} rooms`);

  const truth = path.join(stack.dir, 'truth.jsonl');
  const driver = stack.procs.start('driver', process.execPath, ['driver.js', '--mode', 'random', '--transport', 'mixed',
    '--seed', String(seed), '--participants', String(participants), '--duration', String(seconds),
    '--rooms', String(rooms), '--phones', String(phones), '--pace', String(pace), '--wave', String(wave), '--truth', truth], { env: stack.env(), cwd: SCENARIO, log: path.join(stack.dir, 'driver.out') });
  stack.logs.push(driver.log);
  const ts = await startTsung(stack.procs, { runDir: stack.dir, port: Number(new URL(stack.boshUrl).port), domain: stack.domain, muc: stack.muc,
    users: tsungUsers, rooms: tsungRooms, arrivalSeconds: arrival, staySeconds: stay, seed });
  stack.logs.push(ts.tsung.log);

  const byName = (n) => stack.procs.list.filter((p) => p.name === n && !p.exited).pop();
  const watched = ['boshtap', 'prosody', 'nginx', 'driver', 'tsung'];
  const sampler = new UsageSampler(() => watched.map((name) => ({ name, p: byName(name) })).filter((x) => x.p).map(({ name, p }) => ({ name, pid: p.child.pid })));
  const progress = setInterval(() => {
    const bt = byName('boshtap');
    const u = bt ? groupUsage(bt.child.pid) : { cpu: 0, rssKb: 0 };
    console.log(`  +${Math.round((Date.now() - started) / 1000)} s: boshtap ${u.cpu.toFixed(1)} CPU s, ${(u.rssKb / 1024).toFixed(1)} MiB; load ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
  }, 60000);
  progress.unref();

  // A failed driver ends the run: tsung is stopped rather than waited for.
  await Promise.race([ts.tsung.done, driver.done.then(() => { if (driver.code !== 0) return stack.procs.stop(ts.tsung); return ts.tsung.done; })]);
  await Promise.all([driver.done, ts.tsung.done]);
  clearInterval(progress);
  const usage = sampler.stop();
  const bt = byName('boshtap');
  const btUsage = bt ? { ...groupUsage(bt.child.pid), peakRssKb: peakRssKb(bt.child.pid) } : null;
  if (bt) await stack.stopBoshtap(); // graceful: a `shutdown` leave now means an ending boshtap missed
  const wall = (Date.now() - started) / 1000;

  // Split the log: tsung's rooms vs the driver's.
  const { events, unparseable } = readLog(stack.eventLog);
  const isTsung = (e) => String(e.room || '').startsWith(ROOM_PREFIX);
  const driverLog = path.join(stack.dir, 'events.driver.jsonl');
  fs.writeFileSync(driverLog, events.filter((e) => !isTsung(e)).map((e) => JSON.stringify(e) + '\n').join(''));
  const expected = fs.existsSync(truth) ? fs.readFileSync(truth, 'utf8').split('\n').filter((l) => l && !l.includes('"marker":true')).length : 0;
  const check = driver.code === 0 && bt ? await runCheck(driverLog, truth, path.join(stack.dir, 'check.out')) : { code: null, differences: null };

  const tsungDir = tsungRunDir(ts.logDir);
  const totals = tsungDir && fs.existsSync(path.join(tsungDir, 'tsung.log')) ? tsungTotals(path.join(tsungDir, 'tsung.log')) : {};
  const balance = occupantBalance(events.filter(isTsung));

  const result = {
    participants, phones, rooms, seconds, pace, seed, tsungUsers, wall, expected, unparseable,
    driverCode: driver.code, check, checkOut: path.join(stack.dir, 'check.out'),
    tsungCode: ts.tsung.code, totals, balance, btUsage, usage,
  };
  const fails = verdict(result);
  failed = fails.length > 0;
  if (failed) stack.printLogTails();
  printSummary(result, fails);
  return failed ? 1 : 0;
}

runMain(main, async () => {
  if (!stack) return;
  await stack.stop();
  if (failed || args.keep) console.error(`kept ${stack.dir}`);
  else fs.rmSync(stack.dir, { recursive: true, force: true });
});
