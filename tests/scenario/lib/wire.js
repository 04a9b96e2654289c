'use strict';
// Per-client wire recorder: every byte a simulated participant sent and received, as JSON Lines.
// BOSH exchanges are keyed by (sid, rid) and WebSocket messages by the stream id of the server's
// first <open/>, so check-wire.js can line them up with the server-side tap's records.
const fs = require('node:fs');

class WireLog {
  constructor(file) {
    this.fd = file ? fs.openSync(file, 'a') : null;
  }
  write(rec) {
    if (this.fd !== null) fs.writeSync(this.fd, JSON.stringify({ t: Date.now() / 1000, ...rec }) + '\n');
  }
  close() {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

// sid and rid of a BOSH request body (attribute order and quoting vary between clients).
function boshKey(body) {
  const head = /<body\b[^>]*>/.exec(body);
  if (!head) return {};
  const attr = (name) => {
    const m = new RegExp(`\\s${name}=(?:"([^"]*)"|'([^']*)')`).exec(head[0]);
    return m ? (m[1] ?? m[2]) : undefined;
  };
  return { sid: attr('sid'), rid: attr('rid'), type: attr('type') };
}

module.exports = { WireLog, boshKey };
