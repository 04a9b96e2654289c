'use strict';
// The driver's side of a boshtap restart in the middle of a random run (run-restart.js is the
// other side, over the IPC channel). At `at` seconds new moves are held back (connections keep
// polling / stay open), actions in flight finish and every timer-driven leave becomes due, so
// the moment of the SIGTERM splits the ground truth cleanly: what happened before it is in the
// first process's log, and everyone still in a room gets a `shutdown` leave there. The parent
// then stops boshtap, starts a new one on the same port and log file, and answers with both
// times; the truth records them as a `restart` marker. WebSocket participants, disconnected by
// the drain, resume their XEP-0198 session (as Jitsi's client does); once strophe has resent
// the BOSH requests that failed, moves go on.
function ask(msg) {
  if (!process.send) throw new Error('--restart-at needs an IPC channel to the parent (run-restart.js)');
  return new Promise((resolve) => {
    process.once('message', resolve);
    process.send(msg);
  });
}

function restartPoint({ at, truth, waitForDeadline, log, sleep, participants }) {
  let gate = null;
  const done = (async () => {
    await sleep(at * 1000);
    let open;
    gate = new Promise((r) => { open = r; });
    log('restart: new moves held back');
    await sleep(5000); // moves already started finish (each waits for its echo)
    await waitForDeadline();
    const reply = await ask({ type: 'restart' });
    truth.marker({ event: 'restart', stopped: reply.stopped, started: reply.started });
    log(`restart: boshtap stopped at ${reply.stopped}, started again at ${reply.started}`);
    await Promise.all(participants().map((p) => p.recover()));
    // A BOSH request that got 502 while no boshtap listened is resent by strophe after its
    // backoff (8 s on the second try). A request with a later rid sent before that makes
    // Prosody end the session (the gap is never filled in time: item-not-found), so moves wait.
    await sleep(10000);
    open();
    gate = null;
    log('restart: moves resume');
  })();
  return { hold: () => gate || Promise.resolve(), done };
}

module.exports = { restartPoint };
