'use strict';
// Which leave reasons boshtap may legitimately log for each way a participant goes, and by when
// (seconds after the action). Two observers race for most endings: boshtap's own view of the
// connection (terminate, silence timer, resume window) and the server's broadcast unavailable
// seen on another participant's stream; whichever boshtap processes first decides the reason.
//
// env.server: prosody | ejabberd | other; env.settings: { boshWait, boshInactivity,
// silenceMargin, resumeWindow, hibernation } (seconds).
const TICK = 3; // boshtap ticks its timers once a second; allow for scheduling on a busy box

// How each server announces an occupant it dropped, as seen by the others in the room
// (observed with these tests): whether the unavailable says the client went silent.
//   Prosody BOSH: <status>Disconnected: BOSH client silent for over N seconds</status>
//   Prosody WebSocket (hibernation over): status 333 "Kicked: recipient unavailable"
//   ejabberd: a plain unavailable
const SAYS_SILENT = {
  prosody: { bosh: true, websocket: false },
  ejabberd: { bosh: false, websocket: false },
};

// Reason boshtap derives from the server's own unavailable for a dropped client.
function serverDropReasons(env, transport) {
  const known = SAYS_SILENT[env.server];
  if (!known) return ['timeout', 'left'];
  return [known[transport] ? 'timeout' : 'left'];
}

// seen: what the client itself saw of the ending ({ serverClosed }: an XMPP <close/> arrived).
function leaveReasons(cls, transport, env, seen = {}) {
  const s = env.settings;
  switch (cls) {
    case 'left': // unavailable from the occupant itself, echoed by the server
      return { allowed: ['left'] };
    case 'switch_room': // unavailable carrying <status>switch_room</status>
      return { allowed: ['switch_room'] };
    case 'tab_closed':
      if (transport === 'bosh') {
        // The terminate request passes boshtap before the server can broadcast the unavailable
        // it carries, so `terminated` should win; `left` is the other copy of the same ending.
        return { allowed: ['terminated', 'left'], within: TICK };
      }
      // Close frame without XMPP <close/>. Prosody keeps the session for resumption and, after
      // its hibernation time, kicks the occupant (status 333, "recipient unavailable": `left`);
      // boshtap, seeing no <close/>, waits out its resume window (`disconnected`). Only a
      // server that answered with <close/> before the socket closed makes it `terminated`.
      return { allowed: unique(['disconnected', ...serverDropReasons(env, 'websocket'), ...(seen.serverClosed ? ['terminated'] : [])]), within: Math.max(s.resumeWindow, s.hibernation) + TICK };
    case 'vanished':
      if (transport === 'bosh') {
        // The server drops the session after `inactivity`; its unavailable reaches boshtap on
        // another member's stream (Prosody: `timeout`, ejabberd: `left`). boshtap's own timer
        // fires after inactivity + wait + margin (`timeout`).
        return { allowed: unique(['timeout', ...serverDropReasons(env, 'bosh')]), within: s.boshInactivity + s.boshWait + s.silenceMargin + TICK };
      }
      // Dropped socket, never resumed: boshtap waits its resume window (`disconnected`); the
      // server gives up after its hibernation time and says so to the room (serverDropReasons).
      return { allowed: unique(['disconnected', ...serverDropReasons(env, 'websocket')]), within: Math.max(s.resumeWindow, s.hibernation) + TICK };
    default:
      throw new Error(`unknown leave class ${cls}`);
  }
}

const unique = (xs) => [...new Set(xs)];

module.exports = { leaveReasons };
