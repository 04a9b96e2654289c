'use strict';
// The part of XMLHttpRequest that strophe.js's BOSH transport uses, over node:http.
// Node has no XMLHttpRequest. Each simulated user gets its own keep-alive agent (a browser tab's
// connection pool); the user is picked by the service URL's fragment ("...#client-id"), which
// never goes on the wire. Bodies are recorded byte for byte for the wire check.
const http = require('node:http');
const { boshKey } = require('./wire');

const clients = new Map(); // client id -> { agent, wire, requests:Set }

function registerClient(id, wire) {
  const client = { agent: new http.Agent({ keepAlive: true, maxSockets: 6 }), wire, requests: new Set() };
  clients.set(id, client);
  return client;
}

// The network goes away under this user: sockets close, in-flight requests die. With silent,
// the client hears nothing back and later requests never leave (a lost network, not an error).
function cutClient(id, { silent = false } = {}) {
  const client = clients.get(id);
  if (!client) return;
  client.dead = silent;
  for (const x of client.requests) {
    if (silent) x._aborted = true;
    x._req.destroy();
  }
  client.requests.clear();
  client.agent.destroy();
}

function unregisterClient(id) {
  cutClient(id);
  clients.delete(id);
}

class XMLHttpRequest {
  constructor() {
    this.readyState = 0;
    this.status = 0;
    this.statusText = '';
    this.responseText = '';
    this.responseXML = null;
    this.onreadystatechange = null;
    this.withCredentials = false;
    this._headers = {};
    this._resHeaders = {};
    this._req = null;
  }
  overrideMimeType() {}
  open(method, url) {
    const u = new URL(url);
    this._client = clients.get(u.hash.slice(1));
    if (!this._client) throw new Error(`xhr-shim: no client registered for ${url}`);
    u.hash = '';
    this._method = method;
    this._url = u;
    this.readyState = 1;
  }
  setRequestHeader(name, value) {
    this._headers[name] = value;
  }
  getAllResponseHeaders() {
    return Object.entries(this._resHeaders).map(([k, v]) => `${k}: ${v}`).join('\r\n');
  }
  send(body = '') {
    const client = this._client;
    if (client.dead) return;
    const payload = Buffer.from(body, 'utf8');
    const key = boshKey(body);
    client.wire.write({ dir: 'out', transport: 'bosh', ...key, b64: payload.toString('base64') });
    const req = http.request(this._url, {
      method: this._method,
      agent: client.agent,
      headers: { ...this._headers, 'Content-Length': payload.length },
    });
    this._req = req;
    client.requests.add(this);
    const done = (status, buf, headers) => {
      client.requests.delete(this);
      if (this._aborted) return;
      this.status = status;
      this._resHeaders = headers || {};
      this.responseText = buf ? buf.toString('utf8') : '';
      if (buf && buf.length) {
        this.responseXML = new globalThis.DOMParser().parseFromString(this.responseText, 'text/xml');
      }
      client.wire.write({ dir: 'in', transport: 'bosh', ...key, status, b64: buf ? buf.toString('base64') : null });
      this.readyState = 4;
      if (this.onreadystatechange) this.onreadystatechange();
    };
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => done(res.statusCode, Buffer.concat(chunks), res.headers));
      res.on('error', () => done(0, null));
    });
    req.on('error', () => done(0, null));
    req.end(payload);
  }
  // Quiet, unlike a browser's: strophe replaces the handler right after abort() anyway.
  abort() {
    this._aborted = true;
    if (this._req) this._req.destroy();
    this.readyState = 0;
  }
}

module.exports = { XMLHttpRequest, registerClient, unregisterClient, cutClient };
