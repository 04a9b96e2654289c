'use strict';
// Compares boshtap's event log with the ground truth, occupant by occupant.
// Within one (room, occupant) the two sequences are aligned like an edit distance: a log event
// matches a truth event of the same kind (a field difference is cheaper than a miss, so a
// wrong nick is reported as such, not as missing + spurious), a truth event left over is
// missing, a log event left over is spurious (duplicated when it repeats its predecessor).
const LATE_SLACK = 2; // seconds past t_max before an event counts as late

const keyOf = (e) => `${e.room}\u0000${e.occupant}`;
const same = (a, b) => (a ?? null) === (b ?? null);

// Field differences of a log event against the truth event it is matched with.
function diffs(truth, got) {
  const out = [];
  if (!same(truth.nick, got.nick)) out.push({ problem: 'wrong nick', expected: truth.nick, got: got.nick });
  if (truth.event === 'join' && truth.source !== got.source) out.push({ problem: 'wrong source', expected: truth.source, got: got.source });
  if (truth.event === 'nick_change' && !same(truth.old_nick, got.old_nick)) out.push({ problem: 'wrong old_nick', expected: truth.old_nick, got: got.old_nick });
  if (truth.event === 'leave') {
    const allowed = Array.isArray(truth.reason) ? truth.reason : [truth.reason];
    if (!allowed.includes(got.reason)) out.push({ problem: 'wrong reason', expected: allowed.join('|'), got: got.reason });
  }
  if (truth.t_max && got._t && got._t > truth.t_max + LATE_SLACK) {
    out.push({ problem: 'late', expected: `by +${(truth.t_max - truth.t).toFixed(1)} s`, got: `+${(got._t - truth.t).toFixed(1)} s` });
  }
  return out;
}

function align(truth, log) {
  const n = truth.length;
  const m = log.length;
  const cost = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
  for (let i = 0; i <= n; i++) cost[i][0] = i;
  for (let j = 0; j <= m; j++) cost[0][j] = j;
  const pair = (i, j) => (truth[i].event !== log[j].event ? Infinity : diffs(truth[i], log[j]).length ? 0.5 : 0);
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      cost[i][j] = Math.min(cost[i - 1][j] + 1, cost[i][j - 1] + 1, cost[i - 1][j - 1] + pair(i - 1, j - 1));
    }
  }
  const steps = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && cost[i][j] === cost[i - 1][j - 1] + pair(i - 1, j - 1)) { steps.push({ truth: truth[--i], got: log[--j] }); }
    else if (i > 0 && cost[i][j] === cost[i - 1][j] + 1) steps.push({ truth: truth[--i] });
    else steps.push({ got: log[--j] });
  }
  return steps.reverse();
}

// A log sequence per occupant must be (join nick_change* leave)*.
function balanceProblems(seq) {
  const out = [];
  let open = false;
  for (const e of seq) {
    if (e.event === 'join') { if (open) out.push({ problem: 'unbalanced', got: 'join while already joined', at: e }); open = true; }
    else if (!open) out.push({ problem: 'unbalanced', got: `${e.event} without join`, at: e });
    else if (e.event === 'leave') open = false;
  }
  if (open) out.push({ problem: 'unbalanced', got: 'no leave', at: seq[seq.length - 1] });
  return out;
}

function group(events) {
  const map = new Map();
  for (const e of events) {
    const k = keyOf(e);
    if (!map.has(k)) map.set(k, []);
    map.get(k).push(e);
  }
  return map;
}

// Returns a list of findings: { problem, room, occupant, event, expected, got }.
function compare(truthEvents, logEvents) {
  const findings = [];
  const t = group(truthEvents);
  const l = group(logEvents);
  const add = (f, e) => findings.push({ room: e.room, occupant: e.occupant, event: e.event, ...f });
  for (const k of new Set([...t.keys(), ...l.keys()])) {
    const seq = l.get(k) || [];
    const steps = align(t.get(k) || [], seq);
    // A left-over log event that repeats a neighbour in the log is a duplicate.
    const repeats = (e) => { const j = seq.indexOf(e); return [seq[j - 1], seq[j + 1]].some((x) => x && sameEvent(x, e)); };
    for (const s of steps) {
      if (s.truth && s.got) for (const d of diffs(s.truth, s.got)) add(d, s.got);
      else if (s.truth) add({ problem: 'missing', expected: describe(s.truth) }, s.truth);
      else add({ problem: repeats(s.got) ? 'duplicated' : 'spurious', got: describe(s.got) }, s.got);
    }
    for (const b of balanceProblems(l.get(k) || [])) add({ problem: b.problem, got: b.got }, b.at);
  }
  return findings;
}

function sameEvent(a, b) {
  return a.event === b.event && same(a.nick, b.nick) && same(a.old_nick, b.old_nick) && same(a.reason, b.reason) && same(a.source, b.source);
}

function describe(e) {
  const parts = [e.event, `nick=${JSON.stringify(e.nick ?? null)}`];
  if (e.event === 'nick_change') parts.push(`old=${JSON.stringify(e.old_nick ?? null)}`);
  if (e.event === 'join') parts.push(`source=${e.source}`);
  if (e.event === 'leave') parts.push(`reason=${Array.isArray(e.reason) ? e.reason.join('|') : e.reason}`);
  return parts.join(' ');
}

module.exports = { compare, align, balanceProblems, describe };
