'use strict';
// The server-side tap: a plain TCP relay in front of the XMPP server's HTTP port that forwards
// every byte unchanged and records, as JSON Lines, what the server received and sent: each HTTP
// exchange (request and response bodies, keyed by BOSH sid and rid), each WebSocket message and
// close frame, and when a WebSocket's client side ended.
// The wire check compares these records with what the clients recorded on their side of
// nginx (and boshtap): equal bytes mean the proxies forwarded them unchanged.
const net = require('node:net');
const fs = require('node:fs');
const { HttpMessageParser, WsFrameParser } = require('./http-stream');

function boshKey(body) {
  const head = /<body\b[^>]*>/.exec(body);
  if (!head) return {};
  const attr = (name) => {
    const m = new RegExp(`\\s${name}=(?:"([^"]*)"|'([^']*)')`).exec(head[0]);
    return m ? (m[1] ?? m[2]) : undefined;
  };
  return { sid: attr('sid'), rid: attr('rid'), type: attr('type') };
}

async function startServerTap({ port, upstreamPort, file }) {
  const out = fs.openSync(file, 'a');
  const write = (rec) => fs.writeSync(out, JSON.stringify({ t: Date.now() / 1000, ...rec }) + '\n');
  let connSeq = 0;
  const sockets = new Set();

  const server = net.createServer((client) => {
    const conn = ++connSeq;
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const pending = []; // requests awaiting their response, in order
    let ws = null;

    const reqParser = new HttpMessageParser({
      onMessage: (req) => {
        pending.push(req);
      },
    });
    const resParser = new HttpMessageParser({
      bodyless: (res) => {
        const req = pending[0];
        const status = Number(res.startLine.split(' ')[1]);
        return (req && /^HEAD /.test(req.startLine)) || (status >= 100 && status < 200) || status === 204 || status === 304;
      },
      onMessage: (res) => {
        const status = Number(res.startLine.split(' ')[1]);
        const req = pending.shift();
        if (status === 101 && req) {
          ws = { id: `${conn}`, path: req.startLine.split(' ')[1] };
          write({ kind: 'ws-open', conn, path: ws.path });
          startWs(reqParser.takeRest(), resParser.takeRest());
          return;
        }
        if (status >= 100 && status < 200) { pending.unshift(req); return; }
        const reqBody = req ? req.body.toString('utf8') : '';
        write({
          kind: 'http', conn, request: req ? req.startLine : null, ...boshKey(reqBody),
          req_b64: req ? req.body.toString('base64') : null, status, res_b64: res.body.toString('base64'),
        });
      },
    });

    let c2s = (chunk) => reqParser.push(chunk);
    let s2c = (chunk) => resParser.push(chunk);
    function startWs(restC2s, restS2c) {
      const rec = (dir) => ({ opcode, payload }) => {
        if (opcode === 0x8) write({ kind: 'ws-close', conn, dir, code: payload.length >= 2 ? payload.readUInt16BE(0) : null });
        else if (opcode === 0x1 || opcode === 0x2) write({ kind: 'ws', conn, dir, opcode, b64: payload.toString('base64') });
      };
      const c = new WsFrameParser({ onMessage: rec('c2s') });
      const s = new WsFrameParser({ onMessage: rec('s2c') });
      c2s = (chunk) => c.push(chunk);
      s2c = (chunk) => s.push(chunk);
      if (restC2s.length) c.push(restC2s);
      if (restS2c.length) s.push(restS2c);
    }

    const safe = (fn) => (chunk) => { try { fn(chunk); } catch (e) { write({ kind: 'tap-error', conn, error: String(e) }); } };
    client.on('data', (chunk) => { upstream.write(chunk); safe(c2s)(chunk); });
    upstream.on('data', (chunk) => { client.write(chunk); safe(s2c)(chunk); });
    const finish = () => {
      if (ws) write({ kind: 'ws-end', conn });
      for (const req of pending.splice(0)) {
        write({ kind: 'http', conn, request: req.startLine, ...boshKey(req.body.toString('utf8')), req_b64: req.body.toString('base64'), status: null, res_b64: null });
      }
    };
    // When the end of the client's side (FIN, reset) reached the server's side of the tap.
    let clientEnded = false;
    const clientEnd = () => {
      if (ws && !clientEnded) write({ kind: 'ws-client-end', conn });
      clientEnded = true;
    };
    client.on('end', clientEnd);
    client.on('close', clientEnd);
    client.on('end', () => upstream.end());
    upstream.on('end', () => { resParser.end(); client.end(); });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    let closed = 0;
    const onClose = (s) => () => { sockets.delete(s); if (++closed === 2) finish(); };
    // FIN is passed on as FIN, a reset or error as a close of the other side.
    client.on('close', onClose(client));
    upstream.on('close', onClose(upstream));
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => { fs.closeSync(out); resolve(); });
    }),
  };
}

module.exports = { startServerTap, boshKey };
