'use strict';
// The frame of every fault test: `node X.test.js --boshtap BINARY`. Gives the test a fresh
// directory and a process list; on failure prints boshtap's stderr tail and keeps the
// directory; exits 0 (pass), 1 (fail) or 77 (skipped: ctest SKIP_RETURN_CODE).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs, runMain } = require('../../integration/lib/cli');
const { Procs } = require('../../integration/lib/procs');
const { tail } = require('../../integration/lib/stack');

class Skip extends Error {}

function runTest(name, fn) {
  const args = parseArgs(process.argv.slice(2));
  const given = args.boshtap || process.env.BOSHTAP;
  const binary = given && path.resolve(given); // boshtap runs with the test directory as cwd
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `boshtap-faults-${name}-`));
  const procs = new Procs();
  const cleanups = [];
  const t = {
    binary, dir, procs, args,
    onCleanup: (f) => cleanups.unshift(f),
    log: (msg) => console.log(`[${name}] ${msg}`),
    skip: (why) => { throw new Skip(why); },
  };
  let ok = false;
  runMain(async () => {
    if (!binary) throw new Error('usage: node X.test.js --boshtap PATH');
    try {
      await fn(t);
      ok = true;
      t.log('PASS');
      return 0;
    } catch (e) {
      if (e instanceof Skip) {
        ok = true;
        console.log(`[${name}] SKIPPED: ${e.message}`);
        return 77;
      }
      console.error(`[${name}] FAIL: ${e && e.stack ? e.stack : e}`);
      for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.out')))
        console.error(`----- ${f} (last lines) -----\n${tail(path.join(dir, f), 25)}`);
      console.error(`(kept ${dir})`);
      return 1;
    }
  }, async () => {
    await procs.stopAll();
    for (const f of cleanups) await Promise.resolve().then(f).catch((e) => console.error(e));
    if (ok) fs.rmSync(dir, { recursive: true, force: true });
  });
}

module.exports = { runTest, Skip };
