'use strict';
// A short, watchable meeting for the README's demo: three people join, one mutes, two rename,
// everyone leaves. Paced so each event can be seen arriving in the log.
async function demo({ make, rooms: [room], sleep }) {
  const pause = () => sleep(1500);
  const alice = make('Alice');
  const bob = make('Bob', 'websocket');
  const carol = make('Carol');
  await Promise.all([alice.connect(), bob.connect(), carol.connect()]);
  await alice.join(room, 'Alice');
  await pause();
  await bob.join(room, 'Bob 🎧');
  await pause();
  await carol.join(room, null);
  await pause();
  await bob.toggleMute(); // no event: only the mute state changed
  await pause();
  await carol.rename('Carol "CJ" <Ops>');
  await pause();
  await alice.rename('Alice (host)');
  await pause();
  await carol.leave();
  await pause();
  await bob.leave();
  await pause();
  await alice.leave();
}

module.exports = { demo };
