'use strict';
// A minimal BOSH client (no strophe.js): the exact request bodies a Jitsi client sends for
// session creation, a MUC join, a leave and an empty poll, with rids in order. Results are
// { status, body, ms } or { error } so a test can count failures instead of throwing.
const http = require('node:http');
const { NS_BOSH, MUC } = require('./fake-xmpp');

function post(port, body, { agent, timeoutMs = 60000 } = {}) {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/http-bind', agent,
      headers: { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'User-Agent': 'faults-test' },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8'),
        ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      res.on('error', (e) => resolve({ error: e.code || e.message }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('client timeout')));
    req.on('error', (e) => resolve({ error: e.code || e.message }));
    req.end(body);
  });
}

class BoshClient {
  constructor(port, { agent } = {}) {
    this.port = port;
    this.agent = agent;
    this.rid = 1000000 + Math.floor(Math.random() * 1e6);
    this.sid = null;
  }

  _post(inner, extra = '') {
    const sid = this.sid ? ` sid='${this.sid}'` : '';
    return post(this.port, `<body xmlns='${NS_BOSH}' rid='${this.rid++}'${sid}${extra}>${inner}</body>`, { agent: this.agent });
  }

  async create() {
    const r = await this._post('', ` to='meet.jitsi' wait='60' hold='1' ver='1.6'`);
    if (r.status === 200) this.sid = /sid='([^']+)'/.exec(r.body)?.[1] ?? null;
    return r;
  }

  join(room, resource, nick) {
    return this._post(`<presence xmlns='jabber:client' to='${room}@${MUC}/${resource}'>` +
      `<x xmlns='http://jabber.org/protocol/muc'/><nick xmlns='http://jabber.org/protocol/nick'>${nick}</nick></presence>`);
  }

  leave(room, resource) {
    return this._post(`<presence xmlns='jabber:client' to='${room}@${MUC}/${resource}' type='unavailable'/>`);
  }

  poll() { return this._post(''); }
}

module.exports = { BoshClient, post };
