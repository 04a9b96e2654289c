'use strict';
// One simulated Jitsi Meet participant: a strophe.js connection (BOSH or WebSocket) through the
// public URL, anonymous login, and the MUC moves a real user makes. Every action that should
// appear in boshtap's event log is reported to the ground truth (truth.js) with the reasons the
// server and proxy may legitimately give it (reasons.js).
const { Strophe } = require('./strophe-node');
const xhr = require('./xhr-shim');
const wsShim = require('./ws-shim');
const { WireLog } = require('./wire');
const { jitsiPresence, unavailable, NS_NICK } = require('./presence');
const { leaveReasons } = require('./reasons');

const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let connCounter = 0; // unique client ids across participants and their reconnections

// Display name as the user typed it: element text, entities resolved (not Strophe.getText,
// which returns the text XML-escaped).
function nickOf(presence) {
  const el = Array.from(presence.getElementsByTagName('nick')).find((n) => n.namespaceURI === NS_NICK);
  return el ? el.textContent : null;
}

function statusCodes(presence) {
  return Array.from(presence.getElementsByTagName('status')).filter((s) => s.getAttribute('code')).map((s) => s.getAttribute('code'));
}

class Participant {
  // ctx: { env (urls, domain, muc, settings), truth, rng, wireDir, log, resume }
  constructor(name, transport, ctx) {
    this.name = name;
    this.transport = transport;
    this.ctx = ctx;
    this.conn = null;
    this.connSeq = 0;
    this.room = null; // { jid, resource, nick }
    this.muted = { audio: true, video: false };
    this.statsId = `${name.replace(/[^A-Za-z]/g, '') || 'User'}-${ctx.rng.hex(3)}`;
    this.waiters = [];
    this.gone = false;
  }

  get id() { return `${this.name}.${this.connSeq}`; }
  log(msg) { this.ctx.log(`${this.name}: ${msg}`); }

  // --- connection ---------------------------------------------------------------------------

  async connect() {
    this.connSeq = ++connCounter;
    const clientId = this.id;
    const wire = new WireLog(this.ctx.wireDir ? `${this.ctx.wireDir}/${clientId}.jsonl` : null);
    this.wire = wire;
    const base = this.transport === 'bosh' ? this.ctx.env.boshUrl : this.ctx.env.wsUrl;
    if (this.transport === 'bosh') xhr.registerClient(clientId, wire);
    else wsShim.registerClient(clientId, wire);
    this.clientId = clientId;
    this.base = base;
    // Jitsi enables XEP-0198 on WebSocket only.
    const conn = new Strophe.Connection(`${base}#${clientId}`, {
      enableStreamManagement: this.transport === 'websocket',
      streamManagement: { maxUnacked: 5 },
    });
    this.conn = conn;
    await this._login(conn);
    this.log(`connected as ${conn.jid} over ${this.transport}`);
  }

