'use strict';
// Disk full: the event log on a 256 KiB tmpfs that a filler file fills up. Forwarding must not
// notice (same status, similar latency); events are counted as dropped and /healthz says so;
// when the filler goes, writing resumes; every line in the file is whole, and every expected
// event is either in the file or counted as dropped (the log is honest about its gaps).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { runTest } = require('./lib/run-test');
const { FakeXmpp } = require('./lib/fake-xmpp');
const { startBoshtap, readLogs, waitFor, compareWithTruth } = require('./lib/boshtap');
const { visits, latencySummary, fmtLatency } = require('./lib/traffic');

function fill(file) {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(4096, 0x61);
  let bytes = 0;
  try {
    for (;;) bytes += fs.writeSync(fd, chunk);
  } catch (e) {
    if (e.code !== 'ENOSPC') throw e;
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

runTest('disk-full', async (t) => {
  const mnt = path.join(t.dir, 'small');
  fs.mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { stdio: 'pipe' });
  } catch (e) {
    t.skip(`cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN): ${String(e.stderr || e.message).trim()}`);
  }
  t.onCleanup(() => execFileSync('umount', ['-l', mnt]));
  // Runs before the unmount: a failed run keeps a copy of the log.
  t.onCleanup(() => fs.cpSync(path.join(mnt, 'log'), path.join(t.dir, 'log-copy'), { recursive: true }));

  const fake = new FakeXmpp({ observers: 3 });
  await fake.listen();
  t.onCleanup(() => fake.close());
  const logDir = path.join(mnt, 'log');
  const bt = await startBoshtap(t.procs, { binary: t.binary, dir: t.dir, upstreamPort: fake.port, logFile: path.join(logDir, 'events.jsonl') });
  const truth = [];
  const phase = async (label, count) => {
    const v = await visits(bt.port, count, { parallel: 4, observers: 3 });
    truth.push(...v.truth);
    const bad = v.results.filter((r) => r.status !== 200);
    assert.deepEqual(bad, [], `${label}: every request is forwarded`);
    const lat = latencySummary(v.results);
    t.log(`${label}: ${count} visits, ${v.truth.length} events expected; latency ${fmtLatency(lat)}`);
    return lat;
  };

  const base = await phase('disk has room', 40);
  // (the auditor's liveness check needs its first 1 s tick)
  await waitFor('/healthz ok', async () => (await bt.healthz()).http === 200, 5000, 100);

  const filler = path.join(mnt, 'filler');
  t.log(`filler: ${fill(filler)} bytes until ENOSPC`);
  const full = await phase('disk full', 100);
  // The auditor writes a moment after the responses have left (much later when the machine is
  // busy): read the counters once it has taken every event so far.
  const m1 = await waitFor('every event so far written or counted as dropped', async () => {
    const m = await bt.metrics();
    return m.boshtap_log_lines_total + m.boshtap_dropped_events_total >= truth.length && m;
  }, 10000, 50);
  const h1 = await bt.healthz();
  t.log(`while full: dropped=${m1.boshtap_dropped_events_total} written=${m1.boshtap_log_lines_total} writable=${m1.boshtap_log_writable} healthz=${h1.http} ${JSON.stringify(h1.checks)}`);
  assert.ok(m1.boshtap_dropped_events_total > 0, 'events counted as dropped');
  assert.equal(m1.boshtap_log_writable, 0);
  assert.equal(h1.http, 503);
  assert.equal(h1.checks.event_log, 'write failing');
  // Forwarding does not wait for the disk: within 2x of the baseline median (+5 ms for noise).
  assert.ok(full.p50 <= 2 * base.p50 + 5, `p50 ${full.p50} ms vs ${base.p50} ms before`);

  fs.rmSync(filler);
  await phase('space back', 20);
  // The auditor writes a moment after the last response has left (later still under ASan):
  // compare the file with the counters once every expected event is written or dropped.
  const m2 = await waitFor('every event written or counted as dropped', async () => {
    const m = await bt.metrics();
    return m.boshtap_log_lines_total + m.boshtap_dropped_events_total >= truth.length && m;
  }, 10000, 50);
  const h2 = await waitFor('/healthz ok', async () => { const h = await bt.healthz(); return h.http === 200 && h; });
  t.log(`after: dropped=${m2.boshtap_dropped_events_total} written=${m2.boshtap_log_lines_total} writable=${m2.boshtap_log_writable} healthz=${h2.http}`);
  assert.equal(m2.boshtap_log_writable, 1);
  assert.ok(m2.boshtap_log_lines_total > m1.boshtap_log_lines_total, 'writing resumed');

  const log = readLogs(logDir);
  assert.deepEqual(log.torn, [], 'no torn line');
  const { missing, duplicated } = compareWithTruth(truth, log.events);
  assert.deepEqual(duplicated, []);
  t.log(`file: ${log.events.length} lines; expected ${truth.length}; missing ${missing.length}; counters: written ${m2.boshtap_log_lines_total} dropped ${m2.boshtap_dropped_events_total}`);
  // Honest: the file holds exactly what boshtap says it wrote, and every gap is counted.
  assert.equal(log.events.length, m2.boshtap_log_lines_total);
  assert.equal(missing.length, m2.boshtap_dropped_events_total);
  // The events after space came back are all there.
  assert.equal(log.events.length + m2.boshtap_dropped_events_total, truth.length);

  await t.procs.stop(bt.proc, 15000);
  assert.equal(bt.proc.code, 0);

  // A full disk is reported rate-limited (docs/configuration.md: once a minute with a count),
  // not once or twice per event: the journal may be on the same full disk.
  const complaints = bt.stderr().split('\n').filter((l) => /event log .*(write failed|writing again)/.test(l)).length;
  t.log(`stderr lines about the event log while full: ${complaints}`);
  assert.ok(complaints <= 4, `${complaints} stderr lines about the full disk for ${m1.boshtap_dropped_events_total} dropped events`);
});
