'use strict';
// Traffic whose events are known in advance. One "visit" is a BOSH session that joins a room
// (the fake server announces `observers` other occupants with it) and leaves again:
//   observers + 1 joins, 1 leave (left), observers leaves (unobserved: nobody proxied is left to
//   watch them) = 2 * observers + 2 events.
const http = require('node:http');
const { BoshClient } = require('./bosh-client');
const { MUC } = require('./fake-xmpp');

let visitSeq = 0;

async function visit(port, { observers = 0, agent, room } = {}) {
  const n = ++visitSeq;
  const c = new BoshClient(port, { agent });
  const roomName = room || `visit${n}`;
  const resource = `r${n.toString(16).padStart(7, '0')}`;
  const results = [await c.create()];
  if (results[0].status === 200 && c.sid) {
    results.push(await c.join(roomName, resource, `Visitor ${n}`));
    results.push(await c.leave(roomName, resource));
  }
  const jid = `${roomName}@${MUC}`;
  const truth = [`join|${jid}|${resource}`, `leave|${jid}|${resource}`];
  for (let i = 0; i < observers; i++) {
    const occ = `obs-${(c.sid || '').slice(0, 6)}-${i}`;
    truth.push(`join|${jid}|${occ}`, `leave|${jid}|${occ}`);
  }
  return { results, truth };
}

// `count` visits, `parallel` at a time. Returns every request's result and the expected events.
async function visits(port, count, { parallel = 8, observers = 0 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: parallel });
  const results = [];
  const truth = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const v = await visit(port, { observers, agent });
      results.push(...v.results);
      truth.push(...v.truth);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  agent.destroy();
  return { results, truth };
}

function latencySummary(results) {
  const ms = results.filter((r) => r.status).map((r) => r.ms).sort((a, b) => a - b);
  const q = (p) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] ?? NaN;
  return { n: ms.length, p50: q(0.5), p95: q(0.95), max: ms[ms.length - 1] ?? NaN };
}

const fmtLatency = (s) => `n=${s.n} p50=${s.p50.toFixed(2)} ms p95=${s.p95.toFixed(2)} ms max=${s.max.toFixed(2)} ms`;

module.exports = { visit, visits, latencySummary, fmtLatency };
