'use strict';
// WebSocket for strophe.js: the `ws` client, plus per-user recording of every message payload
// and a way to drop the TCP connection without a close frame (a laptop leaving Wi-Fi).
// The user is picked by the URL fragment, as in xhr-shim.js; `ws` refuses fragments, so it is
// stripped before connecting.
const WebSocketBase = require('ws');

const clients = new Map(); // client id -> { wire, sockets:Set }
let socketSeq = 0;

function registerClient(id, wire) {
  const client = { wire, sockets: new Set(), serverClosed: false };
  clients.set(id, client);
  return client;
}

function unregisterClient(id) {
  clients.delete(id);
}

// Kill the TCP connection under every socket of this user: no close frame, no FIN handshake.
function dropClient(id) {
  const client = clients.get(id);
  if (!client) return;
  for (const ws of client.sockets) {
    if (ws._socket) ws._socket.resetAndDestroy ? ws._socket.resetAndDestroy() : ws._socket.destroy();
  }
}

// End the TCP stream without a close frame (FIN): a client process that exits.
function endClient(id) {
  const client = clients.get(id);
  if (!client) return;
  for (const ws of client.sockets) if (ws._socket) ws._socket.end();
}

// A tab that closes: the browser sends a close frame (1001) and no XMPP <close/>.
function closeClient(id, code = 1001) {
  const client = clients.get(id);
  if (!client) return;
  for (const ws of client.sockets) ws.close(code);
}

class RecordingWebSocket extends WebSocketBase {
  constructor(url, protocols, options) {
    const u = new URL(url);
    const client = clients.get(u.hash.slice(1));
    if (!client) throw new Error(`ws-shim: no client registered for ${url}`);
    u.hash = '';
    super(u.toString(), protocols, options);
    const conn = ++socketSeq;
    client.sockets.add(this);
    this.on('message', (data, isBinary) => {
      if (/^<close[\s/>]/.test(String(data))) client.serverClosed = true;
      client.wire.write({ dir: 'in', transport: 'websocket', conn, binary: isBinary, b64: Buffer.from(data).toString('base64') });
    });
    this.on('close', (code) => {
      client.sockets.delete(this);
      client.wire.write({ dir: 'closed', transport: 'websocket', conn, code });
    });
    this._record = (data) => client.wire.write({ dir: 'out', transport: 'websocket', conn, b64: Buffer.from(data).toString('base64') });
    client.wire.write({ dir: 'open', transport: 'websocket', conn, url: u.pathname + u.search });
  }
  send(data, ...rest) {
    this._record(data);
    return super.send(data, ...rest);
  }
}

// Whether the server sent an XMPP <close/> on any of this user's sockets.
function serverClosed(id) {
  return Boolean(clients.get(id) && clients.get(id).serverClosed);
}

module.exports = { RecordingWebSocket, serverClosed, registerClient, unregisterClient, dropClient, endClient, closeClient };
