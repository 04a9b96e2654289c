'use strict';
// Seeded random run for accuracy testing: N participants in R rooms for D seconds, each doing
// a random walk of the moves real users make. The seed fixes every choice (who, what, which
// name, which room, how long to wait); only the network's timing varies between runs.
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

function pickMove(rng, transport, resume) {
  const moves = MOVES.filter(([, m]) => m !== 'resume' || (transport === 'websocket' && resume));
  let x = rng.next() * moves.reduce((s, [w]) => s + w, 0);
  for (const [w, m] of moves) if ((x -= w) < 0) return m;
  return 'mute';
}

async function randomWalk({ make, rooms, transport, resume, sleep, rng, participants, duration, forkRng }) {
  const end = Date.now() + duration * 1000;
  const pickTransport = (r) => (transport === 'mixed' ? r.pick(['bosh', 'websocket']) : transport);
  const randomNick = (r) => (r.chance(0.15) ? null : `${r.pick(NICKS)} ${r.hex(2)}`);

  async function life(i) {
    const r = forkRng(i);
    const t = pickTransport(r);
    let p = make(`P${i}`, t, r);
    await sleep(r.int(0, 3000));
    await p.connect();
    await p.join(r.pick(rooms), randomNick(r));
    while (Date.now() < end) {
      await sleep(r.int(500, 6000));
      if (Date.now() >= end) break;
      let move = pickMove(r, t, resume);
      if (move === 'switch' && rooms.length < 2) move = 'mute';
      switch (move) {
        case 'mute': await p.toggleMute(); break;
        case 'rename': await p.rename(randomNick(r) ?? 'x'); break;
        case 'unname': await p.rename(null); break;
        case 'switch': await p.switchRoom(r.pick(rooms.filter((x) => !p.room.jid.startsWith(`${x}@`)))); break;
        case 'reload': await p.reload(); break;
        case 'resume': await p.dropAndResume(r.int(500, 4000)); break;
        case 'leave': case 'closeTab': case 'vanish': {
          const nick = p.room.nick;
          await p[move]();
          p = make(`P${i}`, t, r); // a new tab later: a new connection and resource
          await sleep(r.int(500, 3000));
          await p.connect();
          await p.join(r.pick(rooms), nick);
          break;
        }
        default: throw new Error(move);
      }
    }
    await p.leave();
  }

  await Promise.all(Array.from({ length: participants }, (_, i) => life(i)));
}

module.exports = { randomWalk };
