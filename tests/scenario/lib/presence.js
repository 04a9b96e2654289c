'use strict';
// Presence the way Jitsi Meet's web client (lib-jitsi-meet) shapes it: MUC join marker on the
// join only, stats-id, entity caps, codec list, SourceInfo JSON with per-source mute state,
// and the display name as XEP-0172 <nick> (absent when the user has no name).
const { $pres } = require('./strophe-node');

const NS_MUC = 'http://jabber.org/protocol/muc';
const NS_NICK = 'http://jabber.org/protocol/nick';
const NS_CAPS = 'http://jabber.org/protocol/caps';

function jitsiPresence({ to, resource, statsId, nick, audioMuted, videoMuted, join }) {
  const p = $pres({ to, xmlns: 'jabber:client' });
  if (join) p.c('x', { xmlns: NS_MUC }).up();
  p.c('stats-id').t(statsId).up();
  p.c('c', { hash: 'sha-1', node: 'https://jitsi.org/jitsi-meet', ver: 'cvjWXufsg4xT62Ec2mlATkFZ9lk=', xmlns: NS_CAPS }).up();
  p.c('features').c('feature', { var: 'https://jitsi.org/meet/e2ee' }).up().up();
  p.c('jitsi_participant_codecList').t('vp9,vp8,h264').up();
  p.c('SourceInfo').t(JSON.stringify({ [`${resource}-a0`]: { muted: audioMuted }, [`${resource}-v0`]: { muted: videoMuted } })).up();
  if (nick !== null && nick !== undefined) p.c('nick', { xmlns: NS_NICK }).t(nick).up();
  return p;
}

function unavailable({ to, status }) {
  const p = $pres({ to, type: 'unavailable', xmlns: 'jabber:client' });
  if (status) p.c('status').t(status).up();
  return p;
}

module.exports = { jitsiPresence, unavailable, NS_MUC, NS_NICK };
