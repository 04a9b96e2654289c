'use strict';
// tsung's own totals from the last dump in tsung.log. Counter lines are `stats: NAME interval
// total`; sample lines (transactions, requests) are `stats: NAME count mean stddev max min
// mean_before count_before`, so their total is count + count_before.
const fs = require('node:fs');

function tsungTotals(file) {
  const last = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^stats: (\S+) (.*)$/.exec(line);
    if (m) last[m[1]] = m[2].trim().split(/\s+/).map(Number);
  }
  const totals = {};
  for (const [name, v] of Object.entries(last)) {
    if (v.length === 2) totals[name] = v[1];
    else if (v.length === 7) totals[name] = v[0] + v[6];
  }
  return totals;
}

module.exports = { tsungTotals };
