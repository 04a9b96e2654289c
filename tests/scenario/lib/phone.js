'use strict';
// A participant that bypasses boshtap (a phone gateway on the server's c2s port). boshtap can
// only see it in the streams of proxied participants in the same room, so its ground truth
// depends on the room: the scenario says when the room becomes watched (`watched()`: a proxied
// participant joined and got the roster) and when it stops being watched (`unwatched()`: the
// last proxied participant left). Rules (docs/event-rules.md): join `observed`; a copy without
// <nick> seen by others does not clear a name, so un-naming logs nothing and the stored name
// stays; leave `left` while watched, `unobserved` when the watchers go first.
const { TcpXmpp, escapeXml } = require('./xmpp-tcp');

const NS_MUC = 'http://jabber.org/protocol/muc';
const NS_NICK = 'http://jabber.org/protocol/nick';

let phoneSeq = 0;

class Phone {
  // ctx: { env: { c2sHost, c2sPort, domain, muc }, truth, rng, log }
  constructor(name, ctx) {
    this.name = name;
    this.ctx = ctx;
    this.id = `${name}.tcp${++phoneSeq}`;
    this.xmpp = null;
    this.room = null; // { jid, resource, nick (actual), logged (name as in the log), watched }
  }

  log(msg) { this.ctx.log(`${this.name} (c2s): ${msg}`); }

  async connect() {
    const { env } = this.ctx;
    if (!env.c2sPort) throw new Error('no c2s port for plain-TCP participants (SCENARIO_C2S_PORT)');
    this.xmpp = new TcpXmpp({ host: env.c2sHost || '127.0.0.1', port: env.c2sPort, domain: env.domain });
    const jid = await this.xmpp.connect();
    this.log(`connected as ${jid} over plain TCP`);
  }

  _presence(extra = '') {
    const { jid, resource, nick } = this.room;
    const nickEl = nick == null ? '' : `<nick xmlns='${NS_NICK}'>${escapeXml(nick)}</nick>`;
    return `<presence to='${escapeXml(`${jid}/${resource}`)}'>${extra}${nickEl}</presence>`;
  }

  _echo(type) {
    const full = `${this.room.jid}/${this.room.resource}`;
    return this.xmpp.waitFor((el) => el.localName === 'presence' && el.getAttribute('from') === full &&
      (el.getAttribute('type') || null) === type, `${type || 'available'} echo from ${full}`);
  }

  // watched: a proxied participant is in the room now (boshtap sees the broadcast).
  async join(roomName, nick, { watched }) {
    this.room = { jid: `${roomName}@${this.ctx.env.muc}`, resource: `tel${this.ctx.rng.hex(5)}`, nick, logged: nick, watched: false };
    const echo = this._echo(null);
    this.xmpp.send(this._presence(`<x xmlns='${NS_MUC}'/>`));
    await echo;
    if (watched) this.watched();
    this.log(`joined ${this.room.jid}/${this.room.resource} as ${JSON.stringify(nick)}`);
  }

  // The room gained its first proxied participant: its roster shows this occupant.
  watched() {
    const r = this.room;
    if (!r || r.watched) return;
    r.watched = true;
    r.logged = r.nick;
    this.ctx.truth.join({ room: r.jid, occupant: r.resource, nick: r.logged, source: 'observed', by: this.id });
  }

  // The room lost its last proxied participant.
  unwatched() {
    const r = this.room;
    if (!r || !r.watched) return;
    r.watched = false;
    this.ctx.truth.leave({ room: r.jid, occupant: r.resource, nick: r.logged, reason: ['unobserved'], class: 'unobserved', by: this.id });
  }

  async rename(nick) {
    const r = this.room;
    r.nick = nick;
    const echo = this._echo(null);
    this.xmpp.send(this._presence());
    await echo;
    // Others' copies without <nick> keep the name boshtap stored.
    if (r.watched && nick !== null && nick !== r.logged) {
      this.ctx.truth.nickChange({ room: r.jid, occupant: r.resource, nick, old_nick: r.logged, by: this.id });
      r.logged = nick;
    }
    this.log(`renamed to ${JSON.stringify(nick)}`);
  }

  async leave() {
    const r = this.room;
    const echo = this._echo('unavailable');
    this.xmpp.send(`<presence to='${escapeXml(`${r.jid}/${r.resource}`)}' type='unavailable'/>`);
    await echo;
    if (r.watched) this.ctx.truth.leave({ room: r.jid, occupant: r.resource, nick: r.logged, reason: ['left'], class: 'left', by: this.id });
    this.room = null;
    this.log('left');
  }

  // Hang-up: the TCP session ends; the server says the occupant left (a plain unavailable).
  async disconnect() {
    const r = this.room;
    if (this.xmpp) await this.xmpp.close();
    this.xmpp = null;
    if (r && r.watched) this.ctx.truth.leave({ room: r.jid, occupant: r.resource, nick: r.logged, reason: ['left'], class: 'left', by: this.id });
    this.room = null;
  }
}

module.exports = { Phone };
