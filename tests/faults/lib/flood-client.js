'use strict';
// Child process that opens N idle TCP connections to a port at once and holds them (one
// process cannot hold 20 000 sockets under a 20 000 descriptor limit, so a test forks several).
// IPC: sends { connected, errors, ms } when every attempt has settled; on 'close' destroys
// them all and sends { closed, resets }, where resets counts connections the server ended.
const net = require('node:net');

const [port, count] = process.argv.slice(2).map(Number);
const sockets = [];
const errors = {};
let settled = 0;
let connected = 0;
let serverClosed = 0;
const started = Date.now();

const done = () => {
  if (++settled === count) process.send({ connected, errors, ms: Date.now() - started });
};

for (let i = 0; i < count; i++) {
  const s = net.connect({ port, host: '127.0.0.1' });
  sockets.push(s);
  let counted = false;
  s.once('connect', () => { connected++; counted = true; done(); });
  s.on('error', (e) => {
    if (!counted) { errors[e.code] = (errors[e.code] || 0) + 1; counted = true; done(); }
  });
  s.on('close', () => { if (counted) serverClosed++; });
  s.setTimeout(0);
}

process.on('message', (m) => {
  if (m !== 'close') return;
  const resets = serverClosed;
  for (const s of sockets) s.destroy();
  process.send({ closed: sockets.length, resets }, () => process.exit(0));
});
