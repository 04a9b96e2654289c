'use strict';
// The soak's verdict and the figures docs/accuracy.md quotes.
const fs = require('node:fs');

// What failed, one line each (empty: the soak passed).
function verdict(r) {
  const t = r.totals;
  const c = r.balance.counts;
  const fails = [];
  if (r.driverCode !== 0) fails.push(`driver exited ${r.driverCode}`);
  if (!r.btUsage) return r.driverCode === 0 && r.tsungCode === 0 ? [] : [`driver exited ${r.driverCode}, tsung exited ${r.tsungCode} (bypass)`];
  if (r.check.code !== 0) fails.push(`event check: ${r.check.differences ?? '?'} difference(s)`);
  if (r.unparseable) fails.push(`${r.unparseable} unparseable log line(s)`);
  if (r.tsungCode !== 0) fails.push(`tsung exited ${r.tsungCode}`);
  if (r.balance.problems.length) fails.push(`${r.balance.problems.length} balance problem(s) in tsung's rooms`);
  // What boshtap logged for tsung's rooms against what tsung counted itself. tsung's BOSH client
  // sometimes waits for an ack that never comes: the same users do so without boshtap
  // (`--bypass`, same seed). Such a user keeps polling, then is ended by the error (counted as
  // finished): its session goes silent and boshtap logs `timeout`. A user still waiting when
  // tsung's load ends is in the room when boshtap stops: `shutdown`.
  const errors = Object.entries(t).filter(([k]) => k.startsWith('error')).reduce((a, [, v]) => a + v, 0);
  const reason = (k) => c.leaveReasons[k] || 0;
  const counts = [
    ['joins = muc_join transactions', c.join, t.tr_muc_join],
    ['joins = users started', c.join, t.users_count],
    ['display names = display_name transactions', c.display_name, t.tr_display_name],
    ['303 renames = muc_nick transactions', c.renamed_303, t.tr_muc_nick],
    // tsung's nickname-change presence has no <nick>: its own echo clears the name (event rules).
    ['names cleared = muc_nick transactions', c.name_cleared, t.tr_muc_nick],
    // `terminated` only when tsung's close overtook its exit's echo (allowed by the rules).
    ['`left`/`terminated` leaves = users finished without an error', reason('left') + reason('terminated'), t.finish_users_count - errors],
    ['`timeout` leaves = users ended by an error', reason('timeout'), errors],
    ['`shutdown` leaves = users still running at the end', reason('shutdown'), t.users_count - t.finish_users_count],
    ['leaves = joins', c.leave, c.join],
  ];
  for (const [what, a, b] of counts) if (a !== b) fails.push(`tsung count mismatch: ${what} (${a} vs ${b})`);
  return fails;
}

function printSummary(r, fails) {
  const t = r.totals;
  const c = r.balance.counts;

  const mib = (kb) => (kb / 1024).toFixed(1);
  console.log('\n===== soak summary =====');
  console.log(`run:        seed ${r.seed}, ${r.seconds} s of moves at pace ${r.pace}, ${r.wall.toFixed(0)} s wall in all`);
  console.log(`driver:     ${r.participants} participants + ${r.phones} phones in ${r.rooms} rooms; ${r.expected} events expected; ` +
    `${r.check.differences ?? 'not checked'} difference(s) (${r.checkOut})`);
  console.log(`tsung:      ${t.users_count ?? '?'} users started, ${t.finish_users_count ?? '?'} finished; transactions: muc_join ${t.tr_muc_join ?? '?'}, ` +
    `display_name ${t.tr_display_name ?? '?'}, muc_nick ${t.tr_muc_nick ?? '?'}, muc_exit ${t.tr_muc_exit ?? '?'}; ` +
    `errors: ${Object.entries(t).filter(([k]) => k.startsWith('error')).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  console.log(`tsung log:  ${c.join} joins, ${c.display_name} display names set, ${c.renamed_303} 303 renames, ${c.name_cleared} names cleared, ${c.leave} leaves ` +
    `(${Object.entries(c.leaveReasons).map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}); ${r.balance.problems.length} balance problem(s)`);
  for (const p of r.balance.problems.slice(0, 10)) console.log(`            ${p.problem}: ${p.occupant}`);
  if (r.btUsage) console.log(`boshtap:    ${r.btUsage.cpu.toFixed(1)} CPU s (${(100 * r.btUsage.cpu / r.wall).toFixed(1)}% of one core on average), peak RSS ${r.btUsage.peakRssKb === null ? '?' : mib(r.btUsage.peakRssKb)} MiB`);
  console.log('processes:  name       CPU s  avg %  peak %  peak RSS MiB');
  for (const [name, s] of r.usage) {
    console.log(`            ${name.padEnd(9)} ${s.cpu.toFixed(1).padStart(6)} ${(100 * s.cpu / r.wall).toFixed(0).padStart(6)} ${(100 * s.peakShare).toFixed(0).padStart(7)}  ${mib(s.peakRssKb).padStart(12)}`);
  }
  const cores = require('node:os').cpus().length;
  const clients = ['driver', 'tsung'].map((n) => r.usage.get(n)).filter(Boolean);
  const saturated = ['driver', 'tsung', 'prosody'].filter((n) => r.usage.get(n) && r.usage.get(n).peakShare >= 0.9);
  console.log(`machine:    ${cores} core(s); clients used ${clients.reduce((s, x) => s + x.cpu, 0).toFixed(1)} CPU s` +
    (saturated.length ? `; ${saturated.join(', ')} reached a full core at peak (the load is bounded there, not by boshtap)` : ''));
  console.log(fails.length ? `result: FAILED\n  ${fails.join('\n  ')}` : 'result: ok');
  if (r.check.code !== 0 && fs.existsSync(r.checkOut)) console.log(fs.readFileSync(r.checkOut, 'utf8').split('\n').slice(-40).join('\n'));
}

module.exports = { verdict, printSummary };
