'use strict';
// CPU and memory of the stack's processes from /proc, by process group (each peer runs in its
// own group, so tsung's Erlang VM counts with its start script). Sampled periodically so a
// busy process shows up as its peak share of one core, not only as an average.
const fs = require('node:fs');

const TICK = 100; // USER_HZ on Linux

function groupUsage(pgid) {
  let ticks = 0;
  let rssKb = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    try { stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { continue; }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    if (Number(f[2]) !== pgid) continue; // pgrp
    ticks += Number(f[11]) + Number(f[12]); // utime + stime
    rssKb += Number(f[21]) * 4; // rss pages
  }
  return { cpu: ticks / TICK, rssKb };
}

// Peak resident set of one process as the kernel recorded it (VmHWM).
function peakRssKb(pid) {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch { return null; }
}

class UsageSampler {
  constructor(procsByName, everyMs = 2000) {
    this.procs = procsByName; // () => [{ name, pid }]
    this.stats = new Map(); // name -> { cpu, peakShare, peakRssKb }
    this.last = new Map();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
    this.sample();
  }
  sample() {
    const now = Date.now() / 1000;
    for (const { name, pid } of this.procs()) {
      const u = groupUsage(pid);
      const s = this.stats.get(name) || { cpu: 0, peakShare: 0, peakRssKb: 0 };
      const prev = this.last.get(name);
      if (prev && now > prev.t) s.peakShare = Math.max(s.peakShare, (u.cpu - prev.cpu) / (now - prev.t));
      s.cpu = Math.max(s.cpu, u.cpu);
      s.peakRssKb = Math.max(s.peakRssKb, u.rssKb);
      this.stats.set(name, s);
      this.last.set(name, { t: now, cpu: u.cpu });
    }
  }
  stop() {
    this.sample();
    clearInterval(this.timer);
    return this.stats;
  }
}

module.exports = { UsageSampler, groupUsage, peakRssKb };
