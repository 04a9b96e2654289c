'use strict';
// Balance of the event log for occupants nobody recorded a ground truth for (tsung's): per
// occupant exactly `join nick_change* leave`, where a MUC nickname change (nick_change with
// `old_occupant`) carries the open occupant over to its new resource. Returns problems and the
// counts to hold against tsung's statistics.
function occupantBalance(events) {
  const open = new Map(); // room/resource -> its join event
  const problems = [];
  const counts = { join: 0, display_name: 0, name_cleared: 0, renamed_303: 0, leave: 0, leaveReasons: {} };
  const key = (room, res) => `${room}/${res}`;
  for (const e of events) {
    const k = key(e.room, e.occupant);
    if (e.event === 'join') {
      counts.join++;
      if (open.has(k)) problems.push({ problem: 'join while joined', occupant: k });
      open.set(k, e);
    } else if (e.event === 'nick_change' && e.old_occupant) {
      counts.renamed_303++;
      const from = key(e.room, e.old_occupant);
      if (!open.has(from)) problems.push({ problem: '303 rename of an occupant not joined', occupant: from });
      if (open.has(k)) problems.push({ problem: '303 rename onto an occupant already joined', occupant: k });
      open.set(k, open.get(from) || e);
      open.delete(from);
    } else if (e.event === 'nick_change') {
      if (e.nick === null || e.nick === undefined) counts.name_cleared++;
      else counts.display_name++;
      if (!open.has(k)) problems.push({ problem: 'nick_change outside join..leave', occupant: k });
    } else if (e.event === 'leave') {
      counts.leave++;
      counts.leaveReasons[e.reason] = (counts.leaveReasons[e.reason] || 0) + 1;
      if (!open.delete(k)) problems.push({ problem: 'leave without join', occupant: k });
    } else {
      problems.push({ problem: `unknown event ${e.event}`, occupant: k });
    }
  }
  for (const k of open.keys()) problems.push({ problem: 'no leave', occupant: k });
  return { problems, counts };
}

module.exports = { occupantBalance };
