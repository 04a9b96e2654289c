#!/usr/bin/env node
'use strict';
// nginx -t of the shipped drop-in exactly as an operator installs it: boshtap-upstream.conf
// at http{} level and boshtap-locations.conf inside a server{}, plus the test stack's own
// configuration (its upstream/map copies around the same locations file).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const configs = require('./lib/configs');
const { freePorts } = require('./lib/ports');

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boshtap-nginx-'));
  try {
    for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.mkdirSync(path.join(dir, 'nginx-tmp', d), { recursive: true });
    const [port, upstreamPort] = await freePorts(2);
    const cases = {
      'shipped.conf': configs.nginxShippedConfig({ dir, port }),
      'test-stack.conf': configs.nginxConfig({ dir, port, upstreamPort, serverName: 'meet.jitsi' }),
    };
    for (const [name, text] of Object.entries(cases)) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      execFileSync('nginx', ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', file, '-t'], { stdio: 'inherit' });
      console.log(`${name}: nginx -t ok`);
    }
    return 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then((c) => { process.exitCode = c; }, (e) => { console.error(e.message); process.exitCode = 1; });
