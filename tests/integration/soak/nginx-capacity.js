'use strict';
// The shared test nginx allows 1024 connections; a soak holds one or two client connections
// plus their upstream ones per BOSH participant, so it needs more. Raised here, for the soak
// only, by wrapping the generated config (stack.js looks the generator up at call time).
const configs = require('../lib/configs');

function raiseNginxLimits(connections = 8192) {
  const base = configs.nginxConfig;
  configs.nginxConfig = (o) => base(o)
    .replace(/worker_connections \d+;/, `worker_connections ${connections};`);
}

module.exports = { raiseNginxLimits };
