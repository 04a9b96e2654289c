'use strict';
// A fake XMPP server's BOSH endpoint whose behaviour a test switches at will. It speaks just
// enough BOSH for boshtap's detector: session creation, MUC join (answered with the room's
// other occupants and the self-presence, status 110), leave, empty polls held for a while.
// Because the test decides every presence it sends, it knows every event boshtap must log.
//
// Modes (fake.mode = ...):
//   ok        answer like a server
//   hang      accept, read the request, never answer (slow or stuck server)
//   garbage   answer bytes that are not HTTP, then close
//   truncated send a header promising more body than follows, then close
//   reset     close the connection without a byte
//   huge      answer 200 with a body over boshtap's --body-limit
// fake.close() stops listening (refused); fake.restart() forgets every session and drops every
// connection, as a new server instance would (unknown sids then get `unknownSid`).
const http = require('node:http');
const crypto = require('node:crypto');

const NS_BOSH = 'http://jabber.org/protocol/httpbind';
const DOMAIN = 'meet.jitsi';
const MUC = `conference.${DOMAIN}`;

function attr(tag, name) {
  const m = new RegExp(`\\s${name}=(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return m ? (m[1] ?? m[2]) : undefined;
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');

function presence(from, { type, self, nick, jid }) {
  const item = `<item affiliation='participant' role='participant'${jid ? ` jid='${esc(jid)}'` : ''}/>`;
  return `<presence xmlns='jabber:client' from='${esc(from)}'${type ? ` type='${type}'` : ''}>` +
    (nick != null ? `<nick xmlns='http://jabber.org/protocol/nick'>${esc(nick)}</nick>` : '') +
    `<x xmlns='http://jabber.org/protocol/muc#user'>${item}${self ? "<status code='110'/>" : ''}</x></presence>`;
}

class FakeXmpp {
  // wait/inactivity: what the session-creation answer announces (boshtap's silence timer);
  // holdMs: how long an empty poll is held; observers: other occupants announced on each join.
  constructor({ wait = 60, inactivity = 60, holdMs = 1000, observers = 0, unknownSid = 'terminate' } = {}) {
    Object.assign(this, { wait, inactivity, holdMs, observers, unknownSid });
    this.mode = 'ok';
    this.sessions = new Map(); // sid -> { held: Set<timer> }
    this.requests = 0;
    this.server = null;
    this.port = 0;
  }

  async listen(port = 0) {
    this.server = http.createServer((req, res) => this._onRequest(req, res));
    this.server.keepAliveTimeout = 120000;
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    this.port = this.server.address().port;
    return this.port;
  }

  // Refuse from now on: no listener, and connections boshtap holds in its pool die too.
  async close() {
    if (!this.server) return;
    const s = this.server;
    this.server = null;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }

  // A new instance of the server on the same port: every session is forgotten.
  async restart() {
    await this.close();
    this.sessions.clear();
    await this.listen(this.port);
  }

  _onRequest(req, res) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      this.requests++;
      const body = Buffer.concat(chunks).toString('utf8');
      switch (this.mode) {
        case 'hang': return; // the socket stays open, nothing is ever sent
        case 'garbage':
          res.socket.end('SSH-2.0-OpenSSH_9.2\r\n\x00\x01\x02 not http at all\r\n\r\n');
          return;
        case 'truncated':
          res.socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<body xmlns=');
          return;
        case 'reset':
          res.socket.resetAndDestroy();
          return;
        case 'huge':
          return this._send(res, 200, `<body xmlns='${NS_BOSH}'>${'x'.repeat(2 << 20)}</body>`);
        default:
          return this._bosh(body, res);
      }
    });
  }

  _send(res, status, text) {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  _bosh(text, res) {
    const head = /<body\b[^>]*>/.exec(text);
    if (!head) return this._send(res, 400, 'not a BOSH body');
    const sid = attr(head[0], 'sid');
    if (!sid) {
      const id = crypto.randomBytes(8).toString('hex');
      this.sessions.set(id, { held: new Set() });
      return this._send(res, 200, `<body xmlns='${NS_BOSH}' sid='${id}' wait='${this.wait}' inactivity='${this.inactivity}' ` +
        `requests='2' hold='1' polling='5' ver='1.6' from='${DOMAIN}'/>`);
    }
    const session = this.sessions.get(sid);
    if (!session) {
      if (this.unknownSid === '404') return this._send(res, 404, '');
      return this._send(res, 200, `<body xmlns='${NS_BOSH}' type='terminate' condition='item-not-found'/>`);
    }
    if (attr(head[0], 'type') === 'terminate') {
      this.sessions.delete(sid);
      return this._send(res, 200, `<body xmlns='${NS_BOSH}' type='terminate'/>`);
    }
    const out = [];
    for (const m of text.matchAll(/<presence\b([^>]*)>([\s\S]*?)<\/presence>|<presence\b([^>]*)\/>/g)) {
      const tag = m[1] ?? m[3];
      const to = attr(tag, 'to');
      if (!to || !to.includes('/')) continue;
      const room = to.slice(0, to.indexOf('/'));
      const nick = /<nick[^>]*>([^<]*)<\/nick>/.exec(m[2] || '')?.[1] ?? null;
      if (attr(tag, 'type') === 'unavailable') {
        out.push(presence(to, { type: 'unavailable', self: true, nick }));
      } else {
        for (let i = 0; i < this.observers; i++)
          out.push(presence(`${room}/obs-${sid.slice(0, 6)}-${i}`, { nick: `Observer ${i}` }));
        out.push(presence(to, { self: true, nick }));
      }
    }
    const reply = () => this._send(res, 200, `<body xmlns='${NS_BOSH}'>${out.join('')}</body>`);
    if (out.length > 0) return reply();
    // An empty poll: held like a long-poll, answered empty.
    const timer = setTimeout(() => { session.held.delete(timer); reply(); }, this.holdMs);
    session.held.add(timer);
    res.on('close', () => { clearTimeout(timer); session.held.delete(timer); });
  }
}

module.exports = { FakeXmpp, DOMAIN, MUC, NS_BOSH };
