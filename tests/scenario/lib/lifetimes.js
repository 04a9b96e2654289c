'use strict';
// Checking a log written by two boshtap processes (the first stopped with SIGTERM in the middle
// of a run, the second started on the same port and log file). The truth's `restart` marker
// says when the first stopped and the second started; log lines are split at the start.
//
// First lifetime: exactly the truth up to the stop, plus a `shutdown` leave for every occupant
// still in a room then (the first process closes what it has open when it stops gracefully).
// The driver holds moves back around the restart, so nothing is in flight at that moment.
//
// Second lifetime: occupants that join after the restart on connections opened after it are
// checked exactly. The others — *carried* (in a room across the restart), joins on connections
// opened before it, and plain-TCP participants (the new process may not have a proxied member
// in their room yet) — are picked up when the new process first sees them, which varies:
//   * a join whose source is `self` or `observed` (a phone: `observed`), with a name the
//     occupant had at some point after the restart;
//   * nick changes only as the participant made them, in order; once picked up (and until an
//     `unobserved` leave) none may be missed;
//   * a balanced sequence; every leave but the last says `unobserved` (seen only by others who
//     all went); the last has a reason allowed for how it really left, or `unobserved`;
//   * a carried participant that renamed itself after the restart must have been picked up
//     (its own echo carries status 110 on its own connection).
const { compare, balanceProblems, describe } = require('./compare');

const keyOf = (e) => `${e.room}\u0000${e.occupant}`;
const PICKUP_SLACK = 1; // s: a change this close to the pickup may be folded into the join

// Occupants open at the end of `events` (truth order), with their current nick.
function openAt(events) {
  const open = new Map();
  for (const e of events) {
    const k = keyOf(e);
    if (e.event === 'join') open.set(k, { room: e.room, occupant: e.occupant, nick: e.nick, source: e.source });
    else if (e.event === 'nick_change' && open.has(k)) open.get(k).nick = e.nick;
    else if (e.event === 'leave') open.delete(k);
  }
  return open;
}

function group(events) {
  const m = new Map();
  for (const e of events) {
    const k = keyOf(e);
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(e);
  }
  return m;
}

function checkPickedUp(k, truthSeq, logSeq, carried, phone) {
  const out = [];
  const where = (e) => ({ room: e.room, occupant: e.occupant, event: e.event });
  const names = new Set(truthSeq.filter((e) => e.event !== 'leave').map((e) => e.nick ?? null));
  if (carried) names.add(carried.nick ?? null);
  const changes = truthSeq.filter((e) => e.event === 'nick_change');
  // After the restart an occupant may leave and come back (a breakout move and its return):
  // a logged leave may carry the reason of any of its real leaves since, or `unobserved`.
  const leaveReasons = [...new Set([...truthSeq.filter((e) => e.event === 'leave').flatMap((e) => [].concat(e.reason)), 'unobserved'])];
  for (const b of balanceProblems(logSeq)) out.push({ problem: b.problem, got: b.got, ...where(b.at) });

  let next = 0; // next truth change a logged change may match
  let watchedSince = null; // time of the current cycle's join
  let observedCycle = false; // seen only in others' streams: un-naming is invisible
  const mustMatch = (upTo) => {
    for (; next < changes.length && changes[next].t < upTo; next++) {
      if (observedCycle && changes[next].nick == null) continue;
      if (watchedSince !== null && changes[next].t > watchedSince + PICKUP_SLACK) {
        out.push({ problem: 'missing', expected: describe(changes[next]), ...where(changes[next]) });
      }
    }
  };
  logSeq.forEach((e) => {
    if (e.event === 'join') {
      mustMatch(e._t);
      watchedSince = e._t;
      observedCycle = e.source === 'observed';
      const sources = phone ? ['observed'] : ['self', 'observed'];
      if (!sources.includes(e.source)) out.push({ problem: 'wrong source', expected: sources.join('|'), got: e.source, ...where(e) });
      if (!names.has(e.nick ?? null)) out.push({ problem: 'wrong nick', expected: [...names].map((n) => JSON.stringify(n)).join('|'), got: e.nick, ...where(e) });
    } else if (e.event === 'nick_change') {
      // In an observed cycle the old name may be one the participant cleared unseen.
      const j = changes.findIndex((c, x) => x >= next && (c.nick ?? null) === (e.nick ?? null) && (observedCycle || (c.old_nick ?? null) === (e.old_nick ?? null)));
      if (j < 0) { out.push({ problem: 'spurious', got: describe(e), ...where(e) }); return; }
      mustMatch(changes[j].t);
      next = j + 1;
    } else if (e.event === 'leave') {
      const allowed = leaveReasons;
      if (!allowed.includes(e.reason)) out.push({ problem: 'wrong reason', expected: allowed.join('|'), got: e.reason, ...where(e) });
      mustMatch(e._t);
      watchedSince = null;
    }
  });
  if (!logSeq.length && carried && !phone && changes.length) {
    out.push({ problem: 'missing', expected: `pick-up after the restart (renamed itself ${changes.length}x)`, room: carried.room, occupant: carried.occupant, event: 'join' });
  }
  return out;
}

