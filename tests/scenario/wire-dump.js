#!/usr/bin/env node
'use strict';
// Prints a client wire log (driver.js --wire DIR) or the server tap's log as readable text.
//   wire-dump.js FILE [--grep TEXT]
const fs = require('node:fs');

const [file, flag, needle] = process.argv.slice(2);
if (!file) { console.error('usage: wire-dump.js FILE [--grep TEXT]'); process.exit(2); }
for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
  if (!line) continue;
  const r = JSON.parse(line);
  const dec = (b) => (b == null ? '' : Buffer.from(b, 'base64').toString('utf8'));
  const text = r.kind === 'http' ? `${dec(r.req_b64)}\n    => ${r.status} ${dec(r.res_b64)}` : dec(r.b64);
  const head = [r.t.toFixed(3), r.dir || r.kind, r.conn ?? '', r.sid ? `sid=${r.sid}` : '', r.rid ? `rid=${r.rid}` : '', r.status ?? '', r.code ?? '', r.url || r.path || ''].filter((x) => x !== '').join(' ');
  if (flag === '--grep' && !(`${head} ${text}`).includes(needle)) continue;
  console.log(`${head}\n    ${text}`);
}
