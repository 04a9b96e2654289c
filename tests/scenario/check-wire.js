#!/usr/bin/env node
'use strict';
// Checks that every client received exactly the bytes the server sent, and the server exactly
// the bytes the clients sent, across everything between them (nginx, boshtap).
//   check-wire.js --wire DIR --tap server-tap.jsonl
// BOSH: each exchange a client completed is found in the server tap by (sid, rid) — the
// session creation, which has no sid yet, by rid alone — and its request body, status and
// response body must be byte-identical. WebSocket: each client socket is paired with the
// server connection whose first server message (the <open/> with its unique stream id) it
// received; the message sequences must be equal in both directions, except that a socket that
// ended abruptly may miss a tail (what was in flight when it dropped).
const fs = require('node:fs');
const path = require('node:path');

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}
const readJsonl = (f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const text = (b64) => (b64 == null ? '(none)' : Buffer.from(b64, 'base64').toString('utf8'));
const short = (s, n = 160) => (s.length > n ? `${s.slice(0, n)}…` : s);
const isPrefix = (a, b) => a.length <= b.length && a.every((x, i) => x === b[i]);

function firstDifference(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

function checkBosh(clientFile, recs, tapHttp, problems) {
  const out = new Map(); // request body by sid/rid, to pair with the response
  let verified = 0;
  for (const r of recs.filter((x) => x.transport === 'bosh')) {
    const key = `${r.sid ?? ''}/${r.rid}`;
    if (r.dir === 'out') { out.set(key, r.b64); continue; }
    if (r.dir !== 'in' || !r.status) continue; // status 0: the client never got an answer
    const candidates = tapHttp.filter((t) => (t.sid ?? '') === (r.sid ?? '') && t.rid === r.rid && t.status !== null);
    const match = candidates.find((t) => t.res_b64 === r.b64 && t.status === r.status && t.req_b64 === out.get(key));
    if (match) { verified++; continue; }
    const t = candidates[0];
    problems.push({
      where: `${path.basename(clientFile)} BOSH sid=${r.sid ?? '(new)'} rid=${r.rid}`,
      what: !t ? 'the server never answered this exchange'
        : t.req_b64 !== out.get(key) ? `request differs: client sent ${short(text(out.get(key)))} / server got ${short(text(t.req_b64))}`
          : t.status !== r.status ? `status differs: client got ${r.status}, server sent ${t.status}`
            : `response differs: client got ${short(text(r.b64))} / server sent ${short(text(t.res_b64))}`,
    });
  }
  return verified;
}

function checkWs(clientFile, recs, tapWs, problems, used) {
  const socks = new Map();
  for (const r of recs.filter((x) => x.transport === 'websocket')) {
    if (!socks.has(r.conn)) socks.set(r.conn, { in: [], out: [], code: null });
    const s = socks.get(r.conn);
    if (r.dir === 'in') s.in.push(r.b64);
    else if (r.dir === 'out') s.out.push(r.b64);
    else if (r.dir === 'closed') s.code = r.code;
  }
  let verified = 0;
  for (const [conn, s] of socks) {
    const where = `${path.basename(clientFile)} WebSocket #${conn}`;
    if (!s.in.length) continue; // never got anything: nothing to compare
    const server = [...tapWs.values()].find((c) => c.s2c[0] === s.in[0]);
    if (!server) { problems.push({ where, what: `no server connection sent its first message ${short(text(s.in[0]))}` }); continue; }
    used.add(server);
    // After a clean close (1000, both <close/>s exchanged) nothing may be missing; otherwise
    // the client may lack what the server sent last, the server what the client sent last.
    const clean = s.code === 1000;
    for (const [dir, client, srv, label] of [['s2c', s.in, server.s2c, 'received'], ['c2s', s.out, server.c2s, 'sent']]) {
      const [shorter, longer] = dir === 's2c' ? [client, srv] : [srv, client];
      // Even in a clean close, an XEP-0198 ack the client sends while the server is already
      // closing (answering the server's last <r/>) may arrive after the server stopped
      // reading: a teardown race between the two ends (nginx -> server has it too), not data
      // lost on the way. Only such trailing <a/> may be missing.
      const trailingAcks = dir === 'c2s' && isPrefix(srv, client) &&
        client.slice(srv.length).every((b) => /^<a [^>]*xmlns=["']urn:xmpp:sm:3["'][^>]*\/>$/.test(text(b)));
      const ok = clean ? (client.length === srv.length && isPrefix(client, srv)) || trailingAcks : isPrefix(shorter, longer);
      if (!ok) {
        const i = firstDifference(client, srv);
        problems.push({ where, what: `message ${i + 1} ${label} differs: client ${short(text(client[i]))} / server ${short(text(srv[i]))} (${client.length} vs ${srv.length} messages)` });
      } else verified += Math.min(client.length, srv.length);
    }
  }
  return verified;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.wire || !args.tap) { console.error('usage: check-wire.js --wire DIR --tap FILE'); return 2; }
  const tap = readJsonl(args.tap);
  const problems = [];
  for (const e of tap.filter((r) => r.kind === 'tap-error')) problems.push({ where: `server tap connection ${e.conn}`, what: e.error });
  const tapHttp = tap.filter((r) => r.kind === 'http');
  const tapWs = new Map();
  // Data a side sends after its own close frame breaks RFC 6455 (ejabberd sends its <close/>
  // after the close frame when the client's close frame came first): nobody can deliver it,
  // so it is not compared.
  for (const r of tap.filter((x) => x.kind === 'ws' || x.kind === 'ws-close')) {
    if (!tapWs.has(r.conn)) tapWs.set(r.conn, { conn: r.conn, s2c: [], c2s: [], closed: {} });
    const c = tapWs.get(r.conn);
    if (r.kind === 'ws-close') c.closed[r.dir] = true;
    else if (!c.closed[r.dir]) c[r.dir].push(r.b64);
  }
  let bosh = 0;
  let ws = 0;
  const used = new Set();
  for (const f of fs.readdirSync(args.wire).filter((n) => n.endsWith('.jsonl')).sort()) {
    const file = path.join(args.wire, f);
    const recs = readJsonl(file);
    bosh += checkBosh(file, recs, tapHttp, problems);
    ws += checkWs(file, recs, tapWs, problems, used);
  }
  for (const c of tapWs.values()) if (!used.has(c) && c.s2c.length) problems.push({ where: `server WebSocket connection ${c.conn}`, what: 'no client received its messages' });
  console.log(`wire: ${bosh} BOSH exchanges and ${ws} WebSocket messages byte-identical on both sides`);
  if (!bosh && !ws) problems.push({ where: args.wire, what: 'nothing to compare' });
  for (const p of problems) console.log(`  DIFF ${p.where}: ${p.what}`);
  if (problems.length) console.log(`${problems.length} wire difference(s)`);
  return problems.length ? 1 : 0;
}

process.exitCode = main();
