'use strict';
// Seeded random run for accuracy testing: N participants in R rooms for D seconds, each doing
// a random walk of the moves real users make. The seed fixes every choice (who, what, which
// name, which room, how long to wait); only the network's timing varies between runs.
//
// Shape of a run:
//   * One host per room joins first and stays to the end (mute, rename, un-name, resume only):
//     every room always has a proxied participant, so what boshtap can see of the plain-TCP
//     participants is exact at every moment.
//   * Participants start in waves that join the same room at the same instant: simultaneous
//     joins into rooms that fill up as the run goes on (each must still be logged `self`).
//   * Phones (plain TCP, bypassing boshtap) join, rename, un-name, move and hang up; at the end
//     some stay, so the hosts' departure leaves them `unobserved`.
const { NICKS } = require('../lib/nicks');

const MOVES = [
  // [weight, name]
  [30, 'mute'],
  [20, 'rename'],
  [8, 'unname'],
  [8, 'switch'],
  [8, 'leave'],
  [6, 'closeTab'],
  [6, 'reload'],
  [3, 'vanish'],
  [6, 'resume'],
];
const HOST_MOVES = new Set(['mute', 'rename', 'unname', 'resume']);

function pickMove(rng, transport, resume, allowed = null) {
  const moves = MOVES.filter(([, m]) => (m !== 'resume' || (transport === 'websocket' && resume)) && (!allowed || allowed.has(m)));
  let x = rng.next() * moves.reduce((s, [w]) => s + w, 0);
  for (const [w, m] of moves) if ((x -= w) < 0) return m;
  return 'mute';
}

// Resolves for everyone once `n` callers have arrived (or after `ms`, so one slow login does
// not hold a wave back forever).
function barrier(n, ms) {
  let arrived = 0;
  let open;
  const gate = new Promise((r) => { open = r; setTimeout(r, ms); });
  return () => { if (++arrived >= n) open(); return gate; };
}

async function randomWalk({ make, makePhone, rooms, transport, resume, sleep, rng, participants, duration, forkRng,
  phones = 0, wave = 6, pace = 1, excludeMoves = [], hold = async () => {} }) {
  // `pace` stretches the idle time between a participant's actions (the random draws stay the
  // same, so a seed keeps its sequence of moves): a large soak at Jitsi-like activity.
  const idle = (r, lo, hi) => sleep(Math.round(r.int(lo, hi) * pace));
  const end = Date.now() + duration * 1000;
  const pickTransport = (r) => (transport === 'mixed' ? r.pick(['bosh', 'websocket']) : transport);
  const randomNick = (r) => (r.chance(0.15) ? null : `${r.pick(NICKS)} ${r.hex(2)}`);
  const excluded = new Set(excludeMoves);
  const move = (r, t, allowed) => {
    for (;;) {
      const m = pickMove(r, t, resume, allowed);
      if (!excluded.has(m)) return m;
    }
  };

  // Hosts: in their room from the start to the very end.
  const hosts = await Promise.all(rooms.map(async (room, k) => {
    const r = forkRng(100000 + k);
    const h = make(`H${k}`, pickTransport(r), r);
    await h.connect();
    await h.join(room, `Host ${k} ${r.pick(NICKS)}`);
    return { h, r, room };
  }));
  async function hostLife({ h, r }) {
    while (Date.now() < end) {
      await idle(r, 1000, 8000);
      if (Date.now() >= end) break;
      await hold();
      const m = move(r, h.transport, HOST_MOVES);
      if (m === 'mute') await h.toggleMute();
      else if (m === 'rename') await h.rename(`${r.pick(NICKS)} ${r.hex(2)}`);
      else if (m === 'unname') await h.rename(null);
      else if (m === 'resume') await h.dropAndResume(r.int(500, 3000));
    }
  }

  const waves = new Map();
  const waveOf = (i) => {
    const w = Math.floor(i / wave);
    if (!waves.has(w)) waves.set(w, barrier(Math.min(wave, participants - w * wave), 15000));
    return { w, arrive: waves.get(w) };
  };

  async function life(i) {
    const r = forkRng(i);
    const t = pickTransport(r);
    let p = make(`P${i}`, t, r);
    const { w, arrive } = waveOf(i);
    await sleep(w * 1200 + r.int(0, 300));
    await p.connect();
    await arrive(); // the whole wave sends its join at once, into the same room
    await p.join(rooms[w % rooms.length], randomNick(r));
    while (Date.now() < end) {
      await idle(r, 500, 6000);
      if (Date.now() >= end) break;
      await hold();
      let m = move(r, t);
      if (m === 'switch' && rooms.length < 2) m = 'mute';
      switch (m) {
        case 'mute': await p.toggleMute(); break;
        case 'rename': await p.rename(randomNick(r) ?? 'x'); break;
        case 'unname': await p.rename(null); break;
        case 'switch': await p.switchRoom(r.pick(rooms.filter((x) => !p.room.jid.startsWith(`${x}@`)))); break;
        case 'reload': await p.reload(); break;
        case 'resume': await p.dropAndResume(r.int(500, 4000)); break;
        case 'leave': case 'closeTab': case 'vanish': {
          const nick = p.room.nick;
          await p[m]();
          p = make(`P${i}`, t, r); // a new tab later: a new connection and resource
          await sleep(r.int(500, 3000));
          await hold();
          await p.connect();
          await p.join(r.pick(rooms), nick);
          break;
        }
        default: throw new Error(m);
      }
    }
    await p.leave();
  }

  // Phones only ever act while their room has its host, so boshtap sees all they do.
  const phoneList = [];
  async function phoneLife(i) {
    const r = forkRng(200000 + i);
    const ph = makePhone(`T${i}`, r);
    phoneList.push(ph);
    await sleep(r.int(0, 4000));
    await ph.connect();
    await ph.join(r.pick(rooms), randomNick(r), { watched: true });
    while (Date.now() < end) {
      await idle(r, 1000, 8000);
      if (Date.now() >= end) break;
      await hold();
      const x = r.next();
      if (x < 0.45) await ph.rename(`${r.pick(NICKS)} ${r.hex(2)}`);
      else if (x < 0.65) await ph.rename(null);
      else if (x < 0.8) { await ph.leave(); await sleep(r.int(200, 2000)); await ph.join(r.pick(rooms), randomNick(r), { watched: true }); }
      else { const nick = ph.room.nick; await ph.disconnect(); await sleep(r.int(200, 2000)); await ph.connect(); await ph.join(r.pick(rooms), nick, { watched: true }); }
    }
    if (r.chance(0.5)) await ph.leave(); // the other half is still there when the hosts go
  }

  const hostsDone = Promise.all(hosts.map(hostLife));
  await Promise.all([...Array.from({ length: participants }, (_, i) => life(i)), ...Array.from({ length: phones }, (_, i) => phoneLife(i))]);
  await hostsDone;
  return {
    // Hosts leave last, once every timer-driven ending is due: the phones still in a room are
    // then seen by nobody and get `unobserved`; after that they hang up unseen.
    async finish(waitForDeadline) {
      await waitForDeadline();
      for (const { h } of hosts) {
        const roomJid = h.room.jid;
        await h.leave();
        for (const ph of phoneList) if (ph.room && ph.room.jid === roomJid) ph.unwatched();
      }
      await Promise.all(phoneList.map((ph) => ph.disconnect()));
    },
  };
}

module.exports = { randomWalk };
