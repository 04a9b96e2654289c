'use strict';
// Which leave reasons boshtap may legitimately log for each way a participant goes, and by when
// (seconds after the action). Two observers race for most endings: boshtap's own view of the
// connection (terminate, silence timer, resume window) and the server's broadcast unavailable
// seen on another participant's stream; whichever boshtap processes first decides the reason.
//
// settings: { boshWait, boshInactivity, silenceMargin, resumeWindow, hibernation } (seconds).
const TICK = 3; // boshtap ticks its timers once a second; allow for scheduling on a busy box

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
      return { allowed: ['left', 'disconnected', ...(seen.serverClosed ? ['terminated'] : [])], within: Math.max(s.resumeWindow, s.hibernation) + TICK };
    case 'vanished':
      if (transport === 'bosh') {
        // The server drops the session after `inactivity` and says the client went silent
        // (`timeout`); boshtap's own timer fires after inactivity + wait + margin (`timeout`).
        return { allowed: ['timeout'], within: s.boshInactivity + s.boshWait + s.silenceMargin + TICK };
      }
      // Dropped socket, never resumed: boshtap waits its resume window (`disconnected`); the
      // server gives up after its hibernation time and the occupant leaves with an unavailable
      // whose status does not say the client went silent (Prosody: 333 kick, `left`) or does
      // (`timeout`).
      return { allowed: ['disconnected', 'timeout', 'left'], within: Math.max(s.resumeWindow, s.hibernation) + TICK };
    default:
      throw new Error(`unknown leave class ${cls}`);
  }
}

module.exports = { leaveReasons };
