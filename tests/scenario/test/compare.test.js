'use strict';
// The checker must see every kind of difference (and nothing else): a checker that misses a
// duplicate would let a broken boshtap pass the integration tests.
const test = require('node:test');
const assert = require('node:assert');
const { compare } = require('../lib/compare');

const R = 'r@conference.meet.jitsi';
const join = (o, nick, source = 'self') => ({ event: 'join', room: R, occupant: o, nick, source });
const nick = (o, n, old) => ({ event: 'nick_change', room: R, occupant: o, nick: n, old_nick: old });
const leave = (o, n, reason) => ({ event: 'leave', room: R, occupant: o, nick: n, reason });

const truth = [join('a', 'Ann'), nick('a', null, 'Ann'), leave('a', null, ['terminated', 'left']), join('b', '"<&>" 🎉'), leave('b', '"<&>" 🎉', ['left'])];
const exact = [join('a', 'Ann'), nick('a', null, 'Ann'), leave('a', null, 'left'), join('b', '"<&>" 🎉'), leave('b', '"<&>" 🎉', 'left')];
const problems = (log) => compare(truth, log).map((f) => `${f.problem}:${f.occupant}:${f.event}`).sort();

test('an exact log passes, any allowed reason is accepted', () => {
  assert.deepStrictEqual(problems(exact), []);
  assert.deepStrictEqual(problems(exact.map((e) => (e.occupant === 'a' && e.event === 'leave' ? { ...e, reason: 'terminated' } : e))), []);
});

test('missing, duplicated and spurious events', () => {
  assert.deepStrictEqual(problems(exact.filter((e) => e.event !== 'nick_change')), ['missing:a:nick_change']);
  assert.deepStrictEqual(problems([...exact.slice(0, 2), exact[1], ...exact.slice(2)]), ['duplicated:a:nick_change']);
  assert.deepStrictEqual(problems([...exact, join('c', 'X'), leave('c', 'X', 'left')]), ['spurious:c:join', 'spurious:c:leave']);
  assert.deepStrictEqual(problems([...exact.slice(0, 3), nick('b', 'Q', '"<&>" 🎉'), ...exact.slice(3)]).includes('unbalanced:b:nick_change'), true);
});

test('wrong fields are reported as such, not as missing + spurious', () => {
  const wrong = exact.map((e) => ({ ...e }));
  wrong[0].source = 'observed';
  wrong[1].old_nick = 'Anne';
  wrong[3].nick = '&quot;&lt;&amp;&gt;&quot; 🎉';
  wrong[4].reason = 'timeout';
  assert.deepStrictEqual(problems(wrong), ['wrong nick:b:join', 'wrong old_nick:a:nick_change', 'wrong reason:b:leave', 'wrong source:a:join']);
});

test('unbalanced sequences', () => {
  assert.deepStrictEqual(problems(exact.filter((e) => !(e.occupant === 'b' && e.event === 'leave'))), ['missing:b:leave', 'unbalanced:b:join']);
});
