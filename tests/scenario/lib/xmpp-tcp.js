'use strict';
// A minimal XMPP client over plain TCP (RFC 6120 c2s without TLS): stream open, SASL ANONYMOUS,
// resource binding, then raw stanzas. It stands in for participants that reach the server
// without passing boshtap (Jitsi's phone gateway connects to c2s directly), so boshtap can only
// see them in other participants' streams.
const net = require('node:net');
const { DOMParser } = require('@xmldom/xmldom');

const NS_STREAM = 'http://etherx.jabber.org/streams';

const escapeXml = (s) => String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }[c]));

// Cuts the server's byte stream into top-level stanzas (children of <stream:stream>). Servers
// send no comments or CDATA on c2s; `>` inside quoted attribute values is handled.
class StanzaSplitter {
  constructor(onStanza) {
    this.onStanza = onStanza;
    this.buf = '';
    this.pos = 0;
    this.depth = 0; // 0: outside the stream, 1: stream level
    this.start = -1;
  }

  push(text) {
    this.buf += text;
    for (;;) {
      const lt = this.buf.indexOf('<', this.pos);
      if (lt < 0) break;
      const gt = this._tagEnd(lt);
      if (gt < 0) break;
      const tag = this.buf.slice(lt, gt + 1);
      this.pos = gt + 1;
      if (tag.startsWith('<?')) continue;
      if (/^<stream:stream[\s>]/.test(tag)) { this.depth = 1; this._compact(); continue; }
      if (tag === '</stream:stream>') { this.depth = 0; this.onStanza(null); continue; }
      if (tag.startsWith('</')) {
        if (--this.depth === 1) this._emit();
      } else if (tag.endsWith('/>')) {
        if (this.depth === 1) { this.start = lt; this._emit(); }
      } else {
        if (this.depth === 1) this.start = lt;
        this.depth++;
      }
    }
  }

  _tagEnd(from) {
    let quote = null;
    for (let i = from + 1; i < this.buf.length; i++) {
      const c = this.buf[i];
      if (quote) { if (c === quote) quote = null; } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') return i;
    }
    return -1;
  }

  _emit() {
    const xml = this.buf.slice(this.start, this.pos);
    this._compact();
    // Stanzas inherit the stream's namespaces.
    const doc = new DOMParser().parseFromString(`<w xmlns="jabber:client" xmlns:stream="${NS_STREAM}">${xml}</w>`, 'text/xml');
    this.onStanza(doc.documentElement.firstChild);
  }

  _compact() {
    this.buf = this.buf.slice(this.pos);
    this.pos = 0;
    this.start = -1;
  }
}

class TcpXmpp {
  constructor({ host = '127.0.0.1', port, domain, log = () => {} }) {
    Object.assign(this, { host, port, domain, log });
    this.waiters = [];
    this.handlers = [];
    this.jid = null;
    this.closed = false;
  }

  async connect(timeoutMs = 15000) {
    this.sock = net.connect(this.port, this.host);
    this.sock.setEncoding('utf8');
    this.sock.setNoDelay(true);
    await new Promise((resolve, reject) => { this.sock.once('connect', resolve); this.sock.once('error', reject); });
    this.sock.on('error', (e) => this._fail(e));
    this.sock.on('close', () => this._fail(new Error('connection closed')));
    this.splitter = new StanzaSplitter((el) => this._onStanza(el));
    this.sock.on('data', (d) => this.splitter.push(d));

    const name = (el) => el && el.localName;
    await this._openStream(timeoutMs);
    this.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'/>");
    const sasl = await this.waitFor((el) => ['success', 'failure'].includes(name(el)), 'SASL result', timeoutMs);
    if (name(sasl) !== 'success') throw new Error('SASL ANONYMOUS refused');
    await this._openStream(timeoutMs);
    this.send("<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
    const bound = await this.waitFor((el) => name(el) === 'iq' && el.getAttribute('id') === 'bind1', 'bind result', timeoutMs);
    const jidEl = bound.getElementsByTagName('jid')[0];
    if (bound.getAttribute('type') !== 'result' || !jidEl) throw new Error('resource binding failed');
    this.jid = jidEl.textContent;
    return this.jid;
  }

  async _openStream(timeoutMs) {
    const features = this.waitFor((el) => el && el.localName === 'features', 'stream features', timeoutMs);
    this.send(`<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${NS_STREAM}' to='${escapeXml(this.domain)}' version='1.0'>`);
    return features;
  }

  send(xml) {
    if (!this.closed) this.sock.write(xml);
  }

  // Called for every stanza; return true to stay installed.
  addHandler(fn) { this.handlers.push(fn); }

  waitFor(match, what, ms = 10000) {
    return new Promise((resolve, reject) => {
      const w = { match, resolve, reject };
      w.timer = setTimeout(() => { this.waiters.splice(this.waiters.indexOf(w), 1); reject(new Error(`timed out waiting for ${what}`)); }, ms);
      this.waiters.push(w);
    });
  }

  _onStanza(el) {
    if (!el) return; // the server closed the stream
    for (const w of [...this.waiters]) {
      if (w.match(el)) { this.waiters.splice(this.waiters.indexOf(w), 1); clearTimeout(w.timer); w.resolve(el); }
    }
    this.handlers = this.handlers.filter((h) => h(el));
  }

  _fail(err) {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiters.splice(0)) { clearTimeout(w.timer); w.reject(err); }
  }

  // Clean end: close the stream, wait briefly for the server's, then FIN.
  async close() {
    if (this.closed) return;
    const done = new Promise((r) => { this.sock.once('close', r); setTimeout(r, 2000); });
    this.sock.write('</stream:stream>');
    this.sock.end();
    await done;
    this.closed = true;
    this.sock.destroy();
  }
}

module.exports = { TcpXmpp, StanzaSplitter, escapeXml };
