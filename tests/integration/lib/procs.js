'use strict';
// Child processes of one test stack: each in its own process group with its output in a log
// file; stopped in reverse start order with SIGTERM, then SIGKILL if it lingers. The parent's
// exit and signals stop them too, so a failing or interrupted run leaves nothing behind.
const { spawn } = require('node:child_process');
const fs = require('node:fs');

class Procs {
  constructor() {
    this.list = [];
    this._onExit = () => this.killNow();
    process.on('exit', this._onExit);
  }

  start(name, cmd, args, { env, cwd, log }) {
    const fd = fs.openSync(log, 'a');
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', fd, fd], detached: true });
    fs.closeSync(fd);
    const proc = { name, child, log, exited: false, code: null, signal: null };
    proc.done = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        Object.assign(proc, { exited: true, code, signal });
        resolve();
      });
      child.once('error', (err) => {
        fs.appendFileSync(log, `spawn failed: ${err.message}\n`);
        Object.assign(proc, { exited: true, code: -1 });
        resolve();
      });
    });
    this.list.push(proc);
    return proc;
  }

  async stop(proc, graceMs = 5000) {
    if (proc.exited) return;
    this._signal(proc, 'SIGTERM');
    const timer = setTimeout(() => this._signal(proc, 'SIGKILL'), graceMs);
    await proc.done;
    clearTimeout(timer);
  }

  async stopAll() {
    for (const proc of [...this.list].reverse()) await this.stop(proc);
    process.removeListener('exit', this._onExit);
  }

  // Synchronous last resort (process 'exit' handlers cannot wait).
  killNow() {
    for (const proc of this.list) if (!proc.exited) this._signal(proc, 'SIGKILL');
  }

  _signal(proc, sig) {
    try {
      process.kill(-proc.child.pid, sig);
    } catch {
      try { proc.child.kill(sig); } catch { /* already gone */ }
    }
  }
}

module.exports = { Procs };
