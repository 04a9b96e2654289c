'use strict';
// Tiny argv parser: --name value, --flag, and everything after "--" as a command.
function parseArgs(argv, { flags = [] } = {}) {
  const out = { _: [], command: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { out.command = argv.slice(i + 1); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
      else if (flags.includes(a.slice(2))) out[a.slice(2)] = true;
      else out[a.slice(2)] = argv[++i];
    } else out._.push(a);
  }
  return out;
}

// Runs fn(); SIGINT/SIGTERM or an exception run cleanup first. Exits with fn's code.
function runMain(fn, cleanup) {
  let cleaning = null;
  const stop = (code) => {
    cleaning = cleaning || Promise.resolve().then(cleanup).catch((e) => console.error(e));
    cleaning.then(() => process.exit(code));
  };
  process.on('SIGINT', () => stop(130));
  process.on('SIGTERM', () => stop(143));
  fn().then((code) => stop(code ?? 0), (e) => { console.error(e && e.stack ? e.stack : e); stop(1); });
}

module.exports = { parseArgs, runMain };
