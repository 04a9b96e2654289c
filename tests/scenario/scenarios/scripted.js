'use strict';
// The fixed script: every kind of move once, in an order whose expected events are exact.
// Rooms: main (r1) and breakout (r2). Participants come and go as follows:
//   Ada   quotes in her name; mutes twice (no events); clears her name, sets a new one;
//         reloads the page (abrupt end + new resource); leaves cleanly at the end.
//   Bob   emoji name; renames to Arabic; moves to the breakout room (switch_room); leaves.
//   Cy    joins without a name, then gets one with markup characters; closes the tab.
//   Dee   RTL-marked name in the breakout room; [WebSocket: connection drops, Bob renames
//         during the outage, Dee resumes and renames]; then vanishes (network gone) while Bob
//         is still there to see the server drop her.
//   Eve   alone in a third room; vanishes: only boshtap's own timer can end her.
//   Pat   (plain TCP, bypassing boshtap) is in the main room before anyone proxied: observed
//         once Ada joins; renames, clears the name (nothing logged: others' copies without
//         <nick> keep it), renames again; still there when the last proxied participant
//         leaves: `unobserved`.
//   Quinn (plain TCP) joins the breakout room with no name, gets one, hangs up: `left`.
const { NICKS } = require('../lib/nicks');

async function scripted({ make, makePhone, rooms: [r1, r2, r3], transport, resume, sleep, settings, phones }) {
  const ada = make('Ada');
  const bob = make('Bob');
  const cy = make('Cy');
  const dee = make('Dee');
  const eve = make('Eve');
  await Promise.all([ada, bob, cy, dee, eve].map((p) => p.connect()));
  const pat = phones ? makePhone('Pat') : null;
  const quinn = phones ? makePhone('Quinn') : null;
  if (pat) {
    await Promise.all([pat.connect(), quinn.connect()]);
    await pat.join(r1, NICKS[4], { watched: false });
  }
  await eve.join(r3, NICKS[10]);
  await eve.vanish();

  await ada.join(r1, NICKS[0]);
  if (pat) pat.watched(); // Ada's roster shows Pat
  await bob.join(r1, 'Zoë 🎉');
  await cy.join(r1, null);
  await ada.toggleMute();
  await ada.toggleMute();
  await bob.rename('مريم الحسيني');
  await cy.rename(NICKS[1]);
  if (pat) {
    await pat.rename(null);
    await pat.rename('Pat ☎ <dial-in>');
  }
  await ada.rename(null);
  await ada.rename('שָׁלוֹם Dana');
  await bob.switchRoom(r2);
  await dee.join(r2, NICKS[6]);
  await dee.toggleMute();
  if (quinn) {
    await quinn.join(r2, null, { watched: true });
    await quinn.rename(NICKS[9]);
    await quinn.disconnect();
  }

  if (transport === 'websocket' && resume) {
    const resumed = dee.dropAndResume(2000);
    await sleep(500);
    await bob.rename('Bob 🐧 <during outage>');
    await resumed;
    await dee.rename(NICKS[3]);
  }

  // Timer-driven endings first, so their deadlines pass while the rest goes on.
  await dee.vanish();
  // Ada reloads while Cy is still in the main room: Pat stays watched throughout (with nobody
  // proxied in the room between Ada's old and new connection, Pat would rightly be
  // `unobserved` and then joined again).
  await ada.reload();
  await cy.closeTab();
  await ada.toggleMute();
  await bob.toggleMute();
  // Bob stays until the server has dropped Dee (BOSH inactivity / WebSocket hibernation).
  const serverDrop = transport === 'bosh' ? settings.boshInactivity : settings.hibernation;
  await sleep((serverDrop + 5) * 1000);
  await bob.leave();
  await ada.leave();
  if (pat) {
    pat.unwatched();
    await pat.disconnect();
  }
}

module.exports = { scripted };