  _login(conn) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: login timed out`)), 15000);
      conn.connect(this.ctx.env.domain, null, (status, condition) => {
        if (status === Strophe.Status.CONNECTED) {
          clearTimeout(timer);
          this._installHandlers(conn);
          resolve();
        } else if (status === Strophe.Status.CONNFAIL || status === Strophe.Status.AUTHFAIL) {
          clearTimeout(timer);
          reject(new Error(`${this.name}: connection failed (${status} ${condition || ''})`));
        } else if (status === Strophe.Status.DISCONNECTED) {
          this._disconnected = true;
          for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.name}: disconnected`));
        }
      }, this.ctx.env.settings.boshWait, 1);
    });
  }

  _installHandlers(conn) {
    conn.addHandler((p) => { this._onPresence(p); return true; }, null, 'presence');
  }

  _onPresence(p) {
    for (const w of [...this.waiters]) {
      if (w.match(p)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(p);
      }
    }
  }

  // Resolves with the first presence that matches, rejects after ms.
  _await(match, what, ms = 10000) {
    return new Promise((resolve, reject) => {
      const w = { match, resolve: (p) => { clearTimeout(w.timer); resolve(p); }, reject: (e) => { clearTimeout(w.timer); reject(e); } };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`${this.name}: timed out waiting for ${what}`));
      }, ms);
      this.waiters.push(w);
    });
  }

  _ownEcho(type) {
    const full = `${this.room.jid}/${this.room.resource}`;
    return (p) => p.getAttribute('from') === full && (p.getAttribute('type') || null) === type &&
      (type === 'error' || statusCodes(p).includes('110'));
  }

  _presence(extra = {}) {
    const { jid, resource, nick } = this.room;
    return jitsiPresence({ to: `${jid}/${resource}`, resource, statsId: this.statsId, nick,
      audioMuted: this.muted.audio, videoMuted: this.muted.video, ...extra });
  }

  // --- MUC ----------------------------------------------------------------------------------

  async join(roomName, nick) {
    const jid = `${roomName}@${this.ctx.env.muc}`;
    this.room = { jid, resource: this.ctx.rng.hex(8), nick };
    const echo = this._await((p) => this._ownEcho(null)(p) || this._ownEcho('error')(p), `self-presence in ${jid}`);
    this.conn.send(this._presence({ join: true }));
    const p = await echo;
    if (p.getAttribute('type') === 'error') throw new Error(`${this.name}: join of ${jid} refused`);
    this.ctx.truth.join({ room: jid, occupant: this.room.resource, nick, by: this.id });
    this.log(`joined ${jid}/${this.room.resource} as ${JSON.stringify(nick)}`);
  }

  // A presence re-send that changes only the mute state: no event.
  async toggleMute() {
    this.muted.audio = !this.muted.audio;
    const echo = this._await(this._ownEcho(null), 'mute echo');
    this.conn.send(this._presence());
    await echo;
    this.log(`audio ${this.muted.audio ? 'muted' : 'unmuted'}`);
  }

  // nick null removes <nick> (the user cleared the name field).
  async rename(nick) {
    const old = this.room.nick;
    this.room.nick = nick;
    const echo = this._await((p) => this._ownEcho(null)(p) && nickOf(p) === nick, 'rename echo');
    this.conn.send(this._presence());
    await echo;
    if (old !== nick) this.ctx.truth.nickChange({ room: this.room.jid, occupant: this.room.resource, nick, old_nick: old, by: this.id });
    this.log(`renamed ${JSON.stringify(old)} -> ${JSON.stringify(nick)}`);
  }

  async _leaveRoom(status, reasonClass) {
    const echo = this._await(this._ownEcho('unavailable'), 'leave echo');
    this.conn.send(unavailable({ to: `${this.room.jid}/${this.room.resource}`, status }));
    await echo;
    this._recordLeave(reasonClass);
  }

  _recordLeave(reasonClass, seen = {}) {
    const { jid, resource, nick } = this.room;
    const reasons = leaveReasons(reasonClass, this.transport, this.ctx.env, seen);
    this.ctx.truth.leave({ room: jid, occupant: resource, nick, reason: reasons.allowed, class: reasonClass,
      t_max: reasons.within === undefined ? undefined : Date.now() / 1000 + reasons.within, by: this.id });
    this.room = null;
  }

  // Jitsi breakout rooms: leave with <status>switch_room</status>, join the other room
  // (Jitsi keeps the MUC resource across the move).
  async switchRoom(roomName) {
    const { resource, nick, jid } = this.room;
    await this._leaveRoom('switch_room', 'switch_room');
    const echo = this._await((p) => p.getAttribute('from') === `${roomName}@${this.ctx.env.muc}/${resource}` && !p.getAttribute('type') && statusCodes(p).includes('110'), 'switched self-presence');
    this.room = { jid: `${roomName}@${this.ctx.env.muc}`, resource, nick };
    this.conn.send(this._presence({ join: true }));
    await echo;
    this.ctx.truth.join({ room: this.room.jid, occupant: resource, nick, by: this.id });
    this.log(`switched ${jid} -> ${this.room.jid}`);
  }

  // The leave button: unavailable to the room, then the session ends cleanly
  // (BOSH terminate / WebSocket <close/>).
  async leave() {
    await this._leaveRoom(undefined, 'left');
    await this._disconnect();
    this.log('left and disconnected');
  }

  _disconnect() {
    return new Promise((resolve) => {
      const conn = this.conn;
      const timer = setTimeout(resolve, 5000);
      const check = setInterval(() => { if (!conn.connected) { clearInterval(check); clearTimeout(timer); resolve(); } }, 20);
      conn.disconnect('bye');
    }).then(() => this._retire());
  }

  _retire() {
    this.gone = true;
    if (this.transport === 'bosh') xhr.unregisterClient(this.clientId);
    else wsShim.unregisterClient(this.clientId);
    if (this.wire) this.wire.close();
  }

  // The tab is closed while in the room. BOSH: strophe's terminate (carrying the broadcast
  // unavailable) goes out without a MUC leave first. WebSocket: the browser closes the socket
  // (close frame 1001), no XMPP <close/>.
  async closeTab() {
    if (this.transport === 'bosh') {
      this._recordLeave('tab_closed');
      await this._disconnect();
    } else {
      wsShim.closeClient(this.clientId, 1001);
      await sleep(200);
      this._recordLeave('tab_closed', { serverClosed: wsShim.serverClosed(this.clientId) });
      this._stopConn();
      this._retire();
    }
    this.log('closed the tab');
  }

  // The network disappears: BOSH stops polling (sockets cut, nothing more is sent);
  // WebSocket loses its TCP connection without a close frame and never comes back.
  async vanish() {
    this._recordLeave('vanished');
    if (this.transport === 'bosh') xhr.cutClient(this.clientId, { silent: true });
    else wsShim.dropClient(this.clientId);
    this._stopConn();
    this._retire();
    this.log('vanished');
  }

  _stopConn() {
    const conn = this.conn;
    conn.pause();
    clearTimeout(conn._idleTimeout);
    conn._onIdle = () => {};
  }

  // The page is reloaded: the tab goes away, a new connection joins with a new resource.
  async reload() {
    const { jid, nick } = this.room;
    await this.closeTab();
    this.gone = false;
    await this.connect();
    await this.join(jid.split('@')[0], nick);
    this.log('reloaded');
  }

  // After boshtap restarted: a WebSocket client whose socket the old process closed (1001)
  // resumes its session, as Jitsi's client does. BOSH clients just keep polling (strophe
  // retries the requests that got 502 while boshtap was down).
  async recover() {
    if (this.gone || this.transport !== 'websocket' || !this.conn || this.conn.connected) return;
    const token = this.conn.sm && this.conn.sm.state.id;
    if (!token) throw new Error(`${this.name}: disconnected and not resumable`);
    const sep = this.base.includes('?') ? '&' : '?';
    this.conn.service = `${this.base}${sep}previd=${encodeURIComponent(token)}#${this.clientId}`;
    await this._login(this.conn);
    if (!this.conn.sm.resumed) throw new Error(`${this.name}: stream was not resumed after the restart`);
    this.log(`resumed after the restart as ${this.conn.jid}`);
  }

  // WebSocket only: the TCP connection drops, the client reconnects with ?previd= and resumes
  // the XEP-0198 session within the server's hibernation time. The occupant never leaves.
  async dropAndResume(outageMs) {
    if (this.transport !== 'websocket') throw new Error('dropAndResume is WebSocket only');
    const token = this.conn.sm && this.conn.sm.state.id;
    if (!token) throw new Error(`${this.name}: no resumption token (server did not enable resumable SM)`);
    const closed = new Promise((r) => { const t = setInterval(() => { if (!this.conn.connected) { clearInterval(t); r(); } }, 10); });
    wsShim.dropClient(this.clientId);
    await closed;
    this.log(`connection dropped, resuming in ${outageMs} ms`);
    await sleep(outageMs);
    const sep = this.base.includes('?') ? '&' : '?';
    this.conn.service = `${this.base}${sep}previd=${encodeURIComponent(token)}#${this.clientId}`;
    await this._login(this.conn);
    if (!this.conn.sm.resumed) throw new Error(`${this.name}: stream was not resumed (new session ${this.conn.jid})`);
    this.log(`resumed as ${this.conn.jid}`);
  }
}

module.exports = { Participant, nickOf };
