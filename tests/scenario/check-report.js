#!/usr/bin/env node
'use strict';
// Checks `boshtap report` on the event log of a scenario run against the attendance the
// participants caused (the ground truth).
//   check-report.js --boshtap BIN --log events.jsonl --truth truth.jsonl
// For every room: a meeting covers every truth occupant's stay; every display name a truth
// occupant used appears among the report's names for that room; no meeting is left open (the
// run ends with everyone gone); attended time is never negative nor longer than the meeting.
// Exits 1 on any difference.
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

// Per room: each occupant's stay (join .. its leave's deadline) and the names it used.
function truthStays(file) {
  const rooms = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line);
    if (!rooms.has(e.room)) rooms.set(e.room, []);
    const stays = rooms.get(e.room);
    if (e.event === 'join') stays.push({ occupant: e.occupant, join: e.t, leave: null, names: new Set() });
    const stay = stays.findLast((s) => s.occupant === e.occupant);
    if (!stay) continue;
    if (e.nick) stay.names.add(e.nick);
    if (e.event === 'leave') stay.leave = e.t_max ?? e.t;
  }
  return rooms;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const report = JSON.parse(execFileSync(args.boshtap, ['report', '--format', 'json', args.log], { encoding: 'utf8' }));
  const rooms = truthStays(args.truth);
  const problems = [];
  const slack = 2; // seconds: boshtap stamps events when it sees them, the driver when it acts
  const ms = (s) => Date.parse(s) / 1000;

  for (const m of report.meetings) {
    if (m.open) problems.push(`${m.room}: meeting from ${m.start} still open at the end`);
    for (const p of m.participants) {
      if (!(p.attended_s >= 0) || p.attended_s > m.duration_s + 1)
        problems.push(`${m.room}: ${p.names.join(' / ') || '(no name)'} attended ${p.attended_s} s of a ${m.duration_s} s meeting`);
    }
  }
  let stays = 0;
  for (const [room, roomStays] of rooms) {
    const meetings = report.meetings.filter((m) => m.room === room);
    const names = new Set(meetings.flatMap((m) => m.participants.flatMap((p) => p.names)));
    for (const s of roomStays) {
      stays++;
      const covered = meetings.some((m) => ms(m.start) <= s.join + slack &&
        (s.leave === null || ms(m.end) + slack >= Math.min(s.leave, ms(m.end))));
      if (!covered) problems.push(`${room}: no meeting covers ${s.occupant} from ${new Date(s.join * 1000).toISOString()}`);
      for (const n of s.names) if (!names.has(n)) problems.push(`${room}: name ${JSON.stringify(n)} of ${s.occupant} missing from the report`);
    }
  }
  const participants = report.meetings.reduce((n, m) => n + m.participants.length, 0);
  console.log(`report: ${report.meetings.length} meetings, ${participants} participants; truth: ${rooms.size} rooms, ${stays} stays; ${problems.length} differences`);
  for (const p of problems) console.log(`  ${p}`);
  process.exit(problems.length ? 1 : 0);
}

main();
