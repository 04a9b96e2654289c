'use strict';
// The ground truth: every audit event the simulated participants caused, as JSON Lines in the
// shape of boshtap's log (event, room, occupant, nick, old_nick, source, reason). A leave's
// `reason` is the list of reasons allowed for it (reasons.js); `class` says what the user did;
// `t_max`, when present, is the latest time the event may appear.
const fs = require('node:fs');

class Truth {
  constructor(file) {
    this.fd = file ? fs.openSync(file, 'w') : null;
    this.records = [];
  }
  _write(rec) {
    const r = { t: Date.now() / 1000, ...rec };
    this.records.push(r);
    if (this.fd !== null) fs.writeSync(this.fd, JSON.stringify(r) + '\n');
    return r;
  }
  // source: `self` for a participant whose own connection passes boshtap, `observed` for one
  // that boshtap only sees in others' streams (plain-TCP participants).
  join({ room, occupant, nick, source = 'self', by }) {
    return this._write({ event: 'join', room, occupant, nick, source, by });
  }
  nickChange({ room, occupant, nick, old_nick, by }) {
    return this._write({ event: 'nick_change', room, occupant, nick, old_nick, by });
  }
  leave({ room, occupant, nick, reason, class: cls, t_max, by }) {
    return this._write({ event: 'leave', room, occupant, nick, reason, class: cls, t_max, by });
  }
  // Not an event: a point in the run the checker needs (e.g. a boshtap restart).
  marker(rec) {
    return this._write({ marker: true, ...rec });
  }
  // When the last event whose moment depends on a timer may still appear.
  deadline() {
    return this.records.reduce((m, r) => Math.max(m, r.t_max || r.t), 0);
  }
  close() {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

module.exports = { Truth };
