#!/usr/bin/env node
'use strict';
// Reproduction (found by the soak): a WebSocket client whose stream was resumed (XEP-0198:
// TCP dropped, new socket with ?previd=, <resume/>) and that later leaves with a close frame
// (a browser tab closing: 1001, no XMPP <close/>) gets no close frame back. The client keeps
// the TCP connection until its own close timeout (30 s in `ws`), boshtap's resume window does
// not start, and the occupant's leave comes from the server ~41 s after the close instead of
// boshtap's `disconnected` within the window. Clients never resumed close in well under 1 s.
//
//   node tests/integration/harness.js --boshtap BIN --no-tap -- node tests/integration/soak/ws-close-repro.js [N] [--no-resume]
//   node tests/integration/harness.js --bypass --no-tap -- node tests/integration/soak/ws-close-repro.js [N]
//
// N clients (default 20) log in anonymously with resumable stream management, join one room,
// drop and resume (unless --no-resume), then all close with 1001 at the same instant. Prints
// how long they waited for the close handshake; exits 1 if any waited over 5 s.
const path = require('node:path');
const WebSocket = require(path.resolve(__dirname, '..', '..', 'scenario', 'node_modules', 'ws'));

const url = process.env.SCENARIO_WS_URL;
const domain = process.env.SCENARIO_DOMAIN || 'meet.jitsi';
const muc = process.env.SCENARIO_MUC || `conference.${domain}`;
const n = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) || 20);
const resume = !process.argv.includes('--no-resume');
const room = `ws-close-${process.pid}`;
const OPEN = `<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="${domain}" version="1.0"/>`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One socket's login. Fresh: bind, enable resumable SM, join. Resuming: <resume/> instead.
function login(i, state) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(state.smId ? `${url}?previd=${encodeURIComponent(state.smId)}` : url, 'xmpp');
    let step = 'open';
    ws.on('error', reject);
    ws.on('close', (code) => reject(new Error(`client ${i}: socket closed (${code}) during ${step}`)));
    ws.on('open', () => ws.send(OPEN));
    ws.on('message', (data) => {
      const s = String(data);
      if (/^<(presence|message|iq)[\s>]/.test(s) && state.counting) state.h++;
      if (step === 'open' && s.includes('ANONYMOUS')) { step = 'auth'; ws.send('<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="ANONYMOUS"/>'); }
      else if (step === 'auth' && s.startsWith('<success')) { step = 'reopen'; ws.send(OPEN); }
      else if (step === 'reopen' && s.includes('urn:ietf:params:xml:ns:xmpp-bind')) {
        if (state.smId) { step = 'resume'; ws.send(`<resume xmlns="urn:xmpp:sm:3" previd="${state.smId}" h="${state.h}"/>`); }
        else { step = 'bind'; ws.send('<iq xmlns="jabber:client" type="set" id="b1"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></iq>'); }
      } else if (step === 'bind' && /id=["']b1["']/.test(s)) { step = 'enable'; ws.send('<enable xmlns="urn:xmpp:sm:3" resume="true"/>'); }
      else if (step === 'enable' && s.startsWith('<enabled')) {
        state.smId = /id=["']([^"']+)["']/.exec(s)[1];
        state.counting = true;
        step = 'join';
        ws.send(`<presence xmlns="jabber:client" to="${room}@${muc}/c${i}"><x xmlns="http://jabber.org/protocol/muc"/><nick xmlns="http://jabber.org/protocol/nick">Closer ${i}</nick></presence>`);
      } else if (step === 'join' && /code=["']110["']/.test(s)) { step = 'in'; ws.removeAllListeners('close'); resolve(ws); }
      else if (step === 'resume' && s.startsWith('<resumed')) { step = 'in'; ws.removeAllListeners('close'); resolve(ws); }
      else if (step === 'resume' && s.startsWith('<failed')) reject(new Error(`client ${i}: resume failed: ${s}`));
      else if (/^<r\s/.test(s)) ws.send(`<a xmlns="urn:xmpp:sm:3" h="${state.h}"/>`);
    });
  });
}

async function client(i) {
  const state = { smId: null, h: 0, counting: false };
  let ws = await login(i, state);
  if (resume) {
    ws._socket.destroy(); // the network goes away: no close frame
    await sleep(1000);
    ws = await login(i, state);
  }
  return ws;
}

async function main() {
  if (!url) throw new Error('no SCENARIO_WS_URL: run under tests/integration/harness.js');
  const clients = [];
  for (let i = 0; i < n; i += 10) clients.push(...await Promise.all(Array.from({ length: Math.min(10, n - i) }, (_, k) => client(i + k))));
  await sleep(1000);
  const t0 = Date.now();
  const waits = await Promise.all(clients.map((ws) => new Promise((resolve) => {
    ws.on('close', () => resolve((Date.now() - t0) / 1000));
    ws.close(1001);
  })));
  waits.sort((a, b) => a - b);
  const slow = waits.filter((w) => w > 5);
  console.log(`${n} clients${resume ? ' (resumed once)' : ''} closed with 1001: close handshake median ${waits[n >> 1].toFixed(2)} s, ` +
    `max ${waits[n - 1].toFixed(2)} s; ${slow.length} waited > 5 s`);
  return slow.length ? 1 : 0;
}

main().then((c) => process.exit(c), (e) => { console.error(e); process.exit(2); });