// truth: records incl. the restart marker; log: parsed lines with _t. Returns { findings, stats }.
function compareAcrossRestart(truth, log) {
  const marker = truth.find((r) => r.marker && r.event === 'restart');
  const events = truth.filter((r) => !r.marker);
  const before = events.filter((e) => e.t < marker.stopped);
  const after = events.filter((e) => e.t >= marker.stopped);
  const log1 = log.filter((e) => !(e._t >= marker.started));
  const log2 = log.filter((e) => e._t >= marker.started);

  const carried = openAt(before);
  const expected1 = [...before];
  for (const o of carried.values()) expected1.push({ event: 'leave', room: o.room, occupant: o.occupant, nick: o.nick, reason: ['shutdown'] });
  const findings = compare(expected1, log1).map((f) => ({ lifetime: 1, ...f }));

  const t2 = group(after);
  const l2 = group(log2);
  const phones = new Set(events.filter((e) => e.event === 'join' && e.source === 'observed').map(keyOf));
  // Connections opened before the restart: the new process never saw their BOSH session
  // created (it ignores such sessions) or their WebSocket bind, so what they do next (e.g. a
  // breakout move) is known to it only from others' streams.
  const carriedConns = new Set(before.map((e) => e.by).filter(Boolean));
  const byCarriedConn = [...t2.keys()].filter((k) => t2.get(k).some((e) => carriedConns.has(e.by)));
  const relaxed = new Set([...carried.keys(), ...[...t2.keys()].filter((k) => phones.has(k)), ...byCarriedConn]);
  const exactTruth = after.filter((e) => !relaxed.has(keyOf(e)));
  const exactLog = log2.filter((e) => !relaxed.has(keyOf(e)));
  findings.push(...compare(exactTruth, exactLog).map((f) => ({ lifetime: 2, ...f })));
  const stats = { carried: carried.size, pickedUpSelf: 0, pickedUpObserved: 0, notPickedUp: 0 };
  for (const k of relaxed) {
    const logSeq = l2.get(k) || [];
    const c = carried.get(k);
    const isPhone = phones.has(k);
    if (!isPhone && c) {
      const j = logSeq.find((e) => e.event === 'join');
      if (!j) stats.notPickedUp++;
      else if (j.source === 'self') stats.pickedUpSelf++;
      else stats.pickedUpObserved++;
    }
    findings.push(...checkPickedUp(k, t2.get(k) || [], logSeq, c, isPhone).map((f) => ({ lifetime: 2, ...f })));
  }
  // Lines for an occupant gone before the restart are in exactLog with no truth: spurious.
  return { findings, stats, marker };
}

module.exports = { compareAcrossRestart, openAt };
