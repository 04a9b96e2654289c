'use strict';
// What "degrades and recovers" means, for the connection flood and descriptor exhaustion.
const assert = require('node:assert/strict');

function checkSaturation(r, bt) {
  assert.equal(bt.proc.exited, false, 'boshtap is still running');
  assert.ok(r.recoveredMs !== null, 'serves again once the connections are gone');
  assert.ok(r.recoveredMs < 3000, `served again after ${r.recoveredMs} ms`);
  assert.ok(r.drainedMs !== null, `descriptors back to the level before the flood (now ${r.fdsAfter})`);
  assert.ok(r.settledMs !== null, `idle once the connections are gone (last second: ${r.tail.cpu.toFixed(2)} cores)`);
  // Failing at EMFILE must not cost CPU: accept is retried after a pause, not at once (a
  // spinning thread gets only about 0.3 of a core on a busy test machine, a whole one otherwise).
  assert.ok(r.idle.cpu < 0.1, `CPU while saturated: ${r.idle.cpu.toFixed(2)} cores`);
  // The admin endpoint must not spin either when a health check arrives at EMFILE.
  assert.ok(r.afterHealthz.cpu < 0.1, `CPU after a health check while saturated: ${r.afterHealthz.cpu.toFixed(2)} cores`);
  // Rate-limited: not one line per failed accept (10 per second).
  assert.ok(r.idle.logLines <= 2, `${r.idle.logLines} "accept failed" lines in 3 s`);
}

module.exports = { checkSaturation };
