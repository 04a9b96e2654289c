'use strict';
// Passive parsers for one direction of an HTTP/1.1 connection that may upgrade to WebSocket.
// They only watch bytes that are forwarded elsewhere unchanged; they never alter them.

// Pulls HTTP messages (head + body) out of a byte stream. onMessage({ head, startLine, headers,
// body }) per message. `bodyless(head)` tells whether a response has no body (HEAD, 1xx, 204, 304).
class HttpMessageParser {
  constructor({ onMessage, bodyless = () => false }) {
    this.buf = Buffer.alloc(0);
    this.onMessage = onMessage;
    this.bodyless = bodyless;
    this.msg = null;
    this.upgraded = false; // after a 101 the rest belongs to the WebSocket parser
  }

  push(chunk) {
    this.buf = Buffer.concat([this.buf, chunk]);
    while (!this.upgraded && this._step());
  }

  // Connection closed: a body delimited by the close is complete now.
  end() {
    if (this.msg && this.msg.mode === 'close') this._emit(this.buf);
  }

  _step() {
    if (!this.msg) {
      const at = this.buf.indexOf('\r\n\r\n');
      if (at < 0) return false;
      const head = this.buf.subarray(0, at).toString('latin1');
      this.buf = this.buf.subarray(at + 4);
      const [startLine, ...lines] = head.split('\r\n');
      const headers = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const msg = { startLine, headers, chunks: [] };
      if (this.bodyless(msg)) msg.mode = 'none';
      else if (/chunked/i.test(headers['transfer-encoding'] || '')) msg.mode = 'chunked';
      else if (headers['content-length'] !== undefined) { msg.mode = 'length'; msg.left = Number(headers['content-length']); }
      else if (/^HTTP\//.test(startLine)) msg.mode = 'close';
      else msg.mode = 'none';
      this.msg = msg;
    }
    const msg = this.msg;
    if (msg.mode === 'none') return this._emit(Buffer.alloc(0));
    if (msg.mode === 'length') {
      if (this.buf.length < msg.left) return false;
      const body = this.buf.subarray(0, msg.left);
      this.buf = this.buf.subarray(msg.left);
      return this._emit(body);
    }
    if (msg.mode === 'chunked') {
      for (;;) {
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) return false;
        const size = parseInt(this.buf.subarray(0, eol).toString('latin1'), 16);
        if (size === 0) {
          const end = this.buf.indexOf('\r\n\r\n', eol - 2 < 0 ? 0 : eol - 2);
          if (end < 0) return false;
          this.buf = this.buf.subarray(end + 4);
          return this._emit(Buffer.concat(msg.chunks));
        }
        if (this.buf.length < eol + 2 + size + 2) return false;
        msg.chunks.push(this.buf.subarray(eol + 2, eol + 2 + size));
        this.buf = this.buf.subarray(eol + 2 + size + 2);
      }
    }
    return false; // 'close': wait for end()
  }

  _emit(body) {
    const msg = this.msg;
    this.msg = null;
    this.onMessage({ startLine: msg.startLine, headers: msg.headers, body: Buffer.from(body) });
    return true;
  }

  // Bytes already buffered after the message that switched protocols.
  takeRest() {
    this.upgraded = true;
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    return rest;
  }
}

// Reassembles WebSocket messages (RFC 6455) from frames, unmasking client frames.
// onMessage({ opcode, payload }) per data message; control frames are reported as they come.
class WsFrameParser {
  constructor({ onMessage }) {
    this.buf = Buffer.alloc(0);
    this.onMessage = onMessage;
    this.fragments = [];
    this.opcode = 0;
  }

  push(chunk) {
    this.buf = Buffer.concat([this.buf, chunk]);
    while (this._step());
  }

  _step() {
    const b = this.buf;
    if (b.length < 2) return false;
    const fin = (b[0] & 0x80) !== 0;
    const opcode = b[0] & 0x0f;
    const masked = (b[1] & 0x80) !== 0;
    let len = b[1] & 0x7f;
    let off = 2;
    if (len === 126) { if (b.length < 4) return false; len = b.readUInt16BE(2); off = 4; }
    else if (len === 127) { if (b.length < 10) return false; len = Number(b.readBigUInt64BE(2)); off = 10; }
    const maskAt = off;
    if (masked) off += 4;
    if (b.length < off + len) return false;
    const payload = Buffer.from(b.subarray(off, off + len));
    if (masked) for (let i = 0; i < len; i++) payload[i] ^= b[maskAt + (i % 4)];
    this.buf = b.subarray(off + len);
    if (opcode >= 0x8) {
      this.onMessage({ opcode, payload });
    } else {
      if (opcode !== 0) this.opcode = opcode;
      this.fragments.push(payload);
      if (fin) {
        this.onMessage({ opcode: this.opcode, payload: Buffer.concat(this.fragments) });
        this.fragments = [];
      }
    }
    return true;
  }
}

module.exports = { HttpMessageParser, WsFrameParser };
