#!/usr/bin/env node
'use strict';
// Checks boshtap's event log against the ground truth a scenario run recorded.
//   check.js --log events.jsonl --truth truth.jsonl [--json report.json]
// Prints one table row per difference (missing, duplicated, spurious, wrong nick / old_nick /
// source / reason, late, unbalanced, unparseable) and exits 1 if there is any.
const fs = require('node:fs');
const { compare } = require('./lib/compare');
const { compareAcrossRestart } = require('./lib/lifetimes');

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

// Every line must be exactly one JSON object.
function readJsonLines(file, findings) {
  const events = [];
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else if (text.length) findings.push({ problem: 'unparseable', got: `${file}: last line has no newline` });
  lines.forEach((line, i) => {
    let v;
    try { v = JSON.parse(line); } catch (e) { findings.push({ problem: 'unparseable', got: `${file}:${i + 1}: ${e.message}` }); return; }
    if (!v || typeof v !== 'object' || Array.isArray(v)) { findings.push({ problem: 'unparseable', got: `${file}:${i + 1}: not an object` }); return; }
    const ts = v.ts ?? v.time ?? v.timestamp;
    if (typeof ts === 'string' && !Number.isNaN(Date.parse(ts))) v._t = Date.parse(ts) / 1000;
    events.push(v);
  });
  return events;
}

function table(rows, cols) {
  const cell = (r, c) => String(r[c] ?? '').replace(/\n/g, '\\n');
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => [...cell(r, c)].length)));
  const line = (vals) => vals.map((v, i) => v + ' '.repeat(Math.max(0, width[i] - [...v].length))).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r, c))))].join('\n');
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.log || !args.truth) { console.error('usage: check.js --log FILE --truth FILE [--json FILE]'); return 2; }
  const findings = [];
  const log = fs.existsSync(args.log) ? readJsonLines(args.log, findings) : (findings.push({ problem: 'missing log', got: args.log }), []);
  const records = readJsonLines(args.truth, []);
  const truth = records.filter((r) => !r.marker);
  if (records.some((r) => r.marker && r.event === 'restart')) {
    // Two boshtap processes wrote this log (lib/lifetimes.js).
    const { findings: f, stats, marker } = compareAcrossRestart(records, log);
    findings.push(...f);
    console.log(`restart: first process stopped ${new Date(marker.stopped * 1000).toISOString()}, second started ${new Date(marker.started * 1000).toISOString()}`);
    console.log(`restart: ${stats.carried} occupants carried across; participants picked up again: ${stats.pickedUpSelf} self, ${stats.pickedUpObserved} observed, ${stats.notPickedUp} not (did nothing visible)`);
  } else {
    findings.push(...compare(truth, log));
  }
  const counts = (evs) => ['join', 'nick_change', 'leave'].map((k) => `${evs.filter((e) => e.event === k).length} ${k}`).join(', ');
  console.log(`expected: ${counts(truth)}`);
  console.log(`logged:   ${counts(log)}`);
  if (args.json) fs.writeFileSync(args.json, JSON.stringify({ findings, expected: truth.length, logged: log.length }, null, 1));
  if (!findings.length) {
    console.log('event log matches the ground truth');
    return 0;
  }
  const rows = findings.map((f) => ({ ...f, room: (f.room || '').split('@')[0], expected: f.expected ?? '', got: f.got ?? '' }));
  const cols = ['problem', 'room', 'occupant', 'event', 'expected', 'got'];
  console.log(table(rows, findings.some((f) => f.lifetime) ? ['lifetime', ...cols] : cols));
  const byProblem = {};
  for (const f of findings) byProblem[f.problem] = (byProblem[f.problem] || 0) + 1;
  console.log(`\n${findings.length} difference(s): ${Object.entries(byProblem).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  return 1;
}

process.exitCode = main();
